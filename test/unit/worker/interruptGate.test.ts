import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { interruptedCode, interruptGate } from '../../../worker/runtime/interruptGate';
import { asKernel, enterExecution, GATE_ASK_AGAIN, GATE_HOLDS, interruptState, leaveExecution, SLOT } from '../../../worker/runtime/interruptState';

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

  it('answers yes from user code and holds the thread until the watchdog has queued the termination', async () => {
    enterExecution(7);
    // after a while, to show the hold
    const watchdog = await standInWatchdog(150);
    Atomics.store(interruptState, SLOT.gate, 5);
    const started = Date.now();
    // the gate skips one frame below it, the evaluation's own (here this stand-in); the test's function is the user's
    const evaluation = () => interruptGate(5, 7);
    assert.equal(evaluation(), true);
    const held = Date.now() - started;
    assert.equal(Atomics.load(interruptState, SLOT.gateAnswer), 1);
    assert.ok(held >= 100, `held ${held} ms, until the gate was cleared`);
    await watchdog.terminate();
    leaveExecution(7);
  });

  /** What the watchdog does before it asks about interrupt `n` (the gate itself must be called by the evaluation's frame). */
  const arm = (n: number) => {
    Atomics.store(interruptState, SLOT.gateAnswer, 0);
    Atomics.store(interruptState, SLOT.gate, n);
  };

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
    await new Promise<void>((resolve) =>
      setTimeout(() =>
        Promise.resolve()
          .then(function evaluation() {
            arm(12);
            interruptGate(12, 7);
            answers.push(Atomics.load(interruptState, SLOT.gateAnswer));
          })
          // the loop's next turns: reactions in the same drain of microtasks
          .then(() => null)
          .then(function evaluation() {
            arm(12);
            answers.push(interruptGate(12, 7), Atomics.load(interruptState, SLOT.gateAnswer));
            resolve();
          }),
      ),
    );
    assert.deepEqual(answers, [GATE_ASK_AGAIN, true, GATE_HOLDS]);
    await watchdog.terminate();
    leaveExecution(7);
  });
});
