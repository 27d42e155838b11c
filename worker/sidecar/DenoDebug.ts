/**
 * Debugging a Deno kernel (Runtime.debug of its SidecarRuntime): the worker serves the socket a debug session attaches
 * to (InspectorRelay, onto Deno's inspector) and the agent inside Deno does the rest as Node's kernel does — each cell
 * script's source map to its document and the checkpoints (worker/debug/NodeDebug.ts, asked through `setCheckpoints`).
 */
import { codaErrorObject, type CheckpointSpec, type DebugOpenResult } from '../../protocol';
import type { RuntimeDebug } from '../runtime/Runtime';
import { InspectorRelay } from './InspectorRelay';

export interface DenoDebugPorts {
  /** Deno's inspector address, while the worker's own connection to it is open. */
  inspector(): string | undefined;
  /** Asks the agent to replace a document's checkpoints. */
  setCheckpoints(uri: string, checkpoints: CheckpointSpec[]): Promise<number>;
}

export class DenoDebug implements RuntimeDebug {
  private relay: Promise<InspectorRelay> | undefined;

  constructor(private readonly ports: DenoDebugPorts) {}

  /** A debug session's socket is open: the agent runs cells without the Pending Work hooks meanwhile. */
  get attached(): boolean {
    return this.relay !== undefined;
  }

  async open(): Promise<DebugOpenResult> {
    if (!this.relay) {
      const target = this.ports.inspector();
      if (!target)
        throw codaErrorObject('DebugOpenFailed', {
          detail:
            "Deno's inspector is no longer running in this kernel (a cell closed it with inspector.close() or process._debugEnd()); restart the kernel to debug",
        });
      const opening = InspectorRelay.open(target);
      this.relay = opening;
      opening.catch(() => {
        if (this.relay === opening) this.relay = undefined;
      });
    }
    return { webSocketUrl: (await this.relay).url };
  }

  async close(): Promise<void> {
    const relay = this.relay;
    this.relay = undefined;
    (await relay?.catch(() => undefined))?.close();
  }

  setCheckpoints(uri: string, checkpoints: CheckpointSpec[]): Promise<number> {
    return this.ports.setCheckpoints(uri, checkpoints);
  }
}
