/**
 * Wraps the timer globals so each cell's timers, intervals and immediates are known: the host is told when a
 * cell still has background work after it finished (and when that work drains), an interrupt can clear the
 * interrupted cell's timers, and an error thrown in a timer callback is reported against its cell instead of
 * crashing the kernel. A timer that does not keep the process alive (`unref()`, as fetch's keep-alive timers are) is
 * listed and can be cleared, but is no background work of its cell: `coda run` does not wait for it, as Node would not.
 */
import { currentCell, originContext, runInCell, type AsyncOrigin, type CellContext } from './cellContext';

export type TimerKind = 'timeout' | 'interval' | 'immediate';

export interface TimerEntry {
  /** Stable id for `cancelWork` (`t<n>`). */
  id: string;
  kind: TimerKind;
  /** The delay asked for (timeouts and intervals). */
  ms?: number;
  /** Where it was created: the stack at creation (V8 formats it only when read) and the work that created it. */
  origin: AsyncOrigin;
  cellId: string;
  executionId: number;
  handle: unknown;
  /** It keeps the process alive (not `unref()`ed). */
  ref: boolean;
}

export interface TimerEvents {
  /** A cell's background work changed after the cell finished. */
  onWork(cellId: string, executionId: number, pending: number, kinds: TimerKind[]): void;
  /** A timer callback threw (`cell` carries the timer's origin: the error's async stack). */
  onError(error: unknown, cell: CellContext | undefined): void;
}

/** Taken before any cell runs: a cell may replace Error or its captureStackTrace. */
const captureStack = Error.captureStackTrace;

const API = { timeout: 'setTimeout', interval: 'setInterval', immediate: 'setImmediate' } as const;

const real = {
  setTimeout: globalThis.setTimeout,
  setInterval: globalThis.setInterval,
  setImmediate: globalThis.setImmediate,
  clearTimeout: globalThis.clearTimeout,
  clearInterval: globalThis.clearInterval,
  clearImmediate: globalThis.clearImmediate,
};

export class TimerTracker {
  private readonly entries = new Map<unknown, TimerEntry>();
  /** Live timers per cell that keep the process alive, kept in step with `entries` (a timer firing must not scan every timer). */
  private readonly counts = new Map<string, number>();
  private readonly running = new Set<string>();
  /** Timer classes whose ref() and unref() report here (watchRef). */
  private readonly watched = new WeakSet<object>();
  private seq = 0;

  constructor(private readonly events: TimerEvents) {}

  install(target: typeof globalThis): void {
    // the wrappers are `function`s (Node calls timers with their own `this`), so the tracker is named here
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    // Node's timer functions are overloaded: the wrappers pass whatever they were given
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const wrap = (kind: TimerKind, set: (...a: any[]) => unknown) =>
      function wrapper(this: unknown, callback: unknown, ...rest: unknown[]) {
        if (typeof callback !== 'function') return set.call(this, callback, ...rest);
        const creator = currentCell();
        const stack: { stack?: string } = {};
        if (creator) captureStack(stack, wrapper);
        // the callback runs attributed to the cell, with this timer as the last link of its origin
        const cell = creator && originContext(creator, { api: API[kind], stack });
        // assigned once set() returns; run() only reads it after that
        // eslint-disable-next-line prefer-const
        let handle: unknown;
        const run = (...args: unknown[]) => {
          const call = () => (callback as (...a: unknown[]) => unknown).apply(this, args);
          try {
            return cell ? runInCell(cell, call) : call();
          } catch (err) {
            self.events.onError(err, cell);
            return undefined;
          } finally {
            // after the callback, so its output is sent before the "work drained" notice
            if (kind !== 'interval') self.remove(handle);
          }
        };
        handle = set.call(this, run, ...rest);
        if (cell) {
          const ms = kind === 'immediate' ? undefined : Math.max(kind === 'interval' ? 1 : 0, Number(rest[0]) || 0);
          self.watchRef(handle);
          self.add(handle, { id: `t${++self.seq}`, kind, ms, origin: cell.origin!, cellId: cell.cellId, executionId: cell.executionId, handle, ref: true });
        }
        return handle;
      };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const clear = (clearFn: (h: any) => void) =>
      function (this: unknown, handle: unknown) {
        self.remove(self.resolve(handle));
        return clearFn.call(this, handle);
      };
    Object.assign(target, {
      setTimeout: Object.assign(wrap('timeout', real.setTimeout), real.setTimeout),
      setInterval: wrap('interval', real.setInterval),
      setImmediate: Object.assign(wrap('immediate', real.setImmediate), real.setImmediate),
      clearTimeout: clear(real.clearTimeout),
      clearInterval: clear(real.clearInterval),
      clearImmediate: clear(real.clearImmediate),
    });
  }

  /**
   * Hears `ref()` and `unref()` of the handles' class (Node's and Bun's Timeout and Immediate; Deno's web timers are
   * numbers, always counted), once per class: an unref'd timer stops counting as its cell's work, a ref'd one counts again.
   */
  private watchRef(handle: unknown): void {
    const proto = handle && typeof handle === 'object' ? (Reflect.getPrototypeOf(handle) as Record<string, unknown> | null) : null;
    if (!proto || this.watched.has(proto)) return;
    this.watched.add(proto);
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    for (const name of ['ref', 'unref'] as const) {
      const original = proto[name];
      if (typeof original !== 'function') continue;
      try {
        proto[name] = function (this: unknown, ...args: unknown[]) {
          const result = (original as (...a: unknown[]) => unknown).apply(this, args);
          self.refChanged(this, name === 'ref');
          return result;
        };
      } catch {
        // a runtime whose timer class is frozen: its timers count as they are made, as Deno's do
      }
    }
  }

  private refChanged(handle: unknown, ref: boolean): void {
    const e = this.entries.get(handle);
    if (!e || e.ref === ref) return;
    e.ref = ref;
    this.count(e.cellId, ref ? 1 : -1);
    if (!this.running.has(e.cellId)) {
      const mine = this.of(e.cellId);
      this.events.onWork(e.cellId, e.executionId, mine.length, kinds(mine));
    }
  }

  /** The cell is executing: drain notices wait until it finishes. */
  started(cellId: string): void {
    this.running.add(cellId);
  }

  /** The cell's execution ended: report its background work if any. Returns the pending count. */
  finished(cellId: string, executionId: number): number {
    this.running.delete(cellId);
    const mine = this.of(cellId);
    if (mine.length) this.events.onWork(cellId, executionId, mine.length, kinds(mine));
    return mine.length;
  }

  /** Clears a cell's timers (interrupt); with no cell, every cell's. */
  clear(cellId?: string): void {
    const cells = new Map<string, number>();
    for (const e of [...this.entries.values()]) {
      if (cellId !== undefined && e.cellId !== cellId) continue;
      this.stop(e);
      this.forget(e);
      cells.set(e.cellId, e.executionId);
    }
    for (const [id, exec] of cells) if (!this.running.has(id)) this.events.onWork(id, exec, 0, []);
  }

  /** Every live timer, oldest first (the pending-work listing). */
  list(): TimerEntry[] {
    return [...this.entries.values()];
  }

  /** Clears one timer by its id; false if it already ended. */
  cancel(id: string): boolean {
    const e = [...this.entries.values()].find((x) => x.id === id);
    if (!e) return false;
    this.stop(e);
    this.remove(e.handle);
    return true;
  }

  pending(cellId: string): number {
    return this.counts.get(cellId) ?? 0;
  }

  /** The cell's timers that keep the process alive: its background work. */
  private of(cellId: string): TimerEntry[] {
    return [...this.entries.values()].filter((e) => e.cellId === cellId && e.ref);
  }

  private stop(e: TimerEntry): void {
    if (e.kind === 'interval') real.clearInterval(e.handle as NodeJS.Timeout);
    else if (e.kind === 'timeout') real.clearTimeout(e.handle as NodeJS.Timeout);
    else real.clearImmediate(e.handle as NodeJS.Immediate);
  }

  private add(handle: unknown, entry: TimerEntry): void {
    this.entries.set(handle, entry);
    this.count(entry.cellId, 1);
  }

  private forget(e: TimerEntry): void {
    this.entries.delete(e.handle);
    if (e.ref) this.count(e.cellId, -1);
  }

  /** A timer of the cell started or stopped keeping the process alive. */
  private count(cellId: string, delta: 1 | -1): void {
    const n = this.pending(cellId) + delta;
    if (n > 0) this.counts.set(cellId, n);
    else this.counts.delete(cellId);
  }

  private remove(handle: unknown): void {
    const e = this.entries.get(handle);
    if (!e) return;
    this.forget(e);
    if (e.ref && !this.running.has(e.cellId) && this.pending(e.cellId) === 0) this.events.onWork(e.cellId, e.executionId, 0, []);
  }

  /** clearTimeout also accepts the numeric id a Timeout converts to. */
  private resolve(handle: unknown): unknown {
    if (typeof handle !== 'number' && typeof handle !== 'string') return handle;
    for (const h of this.entries.keys()) {
      const prim = (h as { [Symbol.toPrimitive]?: () => number })[Symbol.toPrimitive];
      if (prim && String(prim.call(h)) === String(handle)) return h;
    }
    return handle;
  }
}

function kinds(entries: TimerEntry[]): TimerKind[] {
  return [...new Set(entries.map((e) => e.kind))];
}
