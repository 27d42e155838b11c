/**
 * Watches promises the kernel shows (a cell's result, a scratch line's value) settle without attaching a handler to
 * them. A handler of the kernel's would count as the program's own: the runtime would no longer report a rejection
 * that nothing in the cells handled, and the kernel could not tell one that the cells did handle (`p.catch(…); p`).
 * Unwatched, the runtime's own unhandled-rejection check decides, as in Node's REPL; `settled` runs after that check.
 *
 * How a settlement is seen (a SettleSensor):
 * - Node and Deno: `v8.promiseHooks.onSettled`. The hook runs for every promise of the process while it is on
 *   (measured: awaits up to about 1.5x slower), so it is on only while a watched promise is pending;
 * - Bun, which has no promise hooks: `Bun.peek.status`, which reads a promise's state without a handler, every
 *   POLL_MS while one is watched (so a settled result shows up to that much later).
 *
 * Each promise is watched for at most WATCH_MS; after that, and where neither exists, the caller follows the promise
 * with a handler as before.
 */
import type { promiseHooks as PromiseHooks } from 'node:v8';
import { getBuiltin } from '../runtime/getBuiltin';
import { emptyArray, MapPrototypeDelete, MapPrototypeForEach, MapPrototypeGet, MapPrototypeGetSize, MapPrototypeSet, safePush } from './primordials';

/** The longest a promise is watched through the hook before its caller takes it over with a handler. */
export const WATCH_MS = 60_000;

/** What the runtime's unhandled-rejection check found about a promise: its rejection, which no handler took. */
export interface Unhandled {
  reason: unknown;
}

interface Watcher {
  /** Once it settled, after the runtime's unhandled-rejection check (`unhandled`: what it found, if anything). */
  settled(unhandled: Unhandled | undefined): void;
  /** Still pending after the watch's time. */
  timedOut(): void;
}

/** A promise whose rejection the runtime may find unhandled meanwhile (SettleWatch.unhandled). */
interface Check {
  unhandled?: Unhandled;
}

interface Watched extends Check {
  /** In the order they came (a prototype-less array, filled with define: safePush). */
  watchers: Watcher[];
  timer: ReturnType<typeof setTimeout>;
}

// taken before a cell can replace them
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;
const realSetImmediate = setImmediate;

/** Runs `then` once the runtime's unhandled-rejection check of what settled so far ran: Node, Deno and Bun run it once the microtasks ran, before the next immediate. */
function afterRejectionCheck(then: () => void): void {
  realSetImmediate(then);
}

/** How often Bun's watched promises are looked at. */
export const POLL_MS = 20;

/**
 * Starts calling `seen(p)` for promises that settle (among them the watched ones, which `watched` visits) and returns
 * its stop.
 */
export type SettleSensor = (seen: (p: Promise<unknown>) => void, watched: (visit: (p: Promise<unknown>) => void) => void) => () => void;

export type PromiseStatus = (p: Promise<unknown>) => 'pending' | 'fulfilled' | 'rejected';
/** Bun's, taken before a cell can replace it. */
const bunStatus = (globalThis as { Bun?: { peek?: { status?: PromiseStatus } } }).Bun?.peek?.status;
const realSetInterval = setInterval;
const realClearInterval = clearInterval;

/** The runtime's sensor (see the file's comment), or undefined where it has none. */
function runtimeSensor(): SettleSensor | undefined {
  try {
    const hooks = (getBuiltin('node:v8') as { promiseHooks?: typeof PromiseHooks }).promiseHooks;
    // Bun has the function, which throws "not yet implemented"
    hooks!.onSettled(() => undefined)();
    return (seen) => hooks!.onSettled(seen) as () => void;
  } catch {
    // no promise hooks
  }
  return typeof bunStatus === 'function' ? pollSensor(bunStatus) : undefined;
}

/** A sensor that reads each watched promise's state with `status` (which must attach no handler) every `pollMs`. */
export function pollSensor(status: PromiseStatus, pollMs = POLL_MS): SettleSensor {
  return (seen, watched) => {
    const timer = realSetInterval(() => {
      const settled = emptyArray<Promise<unknown>>();
      watched((p) => {
        if (status(p) !== 'pending') safePush(settled, p);
      });
      for (let i = 0; i < settled.length; i++) seen(settled[i]!);
    }, pollMs);
    (timer as { unref?: () => void }).unref?.();
    return () => realClearInterval(timer);
  };
}

export class SettleWatch {
  private readonly watched = new Map<Promise<unknown>, Watched>();
  /** Watched promises until their watchers ran, and settled ones while checked(): where unhandled() records. */
  private readonly checking = new Map<Promise<unknown>, Check>();
  private stop: (() => void) | undefined;

  /** The runtime's sensor: looked up at the first watch (node:v8 is not loaded for a kernel that never needs it). */
  private sensor: SettleSensor | undefined | null = null;

  /** `sensor`: the runtime's unless given (a test's). */
  constructor(
    private readonly watchMs = WATCH_MS,
    sensor?: SettleSensor,
  ) {
    if (sensor) this.sensor = sensor;
  }

  /**
   * Watches `promise` (pending): `settled` once it settles, after the runtime's unhandled-rejection check, or
   * `timedOut` once it was pending for the watch's time (one time for all the watchers of a promise). False, and
   * nothing done, where the runtime cannot watch.
   */
  watch(promise: Promise<unknown>, settled: Watcher['settled'], timedOut: () => void): boolean {
    if (this.sensor === null) this.sensor = runtimeSensor();
    if (!this.sensor) return false;
    const known = MapPrototypeGet(this.watched, promise);
    if (known) {
      safePush(known.watchers, { settled, timedOut });
      return true;
    }
    const timer = realSetTimeout(() => {
      const w = this.forget(promise);
      MapPrototypeDelete(this.checking, promise);
      this.stopIfIdle();
      if (w) for (let i = 0; i < w.watchers.length; i++) w.watchers[i]!.timedOut();
    }, this.watchMs);
    (timer as { unref?: () => void }).unref?.();
    const watchers = emptyArray<Watcher>();
    safePush(watchers, { settled, timedOut });
    const w: Watched = { watchers, timer };
    MapPrototypeSet(this.watched, promise, w);
    MapPrototypeSet(this.checking, promise, w);
    this.stop ??= this.sensor(
      (p) => this.seen(p),
      (visit) => MapPrototypeForEach(this.watched, (_w: Watched, p: Promise<unknown>) => visit(p)),
    );
    return true;
  }

  /**
   * A settled promise, checked: what the runtime's unhandled-rejection check found about it once it ran. Attach no
   * handler to it before this resolves.
   */
  async checked(promise: Promise<unknown>): Promise<Unhandled | undefined> {
    const check: Check = {};
    MapPrototypeSet(this.checking, promise, check);
    await new Promise<void>((after) => afterRejectionCheck(() => after()));
    MapPrototypeDelete(this.checking, promise);
    return check.unhandled;
  }

  /**
   * The runtime found `promise`'s rejection unhandled (its `unhandledRejection`): true, and recorded for its watchers
   * or checked(), when it is watched or checked; false for any other promise.
   */
  unhandled(promise: Promise<unknown>, reason: unknown): boolean {
    const check = MapPrototypeGet(this.checking, promise);
    if (!check) return false;
    check.unhandled = { reason };
    return true;
  }

  /** Stops watching everything (the kernel's end). */
  dispose(): void {
    this.stop?.();
    this.stop = undefined;
  }

  /** From the sensor (in the hook: for every promise that settles): never throws, defers the watchers' work and the stop. */
  private seen(p: Promise<unknown>): void {
    const w = this.forget(p);
    if (!w) return;
    afterRejectionCheck(() => {
      MapPrototypeDelete(this.checking, p);
      this.stopIfIdle();
      for (let i = 0; i < w.watchers.length; i++) w.watchers[i]!.settled(w.unhandled);
    });
  }

  /** Takes `promise` out of the watch: undefined when it was not in it. */
  private forget(promise: Promise<unknown>): Watched | undefined {
    const w = MapPrototypeGet(this.watched, promise);
    if (!w) return undefined;
    realClearTimeout(w.timer);
    MapPrototypeDelete(this.watched, promise);
    return w;
  }

  /** The sensor off once no promise is watched. */
  private stopIfIdle(): void {
    if (MapPrototypeGetSize(this.watched) === 0) this.dispose();
  }
}
