/**
 * The worker process (dist/worker-main.js, which dist/worker.js loads through its code cache: ./entry.ts): answers the
 * host's requests (protocol/messages.ts) over IPC and sends events, all through one send(). Interrupts arrive through
 * the watchdog thread (./watchdog.ts) where cells run in this process, else on the main thread (controlPipe.ts).
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  CONTROL_FD,
  PROTOCOL_VERSION,
  RUNTIMES,
  toSerializedError,
  type CodeCacheStatus,
  type HostFrame,
  type InitParams,
  type WorkerFrame,
} from '../protocol';
import { ignoreDebugSignal } from './node/debuggerGuard';
import type { Runtime, RuntimeHost } from './runtime/Runtime';
import { createDispatcher, intrinsicThen } from './runtime/createDispatcher';
import { asKernel, interruptState, SLOT } from './runtime/interruptState';
import { runtimeFactory } from './runtime/runtimes';
import { withoutToJSON } from './runtime/withoutToJSON';
import { warmUp as runWarmUp } from './warmUp';
import { randomUUID } from './runtime/randomUUID';
import { readControlPipe } from './runtime/controlPipe';
import { ignoreTerminalInterrupt } from './runtime/ignoreTerminalInterrupt';
import { getBuiltin } from './runtime/getBuiltin';

// first: a SIGUSR1 from anywhere must never open a debugger port (Node 20 has no --disable-sigusr1)
ignoreDebugSignal();
// a Ctrl-C meant for `coda run` reaches this process too: the runner interrupts through the control pipe
ignoreTerminalInterrupt();

// captured before user code can shadow or replace them
const proc = process;
const realExit = process.exit.bind(process);
const realSetTimeout = setTimeout;
const realKill = process.kill.bind(process);
type ExitHook = { reallyExit: (code: number) => void };
const realReallyExit = (process as unknown as ExitHook).reallyExit;
// a cell may redefine process.pid (a mocking library): the exit must end this process and no other
const pid = process.pid;
// Node >= 22.10: writes what Node's compile cache gathered (the packages cells loaded), which Node does at its exit
const flushCompileCache = (getBuiltin('node:module') as { flushCompileCache?: () => void }).flushCompileCache;

function send(frame: WorkerFrame, sent?: () => void): void {
  // Node serialises the frame synchronously, here: a toJSON a cell planted must not reshape it
  if (proc.connected) withoutToJSON(frame, () => proc.send!(frame, undefined, undefined, sent));
  else sent?.();
}

const host: RuntimeHost = {
  emit: (event, body) => send({ kind: 'event', event, body } as WorkerFrame),
};
const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => host.emit('log', { level, message });

let runtime: Runtime | undefined;

/** The latest a `shutdown` request ends the process, its reply written or not (a runtime slow to dispose is not waited for). */
const SHUTDOWN_FALLBACK_MS = 10;

let watchdog: Worker | undefined;

/** Takes interrupt `n` once, whichever message about it comes first (a termination may cut the first one short). */
function takeInterrupt(n: number, executionId: number | undefined): void {
  if (Atomics.load(interruptState, SLOT.taken) >= n) return;
  Atomics.store(interruptState, SLOT.taken, n);
  // the watchdog may be waiting to see it taken (watchdog.ts takenWithin)
  Atomics.notify(interruptState, SLOT.taken);
  if (executionId === undefined) handle.stopAll();
  else handle.interrupt(executionId);
}

function startWatchdog(): void {
  watchdog = new Worker(join(__dirname, 'watchdog.js'), { workerData: { interruptState: interruptState.buffer } });
  watchdog.unref();
  watchdog.on('message', (m: { type: string; n?: number; executionId?: number; ok?: boolean; message?: string; error?: string }) =>
    asKernel(() => {
      if (m.type === 'interrupt') takeInterrupt(m.n!, m.executionId);
      else if (m.type === 'terminated') {
        log(m.ok ? 'info' : 'warn', m.ok ? 'terminated a blocking cell' : `terminate failed: ${m.error}`);
        takeInterrupt(m.n!, m.executionId);
      } else if (m.type === 'log') log('warn', m.message!);
    }),
  );
  watchdog.on('error', (err) => log('error', `watchdog thread failed: ${err.message}`));
}

/** Deno and Bun run cells in their own process, so this thread is never blocked by one: it reads interrupts itself. */
function readInterrupts(): void {
  try {
    readControlPipe({
      interrupt: (executionId) => asKernel(() => takeInterrupt(Atomics.add(interruptState, SLOT.requested, 1) + 1, executionId)),
      error: (message) => log('warn', message),
    }).unref();
  } catch (err) {
    log('warn', `no control pipe on fd ${CONTROL_FD} (interrupts disabled): ${String(err)}`);
  }
}

/**
 * Exits now. Node's own exit waits for the watchdog thread: one still starting (a Worker takes 20–30 ms to come
 * online) cannot be stopped before its start ends (8–15 ms at the end of a one-cell `coda run`, and in every restart
 * soon after a start), and one running holds an inspector session on this thread, which Node's exit waits to see
 * disconnect ("Waiting for the debugger to disconnect...": a kernel's stop took 12.7 ms on Node 20 and 22.3 ms on
 * Node 24 where the same stop with the thread still starting took 7.0 and 10.7, medians of 7). So with a watchdog the
 * exit runs as process.exit runs ('exit' listeners, a cell's too, with the code), writes Node's compile cache as
 * Node's exit would, and ends the process itself instead of Node's teardown (Node's own `process.reallyExit`, which
 * process.exit calls last, is the hook signal-exit uses too).
 */
function exitNow(): void {
  if (watchdog) {
    try {
      (proc as unknown as ExitHook).reallyExit = endAtOnce;
    } catch {
      // a cell made it read-only: Node's own exit, which waits for the thread
    }
  }
  realExit(0);
}

/** process.reallyExit once a watchdog was started: the compile cache written, then the process killed. */
function endAtOnce(code: number): void {
  try {
    // what Node's exit would write of its compile cache (Node 24 writes most entries as it compiles)
    flushCompileCache?.();
  } catch {
    // unwritable: the next kernel compiles those files again
  }
  // written at once unless the channel is backed up; lost with the process then, and the host waits for its exit
  send({ kind: 'event', event: 'final', body: {} });
  try {
    realKill(pid, 'SIGKILL');
  } catch {
    // a cell broke the kill: Node's own exit below
  }
  Reflect.apply(realReallyExit, proc, [code]);
}

/** After `shutdown`: the process exits as soon as its reply is written (the host waits for the exit), else soon anyway. */
let shutdownRequested = false;
const handle = createDispatcher({
  init,
  runtime: () => runtime,
  exit: () => {
    shutdownRequested = true;
    realSetTimeout(exitNow, SHUTDOWN_FALLBACK_MS);
  },
});

async function init(params: InitParams) {
  runtime = await runtimeFactory(params.runtime)(params, host);
  // after the reply: the thread only matters once a cell runs, and its start-up competes for the CPU
  if (RUNTIMES[runtime.kind].cellsInWorker) setImmediate(startWatchdog);
  else readInterrupts();
  return {
    protocolVersion: PROTOCOL_VERSION,
    kernelId: (runtime as { kernelId?: string }).kernelId ?? params.kernelId ?? randomUUID(),
    runtime: runtime.kind,
    runtimeVersion: runtime.version,
    pid: proc.pid,
    // set by the entry that loaded this bundle (./entry.ts); absent when it was loaded otherwise
    codeCache: (module as { codeCache?: CodeCacheStatus }).codeCache,
  };
}

proc.on('message', (frame: HostFrame) => {
  if (!frame || frame.kind !== 'request') return;
  // never through a `then` a cell may have replaced (see createDispatcher)
  asKernel(() =>
    Reflect.apply(intrinsicThen, handle(frame), [
      (result) => send({ kind: 'response', id: frame.id, ok: true, result }, frame.method === 'shutdown' && shutdownRequested ? exitNow : undefined),
      (err: unknown) => send({ kind: 'response', id: frame.id, ok: false, error: toSerializedError(err) }),
    ]),
  );
});
// the host is gone: never outlive it
proc.on('disconnect', exitNow);

/** For the code-cache build (./entry.ts): runs the warm-up cells in this process, which runs no notebook. */
export function warmUp(): Promise<void> {
  return runWarmUp(handle);
}
