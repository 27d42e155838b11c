/**
 * Which cell started the work that is running now, so console output printed later (timers, promises,
 * events) is attributed to the right cell.
 *
 * Node >= 24 (and 22.9+ and 23, where the host turns it on): AsyncLocalStorage runs on AsyncContextFrame (no async
 * hooks), so attribution follows every
 * promise and callback, and terminating a runaway cell stays safe.
 * Node 20: AsyncLocalStorage needs async hooks, and terminating JavaScript in the middle of a hook's
 * push/pop aborts the process. So there it is not used: timers are bound explicitly by TimerTracker, and
 * other continuations are attributed to the most recently started cell.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ScriptPlace } from '../../protocol';

/**
 * How the work running now was started, back to the cell: each link is the call that scheduled it (a timer, a
 * server's listen…) with its creation stack, or the top-level statement of the cell that was running. An uncaught
 * error reports it as its async stack (asyncStack.ts); the Pending Work view locates work by it.
 */
export interface AsyncOrigin {
  /** The API that scheduled the work (`setTimeout`, `listen`, `Deno.serve`…); absent for a top-level statement. */
  api?: string;
  /** Holds the creation stack (V8 formats it only when read). */
  stack?: { stack?: string };
  /** A top-level statement of a cell (no stack: its place is known from the transform). */
  statement?: { cellId: string; cellLabel: string; script?: ScriptPlace; line: number; column: number };
  parent?: AsyncOrigin;
}

export interface CellContext {
  cellId: string;
  cellLabel: string;
  executionId: number;
  /** The script filename V8 reports for this cell's frames. */
  filename: string;
  /** Scratch mode: report line values and console call lines. */
  instrument: boolean;
  /** The cell is part of a script (ExecuteParams.script): its frames name the script's lines. */
  script?: ScriptPlace;
  /** Set on the contexts work runs in (a timer callback, a server's events, a top-level statement's continuations). */
  origin?: AsyncOrigin;
}

/** The script name V8 reports for a cell's frames (one per run, under the notebook's folder). */
export const cellScriptName = (seq: number): string => `__coda_cell_${seq}__.js`;
/** A frame of a cell's script, on any stack. */
export const CELL_SCRIPT = /__coda_cell_\d+__\.js/;

/**
 * True where AsyncLocalStorage does not enable async hooks: AsyncContextFrame is the default from Node 24, and the
 * host turns it on for Node 22.9+ and 23 (host/kernel/nodeVersionFlags.ts).
 */
export const PRECISE_ATTRIBUTION =
  (Number(process.versions.node.split('.')[0]) >= 24 && !process.execArgv.includes('--no-async-context-frame')) ||
  process.execArgv.includes('--experimental-async-context-frame');

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

/** Links an origin chain keeps (a timer that re-arms itself from its callback would otherwise chain every run). */
export const MAX_ORIGIN_LINKS = 8;

/** The context work scheduled from `cell` runs in: the same cell, one more link in its origin. */
export function originContext(cell: CellContext, origin: Omit<AsyncOrigin, 'parent'>): CellContext {
  return { ...cell, origin: { ...origin, parent: bounded(cell.origin, MAX_ORIGIN_LINKS - 1) } };
}

/** The chain as it is when it is short enough, else a copy of its first `links` links. */
function bounded(origin: AsyncOrigin | undefined, links: number): AsyncOrigin | undefined {
  let depth = 0;
  for (let o = origin; o && depth <= links; o = o.parent) depth++;
  if (depth <= links) return origin;
  const copy = (o: AsyncOrigin | undefined, n: number): AsyncOrigin | undefined => (o && n > 0 ? { ...o, parent: copy(o.parent, n - 1) } : undefined);
  return copy(origin, links);
}

/**
 * A top-level statement of the running cell starts (the transform calls this before each one): what it schedules
 * carries that line, so an error in a promise continuation it started reaches back to it. Only where attribution
 * follows continuations (AsyncLocalStorage on AsyncContextFrame); the context ends with the cell's own frames.
 */
export function enterStatement(line: number, column: number): void {
  const cell = storage?.getStore();
  if (!cell) return;
  // top-level code runs in the cell's own context or a statement's: the new statement replaces the last one
  const statement = { cellId: cell.cellId, cellLabel: cell.cellLabel, line, column, ...(cell.script && { script: cell.script }) };
  storage!.enterWith({ ...cell, origin: { statement } });
}

/** The attributed cell, or the last cell that started when the work's origin is not known. */
export function currentCell(): CellContext | undefined {
  return storage?.getStore() ?? active ?? lastStarted;
}

/** The cell the work running now is known to belong to (Node 24's context, or a timer's binding on Node 20), not guessed. */
export function boundCell(): CellContext | undefined {
  return storage?.getStore() ?? active;
}
