import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { interruptedCode, interruptGate } from '../../../worker/runtime/interruptGate';
import {
  asKernel,
  enterExecution,
  GATE_ASK_AGAIN,
  GATE_HOLDS,
  HOLD_CPU_US,
  HOLD_WALL_MS,
  interruptState,
  leaveExecution,
  SLOT,
} from '../../../worker/runtime/interruptState';

/** What the gate reads where a loop-stopping termination would land: below `probe`, as the evaluation's frame is. */
describe('interrupt gate: who runs the interrupted JavaScript', () => {
  it('a function of user code (a cell, a module) is the user', () => {
    function probe() {
      return interruptedCode(probe);
    }
    assert.equal(probe(), 'user');
  });

  it("the kernel's own files are the kernel's; called by user code further down they are `called`", async () => {
    function probe() {
      return interruptedCode(probe);
    }
    // asKernel's frame (the kernel's file) is below probe; this test's function is below that
    assert.equal(
      asKernel(() => asKernel(probe)),
      'called',
    );
    // the kernel's file with only Node's frames below it (a timer calls asKernel itself): its own work
    let seen: string | undefined;
    function ownWork() {
      seen = interruptedCode(ownWork);
    }
    await new Promise((resolve) => {
      setImmediate(asKernel, ownWork);
      setImmediate(resolve);
    });
    assert.equal(seen, 'kernel');
  });

  it('built-ins and Node frames are skipped: what called them decides', () => {
    function probe() {
      return interruptedCode(probe);
    }
    assert.equal([1].map(probe)[0], 'user');
    assert.equal(JSON.parse('[1]', (k, v: unknown) => (k === '0' ? probe() : v))[0], 'user');
  });

  it("only Node's frames (between callbacks, reading a message) are the kernel; its microtask runner alone is told apart", async () => {
    const betweenTimers = await new Promise<string | undefined>((resolve) =>
      setImmediate(function probe() {
        resolve(interruptedCode(probe));
      }),
    );
    assert.equal(betweenTimers, 'kernel');
    const betweenTicks = await new Promise<string | undefined>((resolve) =>
      process.nextTick(function probe() {
        resolve(interruptedCode(probe));
      }),
    );
    assert.equal(betweenTicks, 'microtasks');
  });

  it('no JavaScript below the evaluation at all is `none`', () => {
    function probe() {
      // skip every frame there is: what is left is nothing
      return interruptedCode(probe, 1000);
    }
    assert.equal(probe(), 'none');
  });

  it('eval and new Function code is the user', () => {
    const viaFunction = new Function('ic', 'return (function probe() { return ic(probe) })()') as (ic: typeof interruptedCode) => string;
    assert.equal(viaFunction(interruptedCode), 'user');
    const viaEval = (0, eval)('(ic) => (function probe() { return ic(probe) })()') as (ic: typeof interruptedCode) => string;
    assert.equal(viaEval(interruptedCode), 'user');
  });

  it("a cell's Error.prepareStackTrace is put back, and the reading ignores it", () => {
    const mine = () => 'mine';
    const before = Error.stackTraceLimit;
    Error.prepareStackTrace = mine;
    try {
      function probe() {
        return interruptedCode(probe);
      }
      assert.equal(probe(), 'user');
      assert.equal(Error.prepareStackTrace, mine);
      assert.equal(Error.stackTraceLimit, before);
    } finally {
      delete (Error as { prepareStackTrace?: unknown }).prepareStackTrace;
    }
    assert.equal(Error.prepareStackTrace, undefined);
  });

  it('a stack a cell made unreadable is said to be unknown (the watchdog then goes by the shared state)', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `const { interruptedCode } = require(${JSON.stringify(require.resolve('../../../worker/runtime/interruptGate'))});
         Object.defineProperty(Error, 'prepareStackTrace', { value: () => 'cell', writable: false, configurable: false });
         function probe() { return interruptedCode(probe) }
         process.stdout.write(String(probe()));`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(out, 'undefined');
  });
});

/**
 * Calls `attempt` until it returns true: a loop holding the thread is proven once it ran HOLD_CPU_US unpreempted, or
 * at the latest after HOLD_WALL_MS, so a busy machine that preempts this test's thread makes it ask again, as the
 * watchdog does. False when it never held.
 */
function untilHeld(attempt: () => boolean): boolean {
  for (const deadline = Date.now() + 4 * HOLD_WALL_MS; Date.now() < deadline;) if (attempt()) return true;
  return false;
}

/** Keeps this thread busy for `us` microseconds of the process's CPU time (as a loop that holds it does). */
function spendCpu(us: number): void {
  const start = process.cpuUsage();
  for (let spent = 0; spent < us;) {
    const { user, system } = process.cpuUsage(start);
    spent = user + system;
  }
}

/**
 * A stand-in watchdog thread: once the gate answers that user code holds the thread, it waits `delayMs` and clears
 * the gate, as queuing the termination does.
 */
async function standInWatchdog(delayMs = 0): Promise<Worker> {
  const watchdog = new Worker(
    `const { workerData } = require('node:worker_threads');
     const s = new Int32Array(workerData);
     for (let a; (a = Atomics.load(s, ${SLOT.gateAnswer})) !== ${GATE_HOLDS}; ) Atomics.wait(s, ${SLOT.gateAnswer}, a, 20);
     const t = Date.now(); while (Date.now() - t < ${delayMs}) {}
     Atomics.store(s, ${SLOT.gate}, 0); Atomics.notify(s, ${SLOT.gate});`,
    { eval: true, workerData: interruptState.buffer },
  );
  await new Promise((r) => watchdog.once('online', r));
  return watchdog;
}

describe('interrupt gate: the answer and the hold', () => {
  afterEach(() => {
    for (const slot of Object.values(SLOT)) Atomics.store(interruptState, slot, 0);
  });

  it('a question the watchdog stopped waiting for is not answered', () => {
    enterExecution(7);
    Atomics.store(interruptState, SLOT.gate, 4);
    assert.equal(interruptGate(3, 7), false);
    assert.equal(Atomics.load(interruptState, SLOT.gateAnswer), 0);
    leaveExecution(7);
  });

  it('answers no while the kernel handles a message, or another execution runs', () => {
    enterExecution(7);
    Atomics.store(interruptState, SLOT.gate, 1);
    assert.equal(
      asKernel(() => interruptGate(1, 7)),
      false,
    );
    assert.equal(Atomics.load(interruptState, SLOT.gateAnswer), -1);
    Atomics.store(interruptState, SLOT.gateAnswer, 0);
    assert.equal(interruptGate(1, 8), false);
    assert.equal(Atomics.load(interruptState, SLOT.gateAnswer), -1);
    leaveExecution(7);
  });

  it('answers yes from user code that kept the thread since the baseline, and holds it until the watchdog has queued the termination', async () => {
    enterExecution(7);
    // after a while, to show the hold
    const watchdog = await standInWatchdog(150);
    const first = () => interruptGate(5, 7, false, true);
    first();
    let started = 0;
    // the gate skips one frame below it, the evaluation's own (here this stand-in); the test's function is the user's
    const evaluation = () => {
      spendCpu(HOLD_CPU_US * 3);
      Atomics.store(interruptState, SLOT.gate, 5);
      started = Date.now();
      return interruptGate(5, 7);
    };
    assert.equal(untilHeld(evaluation), true);
    const held = Date.now() - started;
    assert.equal(Atomics.load(interruptState, SLOT.gateAnswer), 1);
    assert.ok(held >= 100, `held ${held} ms, until the gate was cleared`);
    await watchdog.terminate();
    leaveExecution(7);
  });

  it('answers no from user code once the main thread has taken that interrupt (the cell is finishing it: its catch, its finally)', () => {
    // the question was on its way while the main thread took the interrupt and rejected the cell's await: the cell's
    // own code then runs under the evaluation, and a termination there would cut a cell that was stopping by itself
    enterExecution(7);
    Atomics.store(interruptState, SLOT.taken, 6);
    for (const n of [5, 6]) {
      Atomics.store(interruptState, SLOT.gateAnswer, 0);
      Atomics.store(interruptState, SLOT.gate, n);
      const evaluation = () => interruptGate(n, 7);
      assert.equal(evaluation(), false, `interrupt ${n}`);
      assert.equal(Atomics.load(interruptState, SLOT.gateAnswer), -1, `interrupt ${n}: answered no at once`);
      // nor by the watchdog's later asks, which take any user code holding the thread
      Atomics.store(interruptState, SLOT.gateAnswer, 0);
      const anyCell = () => interruptGate(n, 0, true);
      assert.equal(anyCell(), false, `interrupt ${n}, any cell`);
      assert.equal(Atomics.load(interruptState, SLOT.gateAnswer), -1);
    }
    leaveExecution(7);
  });

  /** What the watchdog does before it asks about interrupt `n` (the gate itself must be called by the evaluation's frame). */
  const arm = (n: number) => {
    Atomics.store(interruptState, SLOT.gateAnswer, 0);
    Atomics.store(interruptState, SLOT.gate, n);
  };

  /** The watchdog's first word about interrupt `n`, heard while this test's own (user) code runs. */
  const mark = (n: number, executionId = 7) => {
    const evaluation = () => interruptGate(n, executionId, false, true);
    assert.equal(evaluation(), false);
  };

  /** The gate's answer to an ask about interrupt `n` from this test's own (user) code. */
  const ask = (n: number, executionId = 7) => {
    arm(n);
    const evaluation = () => interruptGate(n, executionId);
    return evaluation() ? GATE_HOLDS : Atomics.load(interruptState, SLOT.gateAnswer);
  };

  /** Runs `use` while execution 7 runs, beside a stand-in watchdog that clears the gate once it holds. */
  const whileCellRuns = async (use: () => unknown) => {
    enterExecution(7);
    const watchdog = await standInWatchdog();
    try {
      await use();
    } finally {
      await watchdog.terminate();
      leaveExecution(7);
    }
  };

  /** As a loop that holds the thread meets the watchdog's asks: CPU time spent, then an ask, until one holds. */
  const spendAndAsk = (n: number) => untilHeld(() => (spendCpu(HOLD_CPU_US * 3), ask(n) === GATE_HOLDS)) && GATE_HOLDS;

  it('user code caught by an ask with no CPU time spent since the baseline is not cut: a main thread short of CPU proves nothing', () => {
    // the cell may be at its first line, or in a timer callback of a loop that gives the thread back, and the machine
    // busy: the next microseconds of it would have taken the interrupt
    // The process's CPU time counts every thread's, and the garbage collector's helpers may spend HOLD_CPU_US between
    // two asks: only a try whose whole span (measured around it, so at least the gate's) stayed under HOLD_CPU_US of
    // CPU and HOLD_WALL_MS of time must be answered "ask again". A busy machine spoils a try; it is made again
    enterExecution(7);
    let clean = 0;
    for (let n = 100; n < 140 && clean < 3; n++) {
      const before = process.resourceUsage();
      const started = performance.now();
      mark(n);
      const answers = [ask(n), ask(n)];
      const after = process.resourceUsage();
      const cpu = after.userCPUTime + after.systemCPUTime - before.userCPUTime - before.systemCPUTime;
      if (cpu >= HOLD_CPU_US || performance.now() - started >= HOLD_WALL_MS) continue;
      clean++;
      assert.deepEqual(answers, [GATE_ASK_AGAIN, GATE_ASK_AGAIN], `${cpu} µs of CPU spent: asked again at once`);
    }
    leaveExecution(7);
    assert.ok(clean > 0, 'no try of 40 stayed under HOLD_CPU_US of CPU');
  });

  it("a first word heard during the kernel's own work notes no baseline: that work is not the loop's", () => {
    // the cell not started yet (its execute request being handled) when the interrupt came
    enterExecution(7);
    asKernel(() => mark(25));
    spendCpu(HOLD_CPU_US * 3);
    assert.equal(ask(25), GATE_ASK_AGAIN, 'caught in user code only now: a baseline from here');
    leaveExecution(7);
  });

  it('without a baseline (the first word was lost), the first ask notes one and asks again', () =>
    whileCellRuns(() => {
      assert.equal(ask(22), GATE_ASK_AGAIN);
      assert.equal(spendAndAsk(22), GATE_HOLDS);
    }));

  it('a loop that turned the event loop since the baseline is not cut, however much CPU it spent; its next stretch is judged anew', () =>
    whileCellRuns(async () => {
      mark(23);
      spendCpu(HOLD_CPU_US * 3);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(ask(23), GATE_ASK_AGAIN, 'the event loop turned');
      // that ask noted a new baseline: holding the thread from there is proven as before
      assert.equal(spendAndAsk(23), GATE_HOLDS);
    }));

  it('a loop blocked in native calls (little CPU of its own) is cut once HOLD_WALL_MS passed without the event loop turning', () =>
    whileCellRuns(() => {
      mark(24);
      // as execSync('sleep …') in a loop: the main thread waits, it does not run
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, HOLD_WALL_MS + 20);
      assert.equal(ask(24), GATE_HOLDS);
    }));

  /**
   * Runs `body` in a process of its own whose process.resourceUsage is set by `usage` (before the gate loads), beside
   * a stand-in watchdog that clears the gate once it holds. `body` sees interruptGate, installInterruptGate,
   * enterExecution, HOLD_CPU_US, interruptState and SLOT, and leaves what it found in `result`, which is returned.
   */
  const inGateProcess = (usage: string, body: string): unknown => {
    const gate = JSON.stringify(require.resolve('../../../worker/runtime/interruptGate'));
    const state = JSON.stringify(require.resolve('../../../worker/runtime/interruptState'));
    const script = `${usage}
      const { interruptGate, installInterruptGate } = require(${gate});
      const { enterExecution, HOLD_CPU_US, interruptState, SLOT } = require(${state});
      const { Worker } = require('node:worker_threads');
      new Worker(\`const s = new Int32Array(require('node:worker_threads').workerData);
        while (Atomics.load(s, \${SLOT.gateAnswer}) !== 1) Atomics.wait(s, \${SLOT.gateAnswer}, Atomics.load(s, \${SLOT.gateAnswer}), 20);
        Atomics.store(s, \${SLOT.gate}, 0); Atomics.notify(s, \${SLOT.gate});\`, { eval: true, workerData: interruptState.buffer }).unref();
      let result;
      ${body}
      process.stdout.write(JSON.stringify(result));
      process.exit(0);`;
    return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' }));
  };

  it("CPU time counted across a preemption of the kernel's threads is no proof; the next stretch without one is", () => {
    // the process's CPU time counts every thread's: while a starved main thread waits, the garbage collector's helpers
    // may run. A process of its own, whose usage figures this test sets, shows the rule exactly
    const answers = inGateProcess(
      `let cpu = 1e6, preempted = 10;
       process.resourceUsage = () => ({ userCPUTime: cpu, systemCPUTime: 0, involuntaryContextSwitches: preempted });`,
      `enterExecution(7);
       result = [];
       function cell() {
         interruptGate(31, 7, false, true);
         for (const [spent, preemptions] of [[3, 1], [3, 0], [0, 0]]) {
           cpu += spent * HOLD_CPU_US;
           preempted += preemptions;
           Atomics.store(interruptState, SLOT.gateAnswer, 0);
           Atomics.store(interruptState, SLOT.gate, 31);
           result.push(interruptGate(31, 7) ? 'held' : Atomics.load(interruptState, SLOT.gateAnswer));
           if (result.at(-1) === 'held') break;
         }
       }
       cell();`,
    );
    assert.deepEqual(answers, [GATE_ASK_AGAIN, 'held']);
  });

  it("on Linux the main thread's own scheduling proves a loop: on its CPU since the baseline is proof, whatever the process's other threads did; a thread that left its CPU is not proven by time passed", function () {
    if (process.platform !== 'linux') this.skip();
    // the process-wide figures this process reports say a preemption came before every look (the watchdog's own
    // wake-ups, the garbage collector's helpers): only the main thread's own count of times scheduled can prove it
    const found = inGateProcess(
      `let preempted = 0;
       process.resourceUsage = () => ({ userCPUTime: 0, systemCPUTime: 0, involuntaryContextSwitches: ++preempted });`,
      `installInterruptGate();
       enterExecution(7);
       const ask = (n) => {
         Atomics.store(interruptState, SLOT.gateAnswer, 0);
         Atomics.store(interruptState, SLOT.gate, n);
         return interruptGate(n, 7) ? 'held' : Atomics.load(interruptState, SLOT.gateAnswer);
       };
       const spin = (us) => { const t = performance.now(); while ((performance.now() - t) * 1000 < us) {} };
       result = {};
       function sleeping() {
         // a thread that slept HOLD_CPU_US * 3 (as in a native call) was off its CPU: time passed proves nothing
         interruptGate(41, 7, false, true);
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, (HOLD_CPU_US * 3) / 1000);
         result.slept = ask(41);
       }
       function spinning() {
         // a busy machine may take this thread off its CPU too: then the next stretch is judged, as the watchdog asks again
         interruptGate(42, 7, false, true);
         for (let tries = 0; tries < 50 && result.spun !== 'held'; tries++) {
           spin(HOLD_CPU_US * 2);
           result.spun = ask(42);
         }
       }
       sleeping();
       spinning();`,
    );
    assert.deepEqual(found, { slept: GATE_ASK_AGAIN, spun: 'held' });
  });

  it("the watchdog's warm-up (interrupt 0) reads the stack and answers nothing: no baseline, no answer, nothing noted", () => {
    enterExecution(7);
    Atomics.store(interruptState, SLOT.noted, 3);
    Atomics.store(interruptState, SLOT.gateAnswer, 0);
    const evaluation = () => interruptGate(0, 0);
    assert.equal(evaluation(), false);
    assert.equal(Atomics.load(interruptState, SLOT.noted), 3);
    assert.equal(Atomics.load(interruptState, SLOT.gateAnswer), 0);
    // no baseline was noted for a later interrupt: its first ask notes one
    spendCpu(HOLD_CPU_US * 3);
    assert.equal(ask(26), GATE_ASK_AGAIN);
    leaveExecution(7);
  });

  it('two asks answered in one wake-up, with nothing run between them, are an idle thread, not a loop of awaits', async () => {
    // a main thread short of CPU answers the watchdog's second ask before it gets back to its event loop: the event
    // loop's idle time is the same for both, yet no JavaScript ran in between (the old rule cut the next JavaScript)
    enterExecution(7);
    const answers: number[] = [];
    await new Promise<void>((resolve) =>
      // a reaction run after a timer has no JavaScript below it, as the watchdog's evaluation on an idle thread
      setTimeout(() =>
        Promise.resolve().then(function evaluation() {
          arm(11);
          interruptGate(11, 7);
          answers.push(Atomics.load(interruptState, SLOT.gateAnswer));
          arm(11);
          interruptGate(11, 7);
          answers.push(Atomics.load(interruptState, SLOT.gateAnswer));
          resolve();
        }),
      ),
    );
    assert.deepEqual(answers, [GATE_ASK_AGAIN, GATE_ASK_AGAIN]);
    leaveExecution(7);
  });

  it('a loop of awaits (reactions run between the asks, the event loop never turns) still holds the thread', async () => {
    enterExecution(7);
    const watchdog = await standInWatchdog();
    const answers: unknown[] = [];
    const deadline = Date.now() + 4 * HOLD_WALL_MS;
    // each ask is a reaction with no JavaScript below it; between them, the loop's reactions for a while
    const asking = (resolve: () => void) =>
      function evaluation(): unknown {
        arm(12);
        const held = interruptGate(12, 7);
        answers.push(held ? 'held' : Atomics.load(interruptState, SLOT.gateAnswer));
        // a busy machine that preempted this thread: asked again, as the watchdog does
        if (held || Date.now() > deadline) return resolve();
        return Promise.resolve()
          .then(() => spendCpu(HOLD_CPU_US * 3))
          .then(asking(resolve));
      };
    await new Promise<void>((resolve) => setTimeout(() => Promise.resolve().then(asking(resolve))));
    assert.equal(answers[0], GATE_ASK_AGAIN, 'the first ask notes the baseline');
    assert.equal(answers.at(-1), 'held');
    assert.ok(answers.slice(1, -1).every((a) => a === GATE_ASK_AGAIN));
    await watchdog.terminate();
    leaveExecution(7);
  });
});
