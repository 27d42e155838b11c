/**
 * Answers the host's requests (protocol/messages.ts HostRequests) for one runtime: init creates it, executions run
 * one after another, the rest go to the runtime. Shared by the worker process (worker/main.ts) and the sidecar
 * agent inside Deno or Bun (worker/sidecar/agentMain.ts).
 *
 * In the Node kernel and the Deno/Bun agent, cells share this code's realm: a cell may plant a `then` on
 * Object.prototype or replace Promise.prototype.then. So replies never go through a user-visible `then`: only
 * `await` (which uses the engine's own promise reactions), and every reply is made notThenable before it resolves.
 */
import type { InitParams, InitResult, RequestFrame } from '../../protocol';
import type { Runtime } from './Runtime';
import { notThenable } from './settleOnce';

export interface DispatcherHooks {
  init(params: InitParams): Promise<InitResult> | InitResult;
  runtime(): Runtime | undefined;
  /** Called on `shutdown`, before the runtime is disposed: schedule the process's exit. */
  exit(): void;
}

/** Promise.prototype.then as it was before any cell ran, for callers that must attach reactions to a reply. */
export const intrinsicThen = Promise.prototype.then;

export function createDispatcher(hooks: DispatcherHooks): (frame: RequestFrame) => Promise<unknown> {
  let executions: Promise<void> = Promise.resolve();
  const need = (): Runtime => {
    const rt = hooks.runtime();
    if (!rt) throw new Error('the kernel has not been initialised (send init first)');
    return rt;
  };
  return async (frame) => {
    switch (frame.method) {
      case 'init':
        if (hooks.runtime()) throw new Error('the kernel is already initialised');
        return notThenable(await hooks.init(frame.params));
      case 'execute': {
        const rt = need();
        const previous = executions;
        let finished!: () => void;
        executions = new Promise<void>((resolve) => (finished = resolve));
        try {
          await previous;
          return notThenable(await rt.execute(frame.params));
        } finally {
          finished();
        }
      }
      case 'expand':
        return notThenable(await need().expand(frame.params));
      case 'release':
        return notThenable({ released: need().release(frame.params.cellId) });
      case 'activeWork':
        return notThenable({ resources: await need().activeWork() });
      case 'shutdown':
        hooks.exit();
        await hooks.runtime()?.dispose();
        return notThenable({});
      default:
        throw new Error(`unknown request ${(frame as { method: string }).method}`);
    }
  };
}
