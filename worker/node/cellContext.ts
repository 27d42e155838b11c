/**
 * Which cell started the work that is running now, so console output printed later (timers, promises,
 * events) is attributed to the right cell.
 *
 * Node >= 24: AsyncLocalStorage runs on AsyncContextFrame (no async hooks), so attribution follows every
 * promise and callback, and terminating a runaway cell stays safe.
 * Node 20: AsyncLocalStorage needs async hooks, and terminating JavaScript in the middle of a hook's
 * push/pop aborts the process. So there it is not used: timers are bound explicitly by TimerTracker, and
 * other continuations are attributed to the most recently started cell.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CellContext {
  cellId: string;
  cellLabel: string;
  executionId: number;
  /** The script filename V8 reports for this cell's frames. */
  filename: string;
  /** Scratch mode: report line values and console call lines. */
  instrument: boolean;
}

/** The script name V8 reports for a cell's frames (one per run, under the notebook's folder). */
export const cellScriptName = (seq: number): string => `__coda_cell_${seq}__.js`;
/** A frame of a cell's script, on any stack. */
export const CELL_SCRIPT = /__coda_cell_\d+__\.js/;

/** True where AsyncLocalStorage does not enable async hooks (AsyncContextFrame is the default from Node 24). */
export const PRECISE_ATTRIBUTION = Number(process.versions.node.split('.')[0]) >= 24 && !process.execArgv.includes('--no-async-context-frame');

const storage = PRECISE_ATTRIBUTION ? new AsyncLocalStorage<CellContext>() : undefined;
let active: CellContext | undefined;
let lastStarted: CellContext | undefined;

/** Runs fn attributed to ctx (and, on Node 24, everything it schedules). */
export function runInCell<T>(ctx: CellContext, fn: () => T): T {
  if (storage) return storage.run(ctx, fn);
  const previous = active;
  active = ctx;
  try {
    return fn();
  } finally {
    active = previous;
  }
}

export function enterCell(ctx: CellContext): void {
  lastStarted = ctx;
}

/** The attributed cell, or the last cell that started when the work's origin is not known. */
export function currentCell(): CellContext | undefined {
  return storage?.getStore() ?? active ?? lastStarted;
}
