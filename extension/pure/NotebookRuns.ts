/**
 * One notebook's runs, without vscode: its cells queued one at a time in the order they were asked for (an interrupt
 * drops the queue and stops the running cell), its kernel (host/run/KernelSlot.ts), the execution count shown in the
 * gutter, and the kernel state the status bar shows (starting, idle, busy, background work in named cells, stopped
 * and why). KernelManager keeps one per notebook document; a Save As or rename hands it to the new document.
 */
import type { Kernel } from '../../host/kernel/Kernel';
import { KernelSlot } from '../../host/run/KernelSlot';
import { ExecutionQueue } from './ExecutionQueue';

export type KernelState =
  | { kind: 'starting' }
  | { kind: 'idle'; version: string }
  | { kind: 'busy'; version: string }
  | { kind: 'background'; version: string; cells: string[] }
  | { kind: 'stopped'; reason: string };

export interface RunsHooks<D> {
  /** The state changed (or the notebook the runs belong to did). */
  changed(runs: NotebookRuns<D>): void;
  /** A kernel started for the notebook: route its events. */
  started(runs: NotebookRuns<D>, kernel: Kernel): void;
}

export class NotebookRuns<D> {
  readonly slot: KernelSlot;
  private readonly queue = new ExecutionQueue();
  private current: KernelState | undefined;
  /** Cells with background work (timers) left, by cell id: their labels. */
  private readonly background = new Map<string, string>();
  private executionCount = 0;

  constructor(
    /** The notebook's current document (a Save As or rename hands the runs to the new one). */
    public notebook: D,
    private readonly hooks: RunsHooks<D>,
  ) {
    this.slot = new KernelSlot({
      starting: () => this.set({ kind: 'starting' }),
      started: (kernel) => {
        this.background.clear();
        this.set({ kind: 'idle', version: kernel.info.runtimeVersion });
        hooks.started(this, kernel);
      },
      startFailed: (err) => this.set({ kind: 'stopped', reason: err instanceof Error ? err.message : String(err) }),
      // a crash, process.exit, or a dying sandbox or sidecar (`exiting`): the next run starts a fresh kernel
      ended: (_kernel, reason) => this.set({ kind: 'stopped', reason }),
    });
  }

  get state(): KernelState | undefined {
    return this.current;
  }

  /** Runs `task` after the cells queued before it; false when an interrupt dropped it before it started. */
  enqueue(task: () => Promise<void>): Promise<boolean> {
    return this.queue.run(task);
  }

  /** The execution count of the cell that starts now (continues across a Save As or rename). */
  nextOrder(): number {
    return ++this.executionCount;
  }

  /** A cell starts executing on `kernel` (a kernel that already ended keeps its 'stopped' and why). */
  busy(kernel: Kernel): void {
    if (kernel !== this.slot.kernel) return;
    this.set({ kind: 'busy', version: kernel.info.runtimeVersion });
  }

  /** After a cell: idle, or still running background work in some cells (a dead kernel's state is its exit). */
  settle(kernel: Kernel): void {
    if (!kernel.alive || kernel !== this.slot.kernel) return;
    const version = kernel.info.runtimeVersion;
    this.set(this.background.size ? { kind: 'background', version, cells: [...this.background.values()] } : { kind: 'idle', version });
  }

  /** A cell's background work changed (`cellWork`): `label` names the cell while it has some left. */
  cellWork(kernel: Kernel, cellId: string, pending: number, label: string | undefined): void {
    if (pending > 0 && label) this.background.set(cellId, label);
    else this.background.delete(cellId);
    if (this.current?.kind !== 'busy') this.settle(kernel);
  }

  /** Drops the queued cells and stops the running one (the kernel keeps its state). */
  interrupt(): void {
    this.queue.cancelPending();
    this.slot.interrupt();
  }

  /** Drops the queued cells and stops the kernel; the next run starts a clean one. */
  async restart(reason: string): Promise<void> {
    this.queue.cancelPending();
    await this.slot.stop();
    this.set({ kind: 'stopped', reason });
  }

  /** Tells the hooks the runs changed hands (a new document) without a new state. */
  moved(notebook: D): void {
    this.notebook = notebook;
    this.hooks.changed(this);
  }

  dispose(): void {
    this.queue.cancelPending();
    this.slot.dispose();
  }

  private set(state: KernelState): void {
    this.current = state;
    this.hooks.changed(this);
  }
}
