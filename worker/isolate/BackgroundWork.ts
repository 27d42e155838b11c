/**
 * The host side of a sandbox cell's background work: its timers (the host owns the clock, callbacks stay in the
 * isolate) and its fetches in flight. Tells the host when a cell's work outlives its execution and when it drains
 * (the `cellWork` event, like the Node runtime), and cancels a cell's work on interrupt.
 */
export type WorkKind = 'timeout' | 'interval' | 'fetch';

export interface WorkItem {
  key: string;
  kind: WorkKind;
  cellId: string;
  executionId: number;
  /** e.g. `setInterval 1000 ms`, `fetch GET https://…` (the Pending Work view). */
  description: string;
  /** The isolate's stack where the cell created it. */
  stack: string;
  cancel(): void;
}

export type WorkListener = (cellId: string, executionId: number, pending: number, kinds: WorkKind[]) => void;

export class BackgroundWork {
  private readonly items = new Map<string, WorkItem>();
  private readonly counts = new Map<string, number>();
  private readonly running = new Set<string>();

  constructor(private readonly onWork: WorkListener) {}

  get size(): number {
    return this.items.size;
  }

  get(key: string): WorkItem | undefined {
    return this.items.get(key);
  }

  /** Every item, oldest first. */
  list(): WorkItem[] {
    return [...this.items.values()];
  }

  add(item: WorkItem): void {
    this.items.set(item.key, item);
    this.counts.set(item.cellId, (this.counts.get(item.cellId) ?? 0) + 1);
  }

  /** The work ended by itself (a timeout fired, a fetch settled, clearTimeout). */
  remove(key: string): void {
    const item = this.items.get(key);
    if (!item) return;
    this.forget(item);
    if (!this.running.has(item.cellId) && !this.counts.has(item.cellId)) this.onWork(item.cellId, item.executionId, 0, []);
  }

  started(cellId: string): void {
    this.running.add(cellId);
  }

  finished(cellId: string, executionId: number): void {
    this.running.delete(cellId);
    const mine = [...this.items.values()].filter((i) => i.cellId === cellId);
    if (mine.length) this.onWork(cellId, executionId, mine.length, [...new Set(mine.map((i) => i.kind))]);
  }

  /** Cancels a cell's work (every cell's without an id); reports the drain for cells not running. */
  cancel(cellId?: string): string[] {
    const cells = new Map<string, number>();
    for (const item of [...this.items.values()]) {
      if (cellId !== undefined && item.cellId !== cellId) continue;
      item.cancel();
      this.forget(item);
      cells.set(item.cellId, item.executionId);
    }
    for (const [id, exec] of cells) if (!this.running.has(id)) this.onWork(id, exec, 0, []);
    return [...cells.keys()];
  }

  private forget(item: WorkItem): void {
    this.items.delete(item.key);
    const n = (this.counts.get(item.cellId) ?? 1) - 1;
    if (n > 0) this.counts.set(item.cellId, n);
    else this.counts.delete(item.cellId);
  }
}
