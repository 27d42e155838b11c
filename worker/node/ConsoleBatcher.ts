/**
 * Collects console entries and sends them in batches: at most MAX_BATCH entries per message, flushed on the
 * next turn of the event loop, so a 100k-line loop becomes ~100 messages instead of 100k. Text written to a stream
 * without a line end (a PartialLine) goes out as an open entry before any later entry and with every flush, so it
 * keeps its place among the cell's output and shows while the cell runs.
 */
import { packConsole, type ConsoleEntry } from '../../protocol';
import type { RuntimeHost } from '../runtime/Runtime';

export const MAX_BATCH = 1000;

const realSetImmediate = setImmediate;

/** Text held without its line end. */
export interface PartialLine {
  /**
   * The held text as an open entry, or nothing; `final`: all of it (the cell settled, the kernel ends), else a tail
   * that may be the start of a secret stays held.
   */
  take(final: boolean): ConsoleEntry | undefined;
}

export class ConsoleBatcher {
  private entries: ConsoleEntry[] = [];
  private scheduled = false;
  private readonly partials: PartialLine[] = [];

  constructor(private readonly host: RuntimeHost) {}

  /** A stream whose held text goes out before any other entry, and with each flush. */
  addPartial(partial: PartialLine): void {
    this.partials.push(partial);
  }

  /** `from`: the stream the entry comes from (its own held text is already in it). */
  push(entry: ConsoleEntry, from?: PartialLine): void {
    this.takePartials(false, from);
    this.entries.push(entry);
    if (this.entries.length >= MAX_BATCH) this.flush();
    else this.schedule();
  }

  /** Sends what is held on the next turn (a stream holds text without its line end). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    realSetImmediate(() => this.flush());
  }

  /** `final`: the cell settled or the kernel ends, so text held without its line end goes out whole. */
  flush(final = false): void {
    this.scheduled = false;
    this.takePartials(final);
    if (!this.entries.length) return;
    const entries = this.entries;
    this.entries = [];
    this.host.emit('console', packConsole(entries));
  }

  /** Entries not sent yet (for the exit notice written synchronously when the process exits). */
  drain(): ConsoleEntry[] {
    this.takePartials(true);
    const entries = this.entries;
    this.entries = [];
    return entries;
  }

  private takePartials(final: boolean, except?: PartialLine): void {
    for (const partial of this.partials) {
      if (partial === except) continue;
      const entry = partial.take(final);
      if (entry) this.entries.push(entry);
    }
  }
}
