/**
 * The inspector socket a debug session attaches to, opened only for that session (HostRequests `debugOpen`,
 * `debugClose`): on 127.0.0.1, a port the system picks, and Node's random UUID path, so only a client told the URL
 * (VS Code's JavaScript debugger, through the host) finds it. The functions are captured when the worker loads,
 * before any cell runs: a cell that replaces or guards `node:inspector` changes nothing here, and the guards that
 * deny a cell its own inspector (worker/node/permissionGuards.ts, debuggerGuard.ts) stay in place.
 */
import { readFileSync } from 'node:fs';
import type inspectorModule from 'node:inspector';
import { codaErrorObject, type DebugOpenResult } from '../../protocol';
import { getBuiltin } from '../runtime/getBuiltin';

const inspector = getBuiltin('node:inspector') as typeof inspectorModule;
const realOpen = inspector.open;
const realClose = inspector.close;
const realUrl = inspector.url;
const realNow = performance.now.bind(performance);
const realSetTimeout = setTimeout;
const realRead = (path: string) => readFileSync(path, 'latin1');

/** Only the loopback interface: a debugger runs code as the kernel. */
export const DEBUG_HOST = '127.0.0.1';

/** Longest a close waits for the debugger's connections to end before it closes the socket anyway. */
export const CLOSE_WAIT_MS = 3000;
/** How long after the last connection ended the socket is closed (the session's teardown reaches the main thread). */
export const CLOSE_SETTLE_MS = 100;
/** How often the connections are counted while a close waits. */
const CLOSE_POLL_MS = 20;

/**
 * How many TCP connections to 127.0.0.1:`port` are established (Linux's /proc/net/tcp); undefined where that cannot
 * be read (another system, or Node's permission model denies the read).
 */
export function connectionsTo(port: number, read: (path: string) => string = realRead): number | undefined {
  let table: string;
  try {
    table = read('/proc/net/tcp');
  } catch {
    return undefined;
  }
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let n = 0;
  for (const line of table.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // sl local_address rem_address st: 01 is ESTABLISHED
    if (cols[1] === local && cols[3] === '01') n++;
  }
  return n;
}

const sleep = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));

export class DebugInspector {
  private opened = false;
  /** A close waiting for the debugger to detach (`cancelled` when the socket is opened again meanwhile). */
  private closing: { cancelled: boolean; done: Promise<void> } | undefined;

  constructor(private readonly connections: (port: number) => number | undefined = connectionsTo) {}

  open(): DebugOpenResult {
    if (this.closing) {
      // reopened before the socket went: keep it
      this.closing.cancelled = true;
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

  /**
   * Closes the socket once the debugger has detached: Node crashes (SIGSEGV, measured on Node 20 and 24) when its
   * inspector closes while a client's session is attached or tearing down. So the close waits until no connection
   * to the socket is left (up to CLOSE_WAIT_MS), then CLOSE_SETTLE_MS for the session's end to reach this thread.
   * Resolves once nothing listens any more.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing.done;
    if (!this.opened) return Promise.resolve();
    this.opened = false;
    const port = Number(/:(\d+)\//.exec(realUrl() ?? '')?.[1] ?? 0);
    const closing: { cancelled: boolean; done: Promise<void> } = { cancelled: false, done: Promise.resolve() };
    closing.done = (async () => {
      const until = realNow() + CLOSE_WAIT_MS;
      for (;;) {
        const attached = port ? this.connections(port) : undefined;
        if (!attached || realNow() >= until) break;
        await sleep(CLOSE_POLL_MS);
        if (closing.cancelled) return;
      }
      await sleep(CLOSE_SETTLE_MS);
      if (closing.cancelled) return;
      this.closing = undefined;
      realClose();
    })();
    this.closing = closing;
    return closing.done;
  }

  get isOpen(): boolean {
    return this.opened;
  }
}
