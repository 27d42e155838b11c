/**
 * Collects console entries and sends them in batches: at most MAX_BATCH entries per message, flushed on the
 * next turn of the event loop, so a 100k-line loop becomes ~100 messages instead of 100k.
 */
import type { ConsoleEntry } from '../../protocol';
import type { RuntimeHost } from '../runtime/Runtime';

export const MAX_BATCH = 1000;

const realSetImmediate = setImmediate;

export class ConsoleBatcher {
  private entries: ConsoleEntry[] = [];
  private scheduled = false;

  constructor(private readonly host: RuntimeHost) {}

  push(entry: ConsoleEntry): void {
    this.entries.push(entry);
    if (this.entries.length >= MAX_BATCH) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      realSetImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (!this.entries.length) return;
    const entries = this.entries;
    this.entries = [];
    this.host.emit('console', { entries });
  }

  /** Entries not sent yet (for the exit notice written synchronously when the process exits). */
  drain(): ConsoleEntry[] {
    const entries = this.entries;
    this.entries = [];
    return entries;
  }
}
