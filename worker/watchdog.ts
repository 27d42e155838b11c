/**
 * The watchdog thread (dist/watchdog.js). It reads interrupt requests from the control pipe, which works
 * while user code blocks the main thread. It asks the main thread first; if the main thread has not
 * acknowledged within INTERRUPT_GRACE_MS (a synchronous loop), it terminates the running JavaScript through
 * an inspector session attached to the main thread. The kernel survives and keeps its state.
 */
import { Session } from 'node:inspector';
import { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { CONTROL_END, CONTROL_FD, CONTROL_INTERRUPT, CONTROL_STOP_ALL } from '../protocol/messages';

/** How long the main thread gets to take an interrupt itself before its JavaScript is terminated. */
export const INTERRUPT_GRACE_MS = 40;

/** [0] = interrupts requested, [1] = interrupts the main thread has taken. */
const counters = new Int32Array(workerData.counters as SharedArrayBuffer);
const session = new Session();
session.connectToMainThread();

/** An execution to interrupt, or (undefined) every cell's background work. */
function requestInterrupt(executionId: number | undefined): void {
  const n = Atomics.add(counters, 0, 1) + 1;
  parentPort!.postMessage({ type: 'interrupt', n, executionId });
  setTimeout(() => {
    if (Atomics.load(counters, 1) >= n) return;
    session.post('Runtime.terminateExecution', (err) => {
      parentPort!.postMessage({ type: 'terminated', ok: !err, error: err ? String(err) : undefined });
    });
  }, INTERRUPT_GRACE_MS);
}

try {
  const pipe = new Socket({ fd: CONTROL_FD, readable: true, writable: false });
  let id: string | undefined;
  pipe.on('data', (chunk: Buffer) => {
    for (const ch of chunk.toString('latin1')) {
      if (ch === CONTROL_INTERRUPT) id = '';
      else if (ch === CONTROL_STOP_ALL) requestInterrupt(undefined);
      else if (id !== undefined && ch === CONTROL_END) {
        if (id) requestInterrupt(Number(id));
        id = undefined;
      } else if (id !== undefined && ch >= '0' && ch <= '9' && id.length < 16) id += ch;
      else id = undefined;
    }
  });
  pipe.on('error', (err) => parentPort!.postMessage({ type: 'log', message: `control pipe error: ${err.message}` }));
  parentPort!.postMessage({ type: 'ready' });
} catch (err) {
  parentPort!.postMessage({ type: 'log', message: `no control pipe on fd ${CONTROL_FD} (interrupts of blocking code disabled): ${String(err)}` });
  parentPort!.postMessage({ type: 'ready' });
}
