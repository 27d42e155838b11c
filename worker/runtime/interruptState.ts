/**
 * What the watchdog thread may know of the main thread without asking it, in one shared Int32Array: how many
 * interrupts were asked for and taken, which execution is inside its interruptible span, and whether the kernel is
 * answering a request of the host. With that, an interrupt of a cell stuck in a loop terminates it at once instead of
 * waiting for an answer that cannot come, and the kernel's own request handling is never terminated.
 */

export const SLOT = {
  /** Interrupts the watchdog has asked the main thread for. */
  requested: 0,
  /** Interrupts the main thread has taken. */
  taken: 1,
  /** The execution between its first line and its settlement (0: none). */
  executing: 2,
  /** Depth of the kernel's own handling of a message (a request of the host, a message of the watchdog). */
  kernelBusy: 3,
  /** The interrupt whose termination the watchdog is asking the main thread about (interruptGate.ts; 0: none). */
  gate: 4,
  /** The main thread's answer at that moment (GATE_HOLDS, GATE_FREE, GATE_ASK_AGAIN; 0: no answer yet). */
  gateAnswer: 5,
  /** 1 once the main thread has installed the gate (only the Node runtime runs cells on it). */
  gateReady: 6,
  /** The last interrupt whose first word the gate has heard (its baseline noted, interruptGate.ts). */
  noted: 7,
} as const;

/**
 * The global the watchdog's Runtime.evaluate calls by name (interruptGate.ts): non-writable and non-configurable,
 * so a cell can neither replace it nor declare a binding of that name that would shadow it.
 */
export const INTERRUPT_GATE_NAME = '__codaInterruptGate__';

/** The gate's answers in SLOT.gateAnswer; ASK_AGAIN: a loop may hold the thread, not yet proven (interruptGate.ts holdsSinceBaseline): ask once more. */
export const GATE_HOLDS = 1;
export const GATE_FREE = -1;
export const GATE_ASK_AGAIN = -2;

/**
 * What must pass between the watchdog's first word about an interrupt and an ask of the gate, the event loop not
 * turning and the interrupt not taken, before the gate says a loop holds the thread: HOLD_CPU_US of the kernel
 * process's CPU time with none of its threads preempted, or HOLD_WALL_MS of time (a loop blocked in native calls,
 * such as execSync, spends little CPU; a busy machine keeps preempting a loop). One look sees only a moment: a cell
 * that gives the thread back may be caught in its own code (its first line, a timer callback, the reaction an await
 * resumes) a few microseconds before it would take the interrupt; and on a busy machine a main thread given no CPU
 * since then proves nothing, so the evidence is CPU time spent, not time passed. On Linux the main thread's own count
 * of times it was put on a CPU proves it more precisely (interruptGate.ts): unchanged, the thread ran the whole time
 * between two looks, so HOLD_CPU_US of time passed is that much of its CPU time, whatever the kernel's other threads
 * did meanwhile (the watchdog's own wake-ups, the garbage collector's helpers: their preemptions spoiled about one
 * process-wide stretch in six on a two-core machine).
 */
export const HOLD_CPU_US = 300;
export const HOLD_WALL_MS = 250;

// captured when the worker loads: a cell may replace Atomics' methods, and these run on its thread
const { add, compareExchange, load, store, sub } = Atomics;

export const interruptState = new Int32Array(new SharedArrayBuffer(4 * Object.keys(SLOT).length));

/** Execution ids past the 32-bit range share one value; the watchdog then waits for the main thread's answer. */
const slotId = (executionId: number) => (executionId > 0 && executionId < 0x7fffffff ? executionId : -1);

export function enterExecution(executionId: number): void {
  store(interruptState, SLOT.executing, slotId(executionId));
}

export function leaveExecution(executionId: number): void {
  compareExchange(interruptState, SLOT.executing, slotId(executionId), 0);
}

/** Runs the kernel's own handling of a message; a loop-stopping termination waits until it is done. */
export function asKernel<T>(handle: () => T): T {
  add(interruptState, SLOT.kernelBusy, 1);
  try {
    return handle();
  } finally {
    sub(interruptState, SLOT.kernelBusy, 1);
  }
}

/** True when `executionId` is running and the kernel is not handling a message: what blocks the main thread is the cell. */
export function cellHoldsThread(state: Int32Array, executionId: number): boolean {
  return load(state, SLOT.executing) === slotId(executionId) && slotId(executionId) > 0 && load(state, SLOT.kernelBusy) === 0;
}
