/**
 * The agent's half of the claims on a Deno cell's synchronous part (SyncClaims.ts explains them): NodeRuntime calls
 * `enter` just before a cell's code runs and `leave` just after it returned or threw.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncPartFrame } from '../../protocol/sidecar';
import type { SyncPartHooks } from '../node/NodeRuntime';

/** Longest the agent waits, in its own macrotask, for a termination the worker claimed (it is sent right after). */
export const CLAIMED_WAIT_MS = 2000;

/**
 * `ownTurn()` says whether the agent's own macrotask runs now (a MessagePort callback, which Deno survives a
 * termination in): a part started elsewhere (a timer, where a termination ends Deno) is never announced.
 */
export function agentSyncPart(dir: string, ownTurn: () => boolean, write: (frame: SyncPartFrame) => void, now = Date.now): SyncPartHooks {
  let announced: number | undefined;
  let broken = false;
  return {
    enter(executionId) {
      announced = undefined;
      if (broken || !ownTurn()) return;
      announced = executionId;
      write({ kind: 'sync', executionId });
    },
    leave(executionId) {
      if (announced !== executionId) return;
      announced = undefined;
      try {
        mkdirSync(join(dir, String(executionId)));
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EEXIST') {
          // the folder is gone or unwritable: no later part is announced, so the worker claims none
          broken = true;
          return;
        }
      }
      // the worker holds the claim and its termination is on the way: it must land here, in this macrotask
      for (const until = now() + CLAIMED_WAIT_MS; now() < until;);
    },
  };
}
