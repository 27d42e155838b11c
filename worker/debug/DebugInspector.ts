/**
 * The inspector socket a debug session attaches to, opened only for that session (HostRequests `debugOpen`,
 * `debugClose`): on 127.0.0.1, a port the system picks, and Node's random UUID path, so only a client told the URL
 * (VS Code's JavaScript debugger, through the host) finds it. The functions are captured when the worker loads,
 * before any cell runs: a cell that replaces or guards `node:inspector` changes nothing here, and the guards that
 * deny a cell its own inspector (worker/node/permissionGuards.ts, debuggerGuard.ts) stay in place.
 */
import inspector from 'node:inspector';
import { codaErrorObject, type DebugOpenResult } from '../../protocol';

const realOpen = inspector.open;
const realClose = inspector.close;
const realUrl = inspector.url;
const realSetImmediate = setImmediate;
const realClearImmediate = clearImmediate;

/** Only the loopback interface: a debugger runs code as the kernel. */
export const DEBUG_HOST = '127.0.0.1';

export class DebugInspector {
  private opened = false;
  /** A close waiting for the current tick to end (closing while the client's session tears down crashed Node 20). */
  private closing: NodeJS.Immediate | undefined;

  open(): DebugOpenResult {
    if (this.closing) {
      // reopened before the socket went: keep it
      realClearImmediate(this.closing);
      this.closing = undefined;
      this.opened = true;
    }
    if (!this.opened) {
      try {
        // port 0: any free port; false: do not wait for the debugger (the host attaches before it runs the cell)
        realOpen(0, DEBUG_HOST, false);
      } catch (err) {
        throw codaErrorObject('DebugOpenFailed', { detail: err instanceof Error ? err.message : String(err) });
      }
      this.opened = true;
    }
    const url = realUrl();
    if (!url) throw codaErrorObject('DebugOpenFailed', { detail: 'the inspector reported no address' });
    return { webSocketUrl: url };
  }

  close(): void {
    if (!this.opened) return;
    this.opened = false;
    this.closing = realSetImmediate(() => {
      this.closing = undefined;
      realClose();
    });
  }

  get isOpen(): boolean {
    return this.opened;
  }
}
