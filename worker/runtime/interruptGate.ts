/**
 * The main thread's half of a loop-stopping termination. The watchdog cannot terminate on what it read a moment
 * ago: by the time Runtime.terminateExecution lands, the main thread may have left the cell for the kernel's own
 * work (answering the very interrupt, flushing output, reading a message of the host), and a termination there
 * loses the answer and leaves the cell's timers running. So the watchdog asks the main thread itself, through
 * Runtime.evaluate, which the inspector runs on top of whatever JavaScript the main thread is running. The gate
 * answers from that exact point (is it user code, outside the kernel's own handling?) and, when the answer is yes,
 * waits until the watchdog has queued the termination, which the inspector runs before the interrupted JavaScript
 * resumes: the termination lands where the answer was given.
 */
import { dirname, sep } from 'node:path';
import { StringPrototypeStartsWith } from '../node/primordials';
import { cellHoldsThread, GATE_ASK_AGAIN, GATE_FREE, GATE_HOLDS, INTERRUPT_GATE_NAME, interruptState, SLOT } from './interruptState';

/** Longest the gate holds the main thread for the watchdog to queue a termination (it needs one message). */
export const GATE_HOLD_MS = 2000;

/**
 * The kernel's own files (the worker bundle and what it loads beside it): JavaScript there is never cut. Read when
 * first needed: the Deno agent loads this module as an ES module, where `__filename` does not exist.
 */
let kernelDir: string | undefined;

// captured before any cell can replace them
const ErrorCtor = Error;
const captureStackTrace = Error.captureStackTrace;
const ReflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
const ReflectDefineProperty = Reflect.defineProperty;
const ReflectDeleteProperty = Reflect.deleteProperty;
const { load, store, notify, wait } = Atomics;
const loopUtilization = performance.eventLoopUtilization.bind(performance);
const realSetImmediate = setImmediate;
const realQueueMicrotask = queueMicrotask;

/**
 * The interrupt the gate last found no JavaScript on the stack for: the event loop's idle time at that ask, and since
 * its first ask whether the event loop turned (an immediate the gate queued ran: the thread is not held) and whether
 * microtasks ran (a microtask it queued ran, as a loop of awaits runs them).
 */
interface NoFrames {
  n: number;
  idle: number;
  turned: boolean;
  drained: boolean;
}
let noFrames: NoFrames | undefined;

interface CallSiteLike {
  getFileName(): string | null | undefined;
  isEval(): boolean;
}

/**
 * `microtasks`: only Node's microtask runner is on the stack (between the reactions of a loop of awaits); `none`: no
 * JavaScript at all (the thread is idle, or V8 drains microtasks without a frame of Node's); `called`: the kernel's
 * code, called by user code further down (a cell's `console.log`).
 */
export type Interrupted = 'user' | 'kernel' | 'called' | 'microtasks' | 'none';

const MICROTASK_RUNNER = 'node:internal/process/task_queues';

/**
 * Who runs the JavaScript below the frame of `above` (and `skip` more) on the current stack: the first frame that is
 * neither Node's own (`node:`) nor a built-in decides; the kernel's files mean the kernel (`called` when user code is
 * further down), anything else (a cell, a module it loaded, eval'd code) the user; only Node's frames (reading a
 * message, between timers) mean the kernel, except Node's microtask runner alone (`microtasks`): between two
 * reactions, as in a loop of awaits. Undefined when the stack cannot be read (a cell made Error.prepareStackTrace or
 * stackTraceLimit unchangeable).
 */
export function interruptedCode(above: (...args: never[]) => unknown, skip = 0): Interrupted | undefined {
  const prepare = ReflectGetOwnPropertyDescriptor(ErrorCtor, 'prepareStackTrace');
  const limit = ReflectGetOwnPropertyDescriptor(ErrorCtor, 'stackTraceLimit');
  const ownDir = (kernelDir ??= dirname(__filename) + sep);
  let found: Interrupted = 'kernel';
  const reader = (_: unknown, sites: CallSiteLike[]) => {
    if (sites.length <= skip) found = 'none';
    let microtasks = sites.length > skip;
    let firstDeciding = -1;
    for (let i = skip; i < sites.length; i++) {
      const site = sites[i]!;
      const file = site.getFileName();
      // Node's own frames, and built-ins (Array.prototype.map, JSON.parse), are run for whoever called them
      if (typeof file === 'string' ? StringPrototypeStartsWith(file, 'node:') : !site.isEval()) {
        if (file !== MICROTASK_RUNNER) microtasks = false;
        if (i === sites.length - 1 && microtasks && firstDeciding < 0) found = 'microtasks';
        continue;
      }
      const kernel = typeof file === 'string' && StringPrototypeStartsWith(file, ownDir);
      if (firstDeciding < 0) {
        firstDeciding = i;
        found = kernel ? 'kernel' : 'user';
        if (!kernel) break;
      } else if (!kernel) {
        // the kernel's code runs for user code further down
        found = 'called';
        break;
      }
    }
    return '';
  };
  const set = (name: string, value: unknown) => ReflectDefineProperty(ErrorCtor, name, { value, writable: true, configurable: true, enumerable: false });
  if (!set('prepareStackTrace', reader) || !set('stackTraceLimit', Infinity)) return undefined;
  try {
    const holder: { stack?: unknown } = {};
    captureStackTrace(holder, above);
    void holder.stack;
    return found;
  } finally {
    if (prepare) ReflectDefineProperty(ErrorCtor, 'prepareStackTrace', prepare);
    else ReflectDeleteProperty(ErrorCtor, 'prepareStackTrace');
    if (limit) ReflectDefineProperty(ErrorCtor, 'stackTraceLimit', limit);
  }
}

/**
 * The gate, called by the watchdog's Runtime.evaluate with interrupt `n` and the execution that must be running
 * (0: any user code holding the thread will do, such as a timer callback of a cell that ended); `relaxed` after the
 * watchdog has asked in vain for a while.
 */
export function interruptGate(n: number, executionId: number, relaxed = false): boolean {
  const state = interruptState;
  // a question the watchdog stopped waiting for (the main thread was blocked in native code meanwhile)
  if (load(state, SLOT.gate) !== n) return false;
  const running = executionId > 0 ? cellHoldsThread(state, executionId) : load(state, SLOT.kernelBusy) === 0;
  // the frame below the gate is the evaluation's own: the interrupted JavaScript starts below it. A cell that made
  // the stack unreadable is judged by the shared state alone, as before the gate existed. Between two microtasks
  // while the cell asked for runs, the thread is held by the cell's own loop of awaits (no kernel code is running).
  const where = interruptedCode(interruptGate, 1);
  // `relaxed`: the loop has not been caught in its own code for a while (it spends its time in the kernel's, as a
  // loop of console.log does), so the kernel's code it called is cut too, as a loop's own frames would be
  const cut = where === 'user' || where === undefined || (where === 'microtasks' && executionId > 0) || (where === 'called' && relaxed);
  let answer = running && cut ? GATE_HOLDS : GATE_FREE;
  if (running && where === 'none' && executionId > 0) {
    // no frame: an idle thread (the interrupt message is on its way) or V8 draining a loop of awaits. Asked twice:
    // a loop holds the thread when, in between, the event loop neither idled nor turned and microtasks ran. The
    // idle time alone misreads a busy machine: it does not grow while immediates are due (a loop of setImmediate
    // turns without idling), and a main thread given no CPU can answer two asks in one wake-up
    const idle = loopUtilization().idle;
    const asked = noFrames?.n === n ? noFrames : undefined;
    answer = asked && asked.idle === idle && !asked.turned && asked.drained ? GATE_HOLDS : GATE_ASK_AGAIN;
    if (asked) asked.idle = idle;
    else {
      const first: NoFrames = { n, idle, turned: false, drained: false };
      noFrames = first;
      realSetImmediate(() => (first.turned = true));
      realQueueMicrotask(() => (first.drained = true));
    }
  }
  const holds = answer === GATE_HOLDS;
  store(state, SLOT.gateAnswer, answer);
  notify(state, SLOT.gateAnswer);
  if (!holds) return false;
  // the watchdog queues Runtime.terminateExecution, then clears the gate: the inspector runs it right after this
  wait(state, SLOT.gate, n, GATE_HOLD_MS);
  return true;
}

/** Installs the gate on the main thread of a runtime that runs cells there (Node). */
export function installInterruptGate(): void {
  if (load(interruptState, SLOT.gateReady) === 1) return;
  ReflectDefineProperty(globalThis, INTERRUPT_GATE_NAME, { value: interruptGate, writable: false, configurable: false, enumerable: false });
  store(interruptState, SLOT.gateReady, 1);
}
