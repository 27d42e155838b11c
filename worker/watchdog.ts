/**
 * The watchdog thread (dist/watchdog.js). It reads interrupt requests from the control pipe, which works
 * while user code blocks the main thread. It asks the main thread first. If the main thread has not taken the
 * interrupt within INTERRUPT_FAST_MS while the cell asked for is running and the kernel is not handling a message
 * (interruptState.ts), the cell holds the thread in a loop: its JavaScript is terminated through an inspector
 * session attached to the main thread. Otherwise the main thread gets INTERRUPT_GRACE_MS. The kernel survives and
 * keeps its state; the main thread takes an interrupt whose message the termination cut short when it hears of it.
 */
import { Session } from 'node:inspector';
import { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { CONTROL_END, CONTROL_FD, CONTROL_INTERRUPT, CONTROL_STOP_ALL } from '../protocol/messages';
import { cellHoldsThread, SLOT } from './runtime/interruptState';

/** How long a running cell's main thread gets to take an interrupt before a loop in it is terminated. */
export const INTERRUPT_FAST_MS = 1;
/** How long the main thread gets otherwise (it is busy with the kernel's own work, or no cell is running). */
export const INTERRUPT_GRACE_MS = 40;

const state = new Int32Array(workerData.interruptState as SharedArrayBuffer);
const session = new Session();
session.connectToMainThread();

/** An execution to interrupt, or (undefined) every cell's background work. */
function requestInterrupt(executionId: number | undefined): void {
  const n = Atomics.add(state, SLOT.requested, 1) + 1;
  parentPort!.postMessage({ type: 'interrupt', n, executionId });
  const taken = () => Atomics.load(state, SLOT.taken) >= n;
  const terminate = () => {
    if (taken()) return;
    session.post('Runtime.terminateExecution', (err) => {
      parentPort!.postMessage({ type: 'terminated', n, executionId, ok: !err, error: err ? String(err) : undefined });
    });
  };
  setTimeout(() => {
    if (taken()) return;
    if (executionId !== undefined && cellHoldsThread(state, executionId)) terminate();
    else setTimeout(terminate, INTERRUPT_GRACE_MS - INTERRUPT_FAST_MS);
  }, INTERRUPT_FAST_MS);
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
