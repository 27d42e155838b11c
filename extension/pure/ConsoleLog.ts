/**
 * One cell run's console entries. Pure (no vscode): keeps every entry in memory (bounded) for the renderer's
 * "show all", and builds the stored output, which keeps the first and last entries of a flood and counts the
 * ones left out, so a 100k-line loop stays a small output.
 */
import { continuesLine, pushConsoleEntry, type ConsoleEntry, type ConsoleOutput } from '../../protocol';
import { formatConsoleEntry } from '../../host/format/formatText';

/** Entries kept in memory per cell run for "show all". */
export const MAX_MEMORY_ENTRIES = 200_000;
/** Characters of the text/plain sibling of a console output. */
export const MAX_PLAIN_TEXT = 200_000;

export class ConsoleLog {
  private readonly entries: ConsoleEntry[] = [];
  private dropped = 0;
  private received = 0;

  constructor(private readonly maxStored: number) {}

  push(entries: ConsoleEntry[]): void {
    for (const e of entries) {
      this.received++;
      // text written without a line end and what continues it are one line (ConsoleEntry.open)
      if (this.entries.length < MAX_MEMORY_ENTRIES || continuesLine(this.entries[this.entries.length - 1], e)) pushConsoleEntry(this.entries, e);
      else this.dropped++;
    }
  }

  /** Entries kept or dropped (a continued line counts once). */
  get size(): number {
    return this.entries.length + this.dropped;
  }

  /** Entries received, joined or not: changes whenever the output does. */
  get revision(): number {
    return this.received;
  }

  all(): ConsoleEntry[] {
    return this.entries;
  }

  /** The output payload: everything when small, else head + tail and the omitted count. */
  output(): ConsoleOutput {
    const n = this.entries.length;
    if (n <= this.maxStored && !this.dropped) return { entries: this.entries.slice() };
    const head = Math.ceil(this.maxStored / 2);
    const tail = this.maxStored - head;
    return { entries: [...this.entries.slice(0, head), ...this.entries.slice(n - tail)], omitted: n - head - tail + this.dropped };
  }

  /** Plain text of the stored output (for saved files, copy, and renderers that are not ours). */
  plainText(label: (cellId: string) => string): string {
    const out = this.output();
    const lines: string[] = [];
    let size = 0;
    const head = out.omitted ? Math.ceil(this.maxStored / 2) : out.entries.length;
    for (const [i, e] of out.entries.entries()) {
      if (i === head && out.omitted) lines.push(`… ${out.omitted} lines omitted …`);
      const line = formatConsoleEntry(e, label);
      size += line.length + 1;
      if (size > MAX_PLAIN_TEXT) {
        lines.push('… (output cut)');
        break;
      }
      lines.push(line);
    }
    return lines.join('\n');
  }
}
