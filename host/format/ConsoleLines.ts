/**
 * Console output written a line at a time to a text sink (`coda run`'s terminal, Run Scratch's output channel), but for
 * text a cell wrote without a line end (ConsoleEntry.open): that stays on the sink's current line, as the cell meant
 * (progress dots, a prompt), and the text that continues it is written after it; anything else ends the line first.
 * Each piece of text is one `write`, and each line end another, so a sink may make the text safe piece by piece
 * (terminalSafe).
 */
import { continuesLine, pushConsoleEntry, type ConsoleEntry } from '../../protocol';

export class ConsoleLines {
  /** The console line left open, joined with what continued it (empty when no line is open). */
  private open: ConsoleEntry[] = [];

  constructor(private readonly write: (text: string) => void) {}

  /** A whole line of its own. */
  line(text: string): void {
    this.close();
    this.write(text);
    this.write('\n');
  }

  /** A console entry: `whole` is its line as printed alone, `piece` its text as printed where an open line goes on. */
  console(entry: ConsoleEntry, whole: () => string, piece: () => string): void {
    const continues = continuesLine(this.open[0], entry);
    if (!continues) this.close();
    this.write(continues ? piece() : whole());
    if (!entry.open) {
      this.open = [];
      this.write('\n');
    } else if (continues) pushConsoleEntry(this.open, entry);
    else this.open = [entry];
  }

  /** Ends a line left open. */
  close(): void {
    if (!this.open.length) return;
    this.open = [];
    this.write('\n');
  }
}
