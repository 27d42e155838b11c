/**
 * The outputs of one run of one cell, without vscode. Console entries go into a single console output written at
 * most every OUTPUT_FLUSH_MS; rich outputs, the result and errors are appended after it, in order (SerialOps). Output
 * that arrives after the run ended (timers, promises) is written through a short-lived execution with the run's
 * execution order and timing, so the cell does not look re-run; it is dropped once the cell is queued to run again.
 * A display shown with a display id is replaced in place by later displays with that id (replaceOutput), the same way:
 * through the run's execution while it runs, else a short-lived one, and only while the cell still shows it.
 * CellRun adapts it to VS Code's executions and outputs (the port).
 */
import type { ConsoleEntry } from '../../protocol';
import { ConsoleLog } from './ConsoleLog';
import { SerialOps } from './SerialOps';

export const OUTPUT_FLUSH_MS = 100;

type Write = Promise<unknown> | PromiseLike<unknown>;

/** What a cell execution can do (VS Code's NotebookCellExecution and outputs, or a test's log). */
export interface ExecutionPort<E, O> {
  /** A new execution of the cell; throws when the cell is queued to run again. */
  create(): E;
  start(execution: E, order: number | undefined, startTime: number): void;
  end(execution: E, success: boolean | undefined, endTime: number): void;
  clear(execution: E): Write;
  append(execution: E, output: O): Write;
  /** Writes the console: replaces `shown` when the cell still shows it, else appends a new output (returned). */
  writeConsole(execution: E, log: ConsoleLog, shown: O | undefined): Promise<O>;
  /** Whether the cell still shows this output (a re-run cleared it). */
  shows(output: O): boolean;
  /** Shows the items of `by` in `output`, where it is. */
  replace(execution: E, output: O, by: O): Write;
}

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const REAL_TIMERS: Timers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) };

export class CellOutputs<E, O> {
  readonly log: ConsoleLog;
  private execution: E | undefined;
  private consoleOutput: O | undefined;
  /** The console log's revision the last console write showed. */
  private written = 0;
  private flushTimer: unknown;
  private readonly ops = new SerialOps();
  private startTime = Date.now();
  private endTime = 0;
  private success: boolean | undefined;
  private order: number | undefined;
  private disposed = false;

  constructor(
    private readonly port: ExecutionPort<E, O>,
    maxStored: number,
    private readonly timers: Timers = REAL_TIMERS,
  ) {
    this.log = new ConsoleLog(maxStored);
  }

  /** The execution count in the cell's gutter; frames and messages name the cell by it. */
  get executionOrder(): number | undefined {
    return this.order;
  }

  begin(execution: E, order: number): void {
    this.execution = execution;
    this.order = order;
    this.startTime = Date.now();
    this.port.start(execution, order, this.startTime);
    void this.ops.queue(() => this.port.clear(execution));
  }

  addConsole(entries: ConsoleEntry[]): void {
    this.log.push(entries);
    if (this.flushTimer === undefined && !this.disposed) this.flushTimer = this.timers.set(() => this.flushConsole(), OUTPUT_FLUSH_MS);
  }

  addOutput(output: O): Promise<void> {
    this.flushConsole();
    const active = this.execution;
    return this.ops.queue(() => this.withExecution(active, (e) => this.port.append(e, output)));
  }

  /**
   * Shows `by` in place of `output`, an output of this run (a display updated by its display id, from this cell, a
   * later one, or a timer): nothing when the cell no longer shows it, or this run was replaced by a newer one.
   */
  replaceOutput(output: O, by: O): Promise<void> {
    if (this.disposed) return Promise.resolve();
    const active = this.execution;
    return this.ops.queue(async () => {
      // checked when its turn comes: the output's own append may still have been queued when the update arrived
      if (this.disposed || !this.port.shows(output)) return;
      await this.withExecution(active, (e) => this.port.replace(e, output, by));
    });
  }

  /** A newer run of the cell took over (its outputs are about to go). */
  get isDisposed(): boolean {
    return this.disposed;
  }

  async end(success: boolean): Promise<void> {
    this.flushConsole();
    this.success = success;
    this.endTime = Date.now();
    const execution = this.execution;
    this.execution = undefined;
    await this.ops.queue(async () => execution !== undefined && this.port.end(execution, success, this.endTime));
  }

  /** Writes the console output now (the timer calls it; so do results and the end of the run). */
  flushConsole(): void {
    if (this.flushTimer !== undefined) this.timers.clear(this.flushTimer);
    this.flushTimer = undefined;
    // nothing new since the last write: the end of the run does not write the same console again
    if (!this.log.revision || this.log.revision === this.written || this.disposed) return;
    this.written = this.log.revision;
    const active = this.execution;
    void this.ops.queue(() =>
      this.withExecution(active, async (e) => {
        this.consoleOutput = await this.port.writeConsole(e, this.log, this.consoleOutput);
      }),
    );
  }

  /** Runs fn with the execution that was active when the write was queued, or a short-lived one after the run. */
  private async withExecution(active: E | undefined, fn: (e: E) => Write): Promise<void> {
    if (active !== undefined) {
      await fn(active);
      return;
    }
    let late: E;
    try {
      late = this.port.create();
    } catch {
      return; // the cell is queued to run again: its old run's late output is dropped
    }
    this.port.start(late, this.order, this.startTime);
    try {
      await fn(late);
    } finally {
      this.port.end(late, this.success, this.endTime || Date.now());
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.flushTimer !== undefined) this.timers.clear(this.flushTimer);
    this.flushTimer = undefined;
  }
}
