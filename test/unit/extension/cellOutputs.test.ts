import { strict as assert } from 'node:assert';
import type { ConsoleEntry } from '../../../protocol';
import { CellOutputs, OUTPUT_FLUSH_MS, type ExecutionPort, type Timers } from '../../../extension/pure/CellOutputs';

interface FakeExecution {
  id: number;
  order?: number;
  startTime?: number;
  ended?: { success: boolean | undefined };
}

/** A cell as VS Code shows it: its outputs, and every execution made for it. */
function cell() {
  const executions: FakeExecution[] = [];
  const outputs: string[] = [];
  let queuedAgain = false;
  let consoleWrites = 0;
  const port: ExecutionPort<FakeExecution, string> = {
    create: () => {
      if (queuedAgain) throw new Error('the cell is queued');
      const e = { id: executions.length + 1 };
      executions.push(e);
      return e;
    },
    start: (e, order, time) => Object.assign(e, { order, startTime: time }),
    end: (e, success) => void (e.ended = { success }),
    clear: async () => void outputs.splice(0),
    append: async (_e, o) => void outputs.push(o),
    writeConsole: async (_e, log, shown) => {
      consoleWrites++;
      const text = `console: ${log
        .all()
        .map((c) => c.text)
        .join(' | ')}`;
      const at = shown === undefined ? -1 : outputs.indexOf(shown);
      if (at >= 0) outputs[at] = text;
      else outputs.push(text);
      return text;
    },
  };
  return {
    port,
    outputs,
    executions,
    queueAgain: () => (queuedAgain = true),
    consoleWrites: () => consoleWrites,
    begin: (run: CellOutputs<FakeExecution, string>, order: number) => run.begin(port.create(), order),
  };
}

/** Timers the test fires by hand. */
function manualTimers(): Timers & { fire(): void; pending: number } {
  const fns = new Map<number, () => void>();
  let next = 0;
  return {
    set: (fn) => (fns.set(++next, fn), next),
    clear: (h) => void fns.delete(h as number),
    fire: () => [...fns.values()].forEach((fn) => fn()),
    get pending() {
      return fns.size;
    },
  };
}

const entry = (text: string): ConsoleEntry => ({ cellId: 'c', executionId: 1, level: 'log', depth: 0, text, segments: [] }) as unknown as ConsoleEntry;
const settle = () => new Promise((r) => setTimeout(r, 5));

describe("a cell run's outputs (extension/pure/CellOutputs)", () => {
  it('console calls become one console output, written at most once per flush period, before the result', async () => {
    const c = cell();
    const timers = manualTimers();
    const run = new CellOutputs(c.port, 1000, timers);
    c.begin(run, 1);
    run.addConsole([entry('a')]);
    run.addConsole([entry('b')]);
    await settle();
    assert.equal(c.consoleWrites(), 0, `nothing before ${OUTPUT_FLUSH_MS} ms`);
    assert.equal(timers.pending, 1);
    timers.fire();
    run.addConsole([entry('c')]);
    await run.addOutput('result 42');
    await run.end(true);
    assert.deepEqual(c.outputs, ['console: a | b | c', 'result 42']);
    assert.equal(c.consoleWrites(), 2);
    assert.deepEqual(c.executions[0]!.ended, { success: true });
  });

  it('output after the run ended goes through a short-lived execution with the same number and start time', async () => {
    const c = cell();
    const run = new CellOutputs(c.port, 1000, manualTimers());
    c.begin(run, 7);
    await run.end(true);
    await run.addOutput('late display');
    assert.equal(c.executions.length, 2);
    assert.equal(c.executions[1]!.order, 7);
    assert.equal(c.executions[1]!.startTime, c.executions[0]!.startTime);
    assert.deepEqual(c.executions[1]!.ended, { success: true });
    assert.deepEqual(c.outputs, ['late display']);
  });

  it('a late output of the old run is dropped once the cell is queued to run again', async () => {
    const c = cell();
    const run = new CellOutputs(c.port, 1000, manualTimers());
    c.begin(run, 1);
    await run.end(false);
    c.queueAgain();
    await run.addOutput('from a timer of the old run');
    assert.deepEqual(c.outputs, []);
    assert.equal(c.executions.length, 1);
  });

  it('a disposed run writes no more console output and leaves no timer behind', async () => {
    const c = cell();
    const timers = manualTimers();
    const run = new CellOutputs(c.port, 1000, timers);
    c.begin(run, 1);
    run.addConsole([entry('a')]);
    run.dispose();
    assert.equal(timers.pending, 0);
    run.flushConsole();
    await settle();
    assert.equal(c.consoleWrites(), 0);
  });
});
