/**
 * The top-level `await`s cells are stopped at, for the Pending Work view (`await fetchAll()`, at its cell line), and
 * a way to end one: Cancel rejects the await with an AbortError, so the cell goes on from there (and, unless it
 * catches that, ends with the error shown at that line), keeping the kernel and its variables.
 *
 * The transform routes only top-level awaits (outside any function) through hook(): a cell's own body runs one await
 * at a time, so each execution has at most one, replaced by its next await and dropped when the execution settles;
 * nothing is attached to promises the kernel or other code creates. An await inside a function shows as the top-level
 * await that waits for that function (`await main()`). The value goes through a fresh promise whose resolve function
 * is the only reaction on the awaited promise, which V8 follows when it builds async stack traces (`at async f`);
 * JavaScriptCore (Bun) does not, so a rejection that came through an await is remembered, and the cell's failure
 * names that await's line when its stack does not (awaitedFrom).
 */
import { types } from 'node:util';
import type { AwaitSite } from '../transform/transformCell';
import { intrinsicThen } from '../runtime/createDispatcher';
import { currentCell } from './cellContext';

/** Await sites remembered (those of the oldest cell runs are forgotten first). */
export const MAX_AWAIT_SITES = 20_000;

/** Taken before any cell runs (a cell may replace these). */
const NativePromise = Promise;
const isPromise = types.isPromise;
const getPrototypeOf = Object.getPrototypeOf;
const reflectHas = Reflect.has;
/** Where a cell may plant a `then` every object or function inherits (see hook()). */
const INHERITED_BY_ALL = [Array.prototype, Function.prototype];
/** The intrinsic Promise.prototype: a promise of a subclass or with another prototype is awaited as it is. */
const PROMISE_PROTOTYPE = Promise.prototype;

export interface KnownSite extends AwaitSite {
  cellId: string;
  cellLabel: string;
  /** The cell script's file name and the await's column in it: the frame an AbortError points at. */
  filename: string;
  generatedColumn: number;
}

export interface AwaitEntry {
  /** `a<execution>`: one per execution at a time. */
  id: string;
  site: KnownSite;
  /** The execution (and cell) that is awaiting. */
  cellId: string;
  executionId: number;
  reject(reason: unknown): void;
}

export class AwaitTracker {
  private readonly sites = new Map<number, KnownSite>();
  private readonly entries = new Map<number, AwaitEntry>();
  /** Per execution, the last rejection a top-level await passed on, and that await. */
  private readonly rejections = new Map<number, { reason: unknown; site: KnownSite }>();
  private nextId = 0;

  /** The id the next cell's first await site gets (TransformOptions.trackAsync.awaitBase). */
  get base(): number {
    return this.nextId;
  }

  /** The await sites of a cell script that is about to run, with ids from `base` on. */
  register(sites: readonly Omit<KnownSite, 'cellId' | 'cellLabel' | 'filename'>[], script: { cellId: string; cellLabel: string; filename: string }): void {
    for (const site of sites) this.sites.set(this.nextId++, { ...site, ...script });
    for (const oldest of this.sites.keys()) {
      if (this.sites.size <= MAX_AWAIT_SITES) break;
      this.sites.delete(oldest);
    }
  }

  /** What a top-level `await value` awaits instead of value (see the file comment). */
  hook(value: unknown, siteId: number): unknown {
    if (!isPromise(value) || getPrototypeOf(value) !== PROMISE_PROTOTYPE) return value;
    // resolving the relay with the value would adopt it if a `then` was planted where it inherits from: awaited as
    // it is, unlisted (a plain await never looks for a then on what a native promise fulfilled with)
    if (INHERITED_BY_ALL.some((proto) => reflectHas(proto, 'then'))) return value;
    const cell = currentCell();
    const site = this.sites.get(siteId);
    if (!cell || !site) return value;
    const { executionId } = cell;
    let reject!: (reason: unknown) => void;
    const promise = new NativePromise((resolve, rejectFn) => {
      reject = rejectFn;
      // the fulfil handler stays the resolve function itself: V8 follows only that one
      const passOn = (reason: unknown) => {
        this.rejections.set(executionId, { reason, site });
        rejectFn(reason);
      };
      Reflect.apply(intrinsicThen, value, [resolve, passOn]);
    });
    this.entries.set(executionId, { id: `a${executionId}`, site, cellId: cell.cellId, executionId, reject });
    return promise;
  }

  /** The execution went on to its next top-level statement: its last await is over. */
  over(executionId: number): void {
    this.entries.delete(executionId);
  }

  /** The execution settled. */
  settled(executionId: number): void {
    this.entries.delete(executionId);
    this.rejections.delete(executionId);
  }

  /** The await a cell's failure came through (the error it threw is what that await rejected with), if any. */
  awaitedFrom(executionId: number, error: unknown): KnownSite | undefined {
    const last = this.rejections.get(executionId);
    return last && last.reason === error ? last.site : undefined;
  }

  list(): AwaitEntry[] {
    return [...this.entries.values()];
  }

  cancel(id: string): boolean {
    const entry = [...this.entries.values()].find((e) => e.id === id);
    if (!entry) return false;
    this.entries.delete(entry.executionId);
    const error = cancelled(entry.site);
    this.rejections.set(entry.executionId, { reason: error, site: entry.site });
    entry.reject(error);
    return true;
  }
}

/** The AbortError the cancelled await throws, located at the await (its stack names the cell script's frame). */
function cancelled(site: KnownSite): Error {
  const error = new DOMException(`${site.text} was cancelled in the Pending Work view`, 'AbortError') as unknown as Error;
  Object.defineProperty(error, 'stack', {
    value: `AbortError: ${error.message}\n    at ${site.filename}:${site.line}:${site.generatedColumn}`,
    configurable: true,
    writable: true,
  });
  return error;
}
