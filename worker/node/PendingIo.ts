/**
 * I/O the kernel's cells started that has not finished, as Node lists it (process.getActiveResourcesInfo: file
 * requests, DNS lookups, child processes, sockets, servers), less what the kernel itself holds (its IPC channel,
 * control pipe, watchdog thread and standard streams, counted once after start). Timers are left out: TimerTracker
 * reports them per cell. A runtime without the API (some Deno releases) reports nothing.
 */

/** Resource types that are timers (tracked per cell elsewhere) or the kernel's own bookkeeping. */
const NOT_IO = new Set(['Timeout', 'Immediate', 'TTYWrap']);

export class PendingIo {
  private baseline: Map<string, number> | undefined;

  /** Counts what the kernel itself holds, once: before the first cell runs. */
  settle(): void {
    this.baseline ??= counts(active());
  }

  pending(): string[] {
    const now = counts(active());
    const out: string[] = [];
    for (const [type, n] of now) {
      const extra = n - (this.baseline?.get(type) ?? 0);
      for (let i = 0; i < extra; i++) out.push(type);
    }
    return out;
  }
}

function active(): string[] {
  const info = (process as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo;
  return typeof info === 'function' ? info.call(process).filter((t) => !NOT_IO.has(t)) : [];
}

function counts(types: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of types) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}
