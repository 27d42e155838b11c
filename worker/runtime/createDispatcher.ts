/**
 * Answers the host's requests (protocol/messages.ts HostRequests) for one runtime: init creates it, executions run
 * one after another, the rest go to the runtime. Shared by the worker process (worker/main.ts) and the sidecar
 * agent inside Deno or Bun (worker/sidecar/agentMain.ts).
 *
 * In the Node kernel and the Deno/Bun agent, cells share this code's realm: a cell may plant a `then` on
 * Object.prototype or replace Promise.prototype.then. So replies never go through a user-visible `then`: only
 * `await` (which uses the engine's own promise reactions), and every reply is made notThenable before it resolves.
 */
import { types } from 'node:util';
import { codaErrorObject, RUNTIME_LABELS, type InitParams, type InitResult, type RequestFrame } from '../../protocol';
import type { Runtime, RuntimeDebug } from './Runtime';
import { notThenable } from './settleOnce';

export interface DispatcherHooks {
  init(params: InitParams): Promise<InitResult> | InitResult;
  runtime(): Runtime | undefined;
  /** Called on `shutdown`, before the runtime is disposed: schedule the process's exit. */
  exit(): void;
}

/** Promise.prototype.then as it was before any cell ran, for callers that must attach reactions to a reply. */
export const intrinsicThen = Promise.prototype.then;

/**
 * Answers request frames. From the control pipe (the watchdog thread): `interrupt(id)` stops that execution if it
 * runs, or before it starts if its execute request is still on the way, and ignores one that already ended (a late
 * interrupt must never stop the next cell); `stopAll` stops every cell's background work.
 */
export type Dispatcher = ((frame: RequestFrame) => Promise<unknown>) & { interrupt(executionId: number): void; stopAll(): void };

/** The runtime's debugging, or DebugUnsupported naming it (Bun's says why: its inspector is not V8's). */
function debugOf(rt: Runtime): RuntimeDebug {
  if (rt.debug) return rt.debug;
  throw rt.kind === 'bun' ? codaErrorObject('DebugUnsupportedBun') : codaErrorObject('DebugUnsupported', { runtime: RUNTIME_LABELS[rt.kind] });
}

export function createDispatcher(hooks: DispatcherHooks): Dispatcher {
  let executions: Promise<void> = Promise.resolve();
  /** The execution running now, the latest one seen, and one the host interrupted before it arrived. */
  let current: number | undefined;
  let latest = 0;
  let interruptedEarly: number | undefined;
  const interrupt = (executionId: number) => {
    if (current === executionId) hooks.runtime()?.interrupt();
    // not started yet: queued here behind another execution, or its execute still on the way
    else if (executionId > latest || (executionId === latest && current !== undefined)) interruptedEarly = executionId;
  };
  // with no cell running, a runtime's interrupt stops the background work (timers) of every cell
  const stopAll = () => hooks.runtime()?.interrupt();
  const need = (): Runtime => {
    const rt = hooks.runtime();
    if (!rt) throw new Error('the kernel has not been initialised (send init first)');
    return rt;
  };
  const handle = async (frame: RequestFrame): Promise<unknown> => {
    switch (frame.method) {
      case 'init':
        if (hooks.runtime()) throw new Error('the kernel is already initialised');
        return notThenable(await hooks.init(frame.params));
      case 'execute': {
        const rt = need();
        const { executionId } = frame.params;
        latest = Math.max(latest, executionId);
        const previous = executions;
        let finished!: () => void;
        executions = new Promise<void>((resolve) => (finished = resolve));
        try {
          await previous;
          if (interruptedEarly === executionId) return notThenable({ status: 'interrupted', durationMs: 0 });
          current = executionId;
          return notThenable(await rt.execute(frame.params));
        } finally {
          if (current === executionId) current = undefined;
          finished();
        }
      }
      case 'expand':
        return notThenable(await need().expand(frame.params));
      case 'release':
        return notThenable({ released: need().release(frame.params.cellId) });
      case 'activeWork':
        return notThenable({ resources: await need().activeWork() });
      case 'exitCode': {
        const exitCode = await need().exitCode();
        return notThenable(exitCode === undefined ? {} : { exitCode });
      }
      case 'variables':
        return notThenable(await need().variables());
      case 'pendingWork':
        return notThenable(await need().pendingWork());
      case 'cancelWork':
        return notThenable({ cancelled: await need().cancelWork(frame.params.id) });
      case 'debugOpen': {
        const opened = debugOf(need()).open();
        // Node's answer is plain data, so never awaited (a cell may have planted a `then`); the Deno worker's, a promise
        return notThenable(types.isPromise(opened) ? await opened : opened);
      }
      case 'debugClose':
        await debugOf(need()).close();
        return notThenable({});
      case 'setCheckpoints':
        return notThenable({ set: await debugOf(need()).setCheckpoints(frame.params.uri, frame.params.checkpoints) });
      case 'shutdown':
        hooks.exit();
        await hooks.runtime()?.dispose();
        return notThenable({});
      default:
        throw new Error(`unknown request ${(frame as { method: string }).method}`);
    }
  };
  return Object.assign(handle, { interrupt, stopAll });
}
