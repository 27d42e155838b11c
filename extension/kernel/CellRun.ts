/**
 * The outputs of one run of one cell. Console entries go into a single console output updated at most every
 * OUTPUT_FLUSH_MS; rich outputs, the result and errors are appended after it. Output that arrives after the
 * run ended (timers, promises) is added through a short-lived execution that keeps the original execution
 * order and timing, so the cell does not look re-run.
 */
import * as vscode from 'vscode';
import { SerialOps } from './SerialOps';
import { MIME_CONSOLE, type ConsoleEntry } from '../../protocol';
import { ConsoleLog } from './ConsoleLog';

export const OUTPUT_FLUSH_MS = 100;

export class CellRun implements vscode.Disposable {
  readonly log: ConsoleLog;
  private execution: vscode.NotebookCellExecution | undefined;
  private consoleOutput: vscode.NotebookCellOutput | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly ops = new SerialOps();
  private startTime = Date.now();
  private endTime = 0;
  private success: boolean | undefined;
  private order: number | undefined;
  private disposed = false;

  constructor(
    private readonly controller: vscode.NotebookController,
    readonly cell: vscode.NotebookCell,
    readonly executionId: number,
    maxStored: number,
    private readonly label: (cellId: string) => string,
  ) {
    this.log = new ConsoleLog(maxStored);
  }

  /** The execution count in the cell's gutter; frames and messages name the cell by it. */
  get executionOrder(): number | undefined {
    return this.order;
  }

  begin(execution: vscode.NotebookCellExecution, order: number): void {
    this.execution = execution;
    this.order = order;
    execution.executionOrder = order;
    this.startTime = Date.now();
    execution.start(this.startTime);
    this.queue(() => execution.clearOutput());
  }

  addConsole(entries: ConsoleEntry[]): void {
    this.log.push(entries);
    if (!this.flushTimer && !this.disposed) this.flushTimer = setTimeout(() => this.flushConsole(), OUTPUT_FLUSH_MS);
  }

  addOutput(output: vscode.NotebookCellOutput): Promise<void> {
    this.flushConsole();
    const active = this.execution;
    return this.queue(() => this.withExecution(active, (e) => e.appendOutput(output)));
  }

  async end(success: boolean): Promise<void> {
    this.flushConsole();
    this.success = success;
    this.endTime = Date.now();
    const execution = this.execution;
    this.execution = undefined;
    await this.queue(async () => execution?.end(success, this.endTime));
  }

  /** Writes the console output now (the timer calls it; so do results and the end of the run). */
  flushConsole(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.log.size || this.disposed) return;
    const items = [
      vscode.NotebookCellOutputItem.json(this.log.output(), MIME_CONSOLE),
      vscode.NotebookCellOutputItem.text(this.log.plainText(this.label), 'text/plain'),
    ];
    const active = this.execution;
    void this.queue(() =>
      this.withExecution(active, async (e) => {
        const existing = this.consoleOutput && this.cell.outputs.some((o) => outputId(o) === outputId(this.consoleOutput!));
        if (existing) {
          await e.replaceOutputItems(items, this.consoleOutput!);
        } else {
          this.consoleOutput = new vscode.NotebookCellOutput(items);
          await e.appendOutput(this.consoleOutput);
        }
      }),
    );
  }

  /** Runs fn with the execution that was active when the write was queued, or a short-lived one after the run. */
  private async withExecution(
    active: vscode.NotebookCellExecution | undefined,
    fn: (e: vscode.NotebookCellExecution) => Thenable<void> | Promise<void>,
  ): Promise<void> {
    if (active) return fn(active);
    let late: vscode.NotebookCellExecution;
    try {
      late = this.controller.createNotebookCellExecution(this.cell);
    } catch {
      return; // the cell is queued to run again: its old run's late output is dropped
    }
    late.executionOrder = this.order;
    late.start(this.startTime);
    try {
      await fn(late);
    } finally {
      late.end(this.success, this.endTime || Date.now());
    }
  }

  private queue(op: () => Thenable<unknown> | Promise<unknown>): Promise<void> {
    return this.ops.queue(op);
  }

  dispose(): void {
    this.disposed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
  }
}

/** The id VS Code gives every output (the same one renderers see as `outputItem.id`). */
export function outputId(output: vscode.NotebookCellOutput): string {
  return (output as unknown as { id: string }).id;
}
