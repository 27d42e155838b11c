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
import { openSync, readSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { StringPrototypeStartsWith } from '../node/primordials';
import { cellHoldsThread, GATE_ASK_AGAIN, GATE_FREE, GATE_HOLDS, HOLD_CPU_US, HOLD_WALL_MS, INTERRUPT_GATE_NAME, interruptState, SLOT } from './interruptState';

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
const now = performance.now.bind(performance);
const resourceUsage = process.resourceUsage.bind(process);

/**
 * The kernel process's CPU time in microseconds and how many times its threads were preempted; on Linux also how many
 * times the main thread was put on a CPU, and the time. Linux updates a running thread's own CPU time (getrusage per
 * thread, its scheduler statistics) only at the scheduler's tick, 4 ms here, too coarse for this; the process's is
 * exact, but its other threads count too (the garbage collector's helpers can run while a starved main thread does
 * not): so a preemption of any of them means no proof. The main thread's count of times scheduled is exact: unchanged
 * between two looks, the thread never left its CPU, and the time between them is its own CPU time.
 */
function usage(): Usage {
  const u = resourceUsage();
  return { cpu: u.userCPUTime + u.systemCPUTime, preempted: u.involuntaryContextSwitches, scheduled: timesScheduled(), at: now() };
}

interface Usage {
  cpu: number;
  preempted: number;
  /** The main thread's count of times it was put on a CPU (Linux), else undefined. */
  scheduled: number | undefined;
  at: number;
}

/** The main thread's /proc schedstat, opened by installInterruptGate on that thread (Linux; undefined elsewhere). */
let schedstat: number | undefined;
const schedBuffer = new Uint8Array(64);

/**
 * The third figure of the main thread's schedstat (run time, wait time, times run on a CPU): read with the file held
 * open (a microsecond or two), parsed from its bytes (a cell may replace String's methods).
 */
function timesScheduled(): number | undefined {
  if (schedstat === undefined) return undefined;
  let length: number;
  try {
    length = readSync(schedstat, schedBuffer, 0, schedBuffer.length, 0);
  } catch {
    return undefined;
  }
  let field = 0;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const c = schedBuffer[i]!;
    if (c === 0x20) {
      field++;
      value = 0;
    } else if (c >= 0x30 && c <= 0x39) value = value * 10 + (c - 0x30);
    else break;
  }
  return field === 2 ? value : undefined;
}

/**
 * What the gate saw when the watchdog first told it of interrupt `n` (or when the event loop had turned since): the
 * process's usage, the time and the event loop's idle time then, and whether since then the event loop turned (an
 * immediate the gate queued ran: the thread is not held) and microtasks ran (a microtask it queued ran, as a loop of
 * awaits runs them).
 */
interface Baseline {
  n: number;
  cpu: number;
  preempted: number;
  /** The main thread's times scheduled, and the time, at the start of its current stretch (usage()). */
  scheduled: number | undefined;
  stretchAt: number;
  at: number;
  idle: number;
  turned: boolean;
  drained: boolean;
}
let baseline: Baseline | undefined;

function markBaseline(n: number): void {
  const at = now();
  const next: Baseline = { n, cpu: 0, preempted: 0, scheduled: undefined, stretchAt: at, at, idle: loopUtilization().idle, turned: false, drained: false };
  baseline = next;
  realSetImmediate(() => (next.turned = true));
  realQueueMicrotask(() => (next.drained = true));
  // last: the gate's own work is not the loop's
  restartStretch(next, usage());
}

function restartStretch(last: Baseline, from: Usage): void {
  last.cpu = from.cpu;
  last.preempted = from.preempted;
  last.scheduled = from.scheduled;
  last.stretchAt = from.at;
}

/**
 * True when, since the baseline of interrupt `n`, the event loop did not turn and HOLD_CPU_US of CPU (a stretch with
 * no preemption) or HOLD_WALL_MS passed (`asked`: the process's usage as the ask came, before the gate's own work).
 * `noFrames` (no JavaScript on the stack) asks more: the event loop did not idle since the last look and microtasks
 * ran, which tells a loop of awaits V8 drains from a thread waiting in its event loop. Without a baseline that still
 * holds (none was noted: the first word came during the kernel's own work), this look starts one (and the answer is to
 * ask again).
 */
function holdsSinceBaseline(n: number, asked: Usage, noFrames: boolean): boolean {
  const last = baseline?.n === n && !baseline.turned ? baseline : undefined;
  if (!last) {
    markBaseline(n);
    return false;
  }
  const idle = loopUtilization().idle;
  const ranAlone = asked.scheduled !== undefined && asked.scheduled === last.scheduled && (asked.at - last.stretchAt) * 1000 >= HOLD_CPU_US;
  const ran = ranAlone || (asked.cpu - last.cpu >= HOLD_CPU_US && asked.preempted === last.preempted);
  const held = (ran || now() - last.at >= HOLD_WALL_MS) && (!noFrames || (last.idle === idle && last.drained));
  last.idle = idle;
  // a preemption spoils the stretch it fell in, not the next: the CPU time is counted again from this ask
  if (asked.preempted !== last.preempted || asked.scheduled !== last.scheduled) restartStretch(last, asked);
  return held;
}

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
 * watchdog has asked in vain for a while. `first`: the watchdog's word as the interrupt comes, before it asks
 * anything: the gate notes its baseline, if a loop may hold the thread there, and answers nothing. Interrupt 0 is the
 * watchdog's warm-up: nothing is noted or answered.
 */
export function interruptGate(n: number, executionId: number, relaxed = false, first = false): boolean {
  const state = interruptState;
  const asked = usage();
  // the watchdog's warm-up (watchdog.ts warmGate): the readings an interrupt needs, run once for nothing
  if (n === 0) {
    interruptedCode(interruptGate, 1);
    return false;
  }
  // a question the watchdog stopped waiting for (the main thread was blocked in native code meanwhile)
  if (!first && load(state, SLOT.gate) !== n) return false;
  // an interrupt the main thread has taken is its own to finish: the cell it rejected may be running its catch or
  // finally (user code on the stack) while this question was on its way, and a termination there would cut the cell
  // that was stopping by itself
  const taken = load(state, SLOT.taken) >= n;
  const running = !taken && (executionId > 0 ? cellHoldsThread(state, executionId) : load(state, SLOT.kernelBusy) === 0);
  // the frame below the gate is the evaluation's own: the interrupted JavaScript starts below it. A cell that made
  // the stack unreadable is judged by the shared state alone, as before the gate existed. Between two microtasks
  // while the cell asked for runs, the thread is held by the cell's own loop of awaits (no kernel code is running).
  const where = interruptedCode(interruptGate, 1);
  // `relaxed`: the loop has not been caught in its own code for a while (it spends its time in the kernel's, as a
  // loop of console.log does), so the kernel's code it called is cut too, as a loop's own frames would be
  const cut = where === 'user' || where === undefined || (where === 'microtasks' && executionId > 0) || (where === 'called' && relaxed);
  // no frame: an idle thread (the interrupt message is on its way) or V8 draining a loop of awaits
  const noFrames = where === 'none' && executionId > 0;
  const suspect = running && (cut || noFrames);
  if (first) {
    // a baseline in the kernel's own work (say, the cell not started yet) would count that work as the loop's
    if (suspect) markBaseline(n);
    // the watchdog asks only once this is done: never in the same breath (a starved main thread can be handed both
    // at once, with nothing of the cell run between)
    store(state, SLOT.noted, n);
    notify(state, SLOT.noted);
    return false;
  }
  // either way a loop holds the thread only when CPU time it spent since the baseline proves it
  const answer = suspect ? (holdsSinceBaseline(n, asked, noFrames) ? GATE_HOLDS : GATE_ASK_AGAIN) : GATE_FREE;
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
  try {
    // this thread's own statistics (the gate runs here): Linux only, and refused under Node's permission model
    schedstat = openSync('/proc/thread-self/schedstat', 'r');
    if (timesScheduled() === undefined) schedstat = undefined;
  } catch {
    schedstat = undefined;
  }
  ReflectDefineProperty(globalThis, INTERRUPT_GATE_NAME, { value: interruptGate, writable: false, configurable: false, enumerable: false });
  store(interruptState, SLOT.gateReady, 1);
}
