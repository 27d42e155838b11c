/**
 * Output a sidecar prints past the console (Deno.stdout.write, Bun.write, native code, the runtime's own messages)
 * as console entries of the cell that is running (or ran last), batched per turn of the event loop.
 */
import { packConsole, type ConsoleEntry } from '../../protocol';
import type { RuntimeHost } from '../runtime/Runtime';

/** Characters of one line of raw output turned into a console entry. */
export const MAX_OUTPUT_LINE = 64 * 1024;
/** Raw output lines sent to the host in one console event. */
export const MAX_OUTPUT_BATCH = 1000;

export interface CellRef {
  cellId: string;
  executionId: number;
}

export class RawOutputConsole {
  private entries: ConsoleEntry[] = [];
  private pending: NodeJS.Immediate | undefined;

  constructor(private readonly host: RuntimeHost) {}

  line(method: 'log' | 'error', text: string, cell: CellRef | undefined): void {
    this.entries.push({
      method,
      level: method,
      cellId: cell?.cellId ?? '',
      executionId: cell?.executionId ?? 0,
      time: Date.now(),
      depth: 0,
      text: text.length > MAX_OUTPUT_LINE ? `${text.slice(0, MAX_OUTPUT_LINE)}…` : text,
    });
    if (this.entries.length >= MAX_OUTPUT_BATCH) this.flush();
    else this.pending ??= setImmediate(() => this.flush());
  }

  /** Sends what is held now (before a frame from the agent, so a cell's output keeps its order). */
  flush(): void {
    if (this.pending) clearImmediate(this.pending);
    this.pending = undefined;
    if (!this.entries.length) return;
    const entries = this.entries;
    this.entries = [];
    this.host.emit('console', packConsole(entries));
  }
}
