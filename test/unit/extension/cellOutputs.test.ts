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
  /** Which execution made each replacement. */
  const replacedBy: number[] = [];
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
    shows: (o) => outputs.includes(o),
    replace: async (e, o, by) => {
      // a write to an output the cell no longer shows would be a bug of CellOutputs (VS Code throws on it)
      assert.ok(outputs.includes(o), `replace ${o}: not shown`);
      outputs[outputs.indexOf(o)] = by;
      replacedBy.push(e.id);
    },
  };
  return {
    port,
    outputs,
    executions,
    replacedBy,
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

  it('a write without a line end and the text that continues it are one line, written again when only the line grew', async () => {
    const c = cell();
    const timers = manualTimers();
    const run = new CellOutputs(c.port, 1000, timers);
    c.begin(run, 1);
    const open = (text: string) => ({ ...entry(text), method: 'log', open: true }) as ConsoleEntry;
    run.addConsole([open('.')]);
    timers.fire();
    await settle();
    run.addConsole([open('.')]);
    timers.fire();
    await settle();
    assert.deepEqual(c.outputs, ['console: ..'], 'the line grew in place');
    assert.equal(c.consoleWrites(), 2, 'a join alone is written too');
    run.addConsole([{ ...entry(' done'), method: 'log' } as ConsoleEntry, { ...entry('next'), method: 'log' } as ConsoleEntry]);
    await run.end(true);
    assert.deepEqual(c.outputs, ['console: .. done | next']);
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

  it('a display updated by its id while the cell runs is replaced in place, through the running execution', async () => {
    const c = cell();
    const run = new CellOutputs(c.port, 1000, manualTimers());
    c.begin(run, 3);
    // the update arrives before the display's own append has been written: it waits for it
    void run.addOutput('progress 0%');
    void run.addOutput('other');
    await run.replaceOutput('progress 0%', 'progress 50%');
    assert.deepEqual(c.outputs, ['progress 50%', 'other']);
    assert.deepEqual(c.replacedBy, [1], 'the running execution wrote it');
    await run.end(true);
    assert.equal(c.executions.length, 1);
  });

  it('a display updated after the run ended (a timer, a later cell) is replaced through a short-lived execution', async () => {
    const c = cell();
    const run = new CellOutputs(c.port, 1000, manualTimers());
    c.begin(run, 4);
    await run.addOutput('clock 10:00');
    await run.end(true);
    await run.replaceOutput('clock 10:00', 'clock 10:01');
    assert.deepEqual(c.outputs, ['clock 10:01']);
    assert.equal(c.executions.length, 2);
    assert.deepEqual(c.replacedBy, [2]);
    assert.equal(c.executions[1]!.order, 4, 'the cell keeps its execution number');
    assert.equal(c.executions[1]!.startTime, c.executions[0]!.startTime);
    assert.deepEqual(c.executions[1]!.ended, { success: true });
  });

  it('an update of an output the cell no longer shows changes nothing and makes no execution', async () => {
    const c = cell();
    const run = new CellOutputs(c.port, 1000, manualTimers());
    c.begin(run, 1);
    await run.addOutput('chart v1');
    await run.end(true);
    c.outputs.splice(0); // cleared (Clear Outputs, or a newer run)
    await run.replaceOutput('chart v1', 'chart v2');
    assert.deepEqual(c.outputs, []);
    assert.equal(c.executions.length, 1);
    const older = new CellOutputs(c.port, 1000, manualTimers());
    c.begin(older, 2);
    await older.addOutput('table v1');
    await older.end(true);
    older.dispose(); // a newer run of the cell took over
    assert.equal(older.isDisposed, true);
    await older.replaceOutput('table v1', 'table v2');
    assert.deepEqual(c.outputs, ['table v1'], 'a replaced run writes nothing more');
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
