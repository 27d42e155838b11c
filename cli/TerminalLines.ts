/**
 * What `coda run` prints to stdout, a line at a time, but for console text a cell wrote without a line end
 * (ConsoleEntry.open): that stays on the terminal's current line, as the cell meant (progress dots, a prompt), and the
 * text that continues it is written after it; anything else ends the line first. On a terminal (`tty`), a line whose
 * text carries carriage returns (`\r50%`, `\r100%`) is written again in place, as the runtime's own terminal would show
 * it (overstrike); written to a pipe or a file, the pieces go out as they come. Everything the cells wrote passes
 * terminalSafe: the only control sequences that reach the terminal are the runner's own.
 */
import { continuesLine, overstrike, pushConsoleEntry, type ConsoleEntry } from '../protocol';
import { terminalSafe } from '../host/format/terminalSafe';

/** A console entry as printed: alone on its line (`piece` false), or as the text that continues an open line. */
export type FormatEntry = (entry: ConsoleEntry, piece: boolean) => string;

/** Back to the start of the line, and the line cleared: the runner's own sequence, never a cell's. */
const REWRITE = '\r\x1b[K';

export class TerminalLines {
  /** The console line left open, joined with what continued it (empty when no line is open). */
  private open: ConsoleEntry[] = [];

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty = false,
  ) {}

  /** A whole line of its own. */
  line(text: string): void {
    this.close();
    this.write(`${terminalSafe(text)}\n`);
  }

  console(entry: ConsoleEntry, format: FormatEntry): void {
    const held = this.open[0];
    const continues = continuesLine(held, entry);
    if (!continues) this.close();
    const shown = (e: ConsoleEntry) => terminalSafe(format(this.tty ? { ...e, text: overstrike(e.text).replace(/\r$/, '') } : e, false));
    if (!continues) this.write(shown(entry));
    else if (this.tty && (entry.text.includes('\r') || held!.text.endsWith('\r'))) {
      pushConsoleEntry(this.open, entry);
      this.write(REWRITE + shown(this.open[0]!));
    } else this.write(terminalSafe(format(entry, true)));
    if (!entry.open) {
      this.open = [];
      this.write('\n');
    } else if (!continues) this.open = [entry];
    else if (this.open[0] === held) pushConsoleEntry(this.open, entry);
  }

  /** Ends a line left open. */
  close(): void {
    if (!this.open.length) return;
    this.open = [];
    this.write('\n');
  }
}
