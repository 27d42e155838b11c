/**
 * Answers the host's requests (protocol/messages.ts HostRequests) for one runtime: init creates it, executions run
 * one after another, the rest go to the runtime. Shared by the worker process (worker/main.ts) and the sidecar
 * agent inside Deno or Bun (worker/sidecar/agentMain.ts).
 */
import type { InitParams, InitResult, RequestFrame } from '../../protocol';
import type { Runtime } from './Runtime';

export interface DispatcherHooks {
  init(params: InitParams): Promise<InitResult> | InitResult;
  runtime(): Runtime | undefined;
  /** Called on `shutdown`, before the runtime is disposed: schedule the process's exit. */
  exit(): void;
}

export function createDispatcher(hooks: DispatcherHooks): (frame: RequestFrame) => Promise<unknown> {
  let executions: Promise<unknown> = Promise.resolve();
  const need = (): Runtime => {
    const rt = hooks.runtime();
    if (!rt) throw new Error('the kernel has not been initialised (send init first)');
    return rt;
  };
  return async (frame) => {
    switch (frame.method) {
      case 'init':
        if (hooks.runtime()) throw new Error('the kernel is already initialised');
        return hooks.init(frame.params);
      case 'execute': {
        const rt = need();
        const result = executions.then(() => rt.execute(frame.params));
        executions = result.catch(() => undefined);
        return result;
      }
      case 'expand':
        return need().expand(frame.params);
      case 'release':
        return { released: need().release(frame.params.cellId) };
      case 'shutdown':
        hooks.exit();
        await hooks.runtime()?.dispose();
        return {};
      default:
        throw new Error(`unknown request ${(frame as { method: string }).method}`);
    }
  };
}
