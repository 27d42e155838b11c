/**
 * Who ends a Deno cell's synchronous part: the agent, which ran it to its end, or the worker, whose interrupt
 * terminates it. A termination Deno's inspector runs lands wherever Deno's JavaScript is by then: in the cell's own
 * macrotask it cuts only the cell; after it (the agent's input loop, a timer callback) it can end the kernel. Asking
 * Deno where it is costs an inspector round trip (1–3 ms) and is stale by the time the termination lands. So each
 * side claims a cell's synchronous part by creating the same folder, which only one of them can (mkdir is atomic):
 * - the agent announces the part as it starts (SyncPartFrame, written inside its own macrotask), and claims it as the
 *   part ends, before it leaves that macrotask; when the worker holds the claim, a termination is on its way, and the
 *   agent waits for it there (agentSyncPart.ts), so it lands in that macrotask too;
 * - the worker claims an announced part for an interrupt, and terminates at once when it got the claim; when the
 *   agent got it, the cell is past its synchronous part and the inspector is asked instead (SidecarRuntime).
 * Only for Deno kernels without declared permissions (--allow-all): a declaration would need a write grant here.
 */
import { mkdirSync, mkdtempSync, rmdir, rmSync } from 'node:fs';
import type os from 'node:os';
import { join } from 'node:path';
import { getBuiltin } from '../runtime/getBuiltin';

export type Claim = 'claimed' | 'ended' | 'unannounced';

export class SyncClaims {
  /** The execution whose synchronous part the agent announced last. */
  private announced: number | undefined;

  private constructor(readonly dir: string) {}

  /** Undefined when no private folder can be made (the inspector's round trip then serves every interrupt). */
  static create(): SyncClaims | undefined {
    try {
      return new SyncClaims(mkdtempSync(join((getBuiltin('node:os') as typeof os).tmpdir(), 'coda-claims-')));
    } catch {
      return undefined;
    }
  }

  /** The agent started execution `executionId`'s synchronous part. */
  started(executionId: number): void {
    this.announced = executionId;
  }

  /**
   * 'claimed': this worker now holds execution `executionId`'s synchronous part, and a termination sent now lands in
   * it. 'ended': the agent claimed it first, as the part ended. 'unannounced': the part has not started (or its
   * announcement is still on its way), or nobody can say (the folder is gone).
   */
  claim(executionId: number): Claim {
    if (this.announced !== executionId) return 'unannounced';
    try {
      mkdirSync(join(this.dir, String(executionId)));
      return 'claimed';
    } catch (err) {
      return (err as { code?: string }).code === 'EEXIST' ? 'ended' : 'unannounced';
    }
  }

  /** Execution `executionId` ended: its claim is no longer read. */
  settled(executionId: number): void {
    if (this.announced === executionId) this.announced = undefined;
    rmdir(join(this.dir, String(executionId)), () => undefined);
  }

  dispose(): void {
    this.announced = undefined;
    try {
      // the agent may still make a claim's folder while this one goes (it is stopped after): a removal that meets one
      // made after it listed the folder (ENOTEMPTY) tries again, instead of leaving the folder behind
      rmSync(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 10 });
    } catch {
      // already gone, or held open on Windows: a small empty folder left in the temporary folder
    }
  }
}
