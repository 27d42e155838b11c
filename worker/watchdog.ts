/**
 * The watchdog thread (dist/watchdog.js). It reads interrupt requests from the control pipe, which works
 * while user code blocks the main thread. It asks the main thread first. If the main thread has not taken the
 * interrupt within INTERRUPT_FAST_MS while the cell asked for is running and the kernel is not handling a message
 * (interruptState.ts), the cell may hold the thread in a loop; otherwise the main thread gets INTERRUPT_GRACE_MS.
 * Either way a termination is decided by the main thread itself at the point it is running (interruptGate.ts), so
 * it only ever cuts a cell's JavaScript, never the kernel's own work. The kernel survives and keeps its state; the
 * main thread takes an interrupt whose message the termination cut short when it hears of it.
 */
import { Session } from 'node:inspector';
import { parentPort, workerData } from 'node:worker_threads';
import { CONTROL_FD } from '../protocol/messages';
import { readControlPipe } from './runtime/controlPipe';
import { cellHoldsThread, GATE_ASK_AGAIN, GATE_HOLDS, HOLD_WALL_MS, INTERRUPT_GATE_NAME, SLOT } from './runtime/interruptState';

/**
 * How long a running cell's main thread gets to take an interrupt itself before the gate is asked whether a loop holds
 * it (and between two asks while a loop is not yet proven to hold it). Waited for exactly, not with a timer (which Node
 * rounds up to the next millisecond and more), and cut short when the main thread takes the interrupt.
 */
export const INTERRUPT_FAST_MS = 0.25;
/** How long the main thread gets otherwise (it is busy with the kernel's own work, or no cell is running). */
export const INTERRUPT_GRACE_MS = 40;
/** How often a watchdog waiting for the gate's answer looks whether the main thread took the interrupt meanwhile. */
const GATE_POLL_MS = 20;
/** After the grace, how often the main thread is asked again (a loop that spends time in the kernel's code). */
const GATE_RETRY_MS = 10;
/**
 * How long the fast path keeps asking, INTERRUPT_FAST_MS apart, a main thread whose answer is to ask again: a loop
 * holds it, not yet proven (a preemption of the main thread spoils a stretch, and a busy machine preempts often). Past
 * HOLD_WALL_MS the gate takes time passed as proof, so the asks end in a termination or a turn of the event loop.
 */
const FAST_BUDGET_MS = HOLD_WALL_MS + 50;
/**
 * How many "no" answers the fast path takes from a gate that found the kernel's code while the cell asked for runs
 * and the kernel handles no message, before the grace: a loop of awaits calls the kernel's code each turn, and one
 * such answer sent its interrupt to the grace's slower asks, which judge any cell and so never suspect a loop of
 * awaits (it showed none of its frames): it took a quarter of a second.
 */
const FAST_FREE_ANSWERS = 8;
/** How often a watchdog that has not warmed the gate yet looks whether the main thread is idle (warmGate). */
const WARM_POLL_MS = 100;
/** How many looks a watchdog waits for the gate to be installed: a runtime that runs no cell on the main thread has none. */
const WARM_GATE_LOOKS = 50;
/**
 * After the grace, how many times the main thread is asked to be caught in user code itself; later, the kernel's code
 * a cell called (its console) may be cut too (interruptGate.ts `relaxed`).
 */
const STRICT_ASKS = 3;

const state = new Int32Array(workerData.interruptState as SharedArrayBuffer);
// read as the thread starts: a worker thread loads `performance` on its first use, which was the first interrupt's
const now = performance.now.bind(performance);
const session = new Session();
session.connectToMainThread();

/**
 * Asks the main thread, where it is now, whether user code holds it (while `executionId` runs, or, with `anyCell`,
 * whatever runs); when it does, queues the termination while the gate keeps the main thread there, so it lands in
 * that code. Without the gate (the runtime runs no cell on the main thread) it decides from the shared state alone.
 */
function terminateIfCellHolds(n: number, executionId: number | undefined, anyCell: boolean, taken: () => boolean, relaxed = false): Verdict {
  const asked = anyCell ? 0 : (executionId ?? 0);
  if (Atomics.load(state, SLOT.gateReady) !== 1) {
    if (asked > 0 && !cellHoldsThread(state, asked)) return 'free';
    postTerminate(n, executionId);
    return 'terminated';
  }
  // the kernel is answering a message: nothing to ask
  if (Atomics.load(state, SLOT.kernelBusy) !== 0) return 'free';
  Atomics.store(state, SLOT.gateAnswer, 0);
  Atomics.store(state, SLOT.gate, n);
  session.post('Runtime.evaluate', { expression: `${INTERRUPT_GATE_NAME}(${n}, ${asked}, ${relaxed})`, silent: true }, () => undefined);
  // the answer comes from the main thread's next JavaScript step; blocked in native code, it comes when that returns
  while (Atomics.wait(state, SLOT.gateAnswer, 0, GATE_POLL_MS) === 'timed-out') {
    if (taken()) {
      Atomics.store(state, SLOT.gate, 0);
      return 'free';
    }
  }
  const answer = Atomics.load(state, SLOT.gateAnswer);
  if (answer === GATE_HOLDS) postTerminate(n, executionId);
  Atomics.store(state, SLOT.gate, 0);
  Atomics.notify(state, SLOT.gate);
  return answer === GATE_HOLDS ? 'terminated' : answer === GATE_ASK_AGAIN ? 'again' : 'free';
}

type Verdict = 'terminated' | 'free' | 'again';

function postTerminate(n: number, executionId: number | undefined): void {
  session.post('Runtime.terminateExecution', (err) => {
    parentPort!.postMessage({ type: 'terminated', n, executionId, ok: !err, error: err ? String(err) : undefined });
  });
}

/**
 * Waits up to `ms` for the main thread to take interrupt `n` (it notifies SLOT.taken when it does); true when it did.
 * A timer would round `ms` up to the event loop's next millisecond and more: this thread has nothing else to do.
 */
function takenWithin(n: number, ms: number): boolean {
  const deadline = now() + ms;
  for (;;) {
    const seen = Atomics.load(state, SLOT.taken);
    if (seen >= n) return true;
    const left = deadline - now();
    if (left <= 0) return false;
    Atomics.wait(state, SLOT.taken, seen, left);
  }
}

/** An execution to interrupt, or (undefined) every cell's background work. */
function requestInterrupt(executionId: number | undefined): void {
  const n = Atomics.add(state, SLOT.requested, 1) + 1;
  parentPort!.postMessage({ type: 'interrupt', n, executionId });
  const taken = () => Atomics.load(state, SLOT.taken) >= n;
  // a later interrupt asks on its own: this one stops asking
  const current = () => !taken() && Atomics.load(state, SLOT.requested) === n;
  const retry = (asked = 0) => {
    if (current() && terminateIfCellHolds(n, executionId, true, taken, asked >= STRICT_ASKS) !== 'terminated')
      setTimeout(() => retry(asked + 1), GATE_RETRY_MS);
  };
  const fast = () => {
    const until = now() + FAST_BUDGET_MS;
    let freeAnswers = 0;
    for (;;) {
      if (!current()) return;
      const holds = executionId !== undefined && cellHoldsThread(state, executionId);
      const verdict = holds ? terminateIfCellHolds(n, executionId, false, taken) : 'free';
      if (verdict === 'terminated') return;
      // not yet proven (no JavaScript on the stack, or too little CPU time spent since the baseline): asked again
      // shortly; caught in the kernel's code while the cell runs (a check a loop of awaits calls each turn), a few times
      const again = verdict === 'again' || (holds && verdict === 'free' && ++freeAnswers <= FAST_FREE_ANSWERS);
      if (!again || now() >= until) break;
      if (takenWithin(n, INTERRUPT_FAST_MS)) return;
    }
    // the kernel's own work, or other user code: the main thread gets longer, then any user code holding it is cut
    setTimeout(() => retry(), INTERRUPT_GRACE_MS - INTERRUPT_FAST_MS);
  };
  if (heardFirst(n, executionId, current) && !takenWithin(n, INTERRUPT_FAST_MS)) fast();
}

/**
 * Tells the gate of interrupt `n` before anything is asked, and waits until it has heard (as long as the interrupt is
 * current): the gate notes its baseline there, and a later ask cuts only after CPU time spent since, the event loop
 * not turning (interruptGate.ts). Asks come INTERRUPT_FAST_MS after that at the soonest: never in the same breath (a
 * starved main thread would be handed both at once, with nothing of the cell run between them). False when the
 * interrupt stopped being current meanwhile.
 */
function heardFirst(n: number, executionId: number | undefined, current: () => boolean): boolean {
  if (Atomics.load(state, SLOT.gateReady) !== 1) return true;
  session.post('Runtime.evaluate', { expression: `${INTERRUPT_GATE_NAME}(${n}, ${executionId ?? 0}, false, true)`, silent: true }, () => undefined);
  for (let seen; (seen = Atomics.load(state, SLOT.noted)) < n;) {
    if (!current()) return false;
    Atomics.wait(state, SLOT.noted, seen, GATE_POLL_MS);
  }
  return true;
}

/**
 * Runs the gate once, with nothing asked (interrupt 0), as soon as the main thread is idle with no interrupt asked for
 * yet: the inspector's first evaluation on the main thread, the gate and its reading of the stack are compiled then,
 * not as the first interrupt comes (that made a kernel's first interrupt slow, and its asks late enough to miss the
 * fast path). Never while a cell or the kernel's own work runs: the evaluation would take its time.
 */
function warmGate(looks = 0): void {
  const installed = Atomics.load(state, SLOT.gateReady) === 1;
  if (Atomics.load(state, SLOT.requested) !== 0 || (!installed && looks >= WARM_GATE_LOOKS)) return;
  const idle = installed && Atomics.load(state, SLOT.executing) === 0 && Atomics.load(state, SLOT.kernelBusy) === 0;
  if (idle) session.post('Runtime.evaluate', { expression: `${INTERRUPT_GATE_NAME}(0, 0)`, silent: true }, () => undefined);
  else setTimeout(() => warmGate(looks + 1), WARM_POLL_MS);
}

try {
  readControlPipe({ interrupt: requestInterrupt, error: (message) => parentPort!.postMessage({ type: 'log', message }) });
  parentPort!.postMessage({ type: 'ready' });
  warmGate();
} catch (err) {
  parentPort!.postMessage({ type: 'log', message: `no control pipe on fd ${CONTROL_FD} (interrupts of blocking code disabled): ${String(err)}` });
  parentPort!.postMessage({ type: 'ready' });
}
