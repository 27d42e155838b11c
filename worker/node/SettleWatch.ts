/**
 * Watches promises the kernel shows (a cell's result, a scratch line's value) settle without attaching a handler to
 * them, through `v8.promiseHooks.onSettled` (Node, Deno). A handler of the kernel's would count as the program's own:
 * the runtime would no longer report a rejection that nothing in the cells handled, and the kernel could not tell one
 * that the cells did handle (`p.catch(…); p`). Unwatched, the runtime's own unhandled-rejection check decides, as in
 * Node's REPL; `settled` runs after that check.
 *
 * The hook runs for every promise of the process while it is on (measured: awaits up to about 1.5x slower), so it is
 * on only while a watched promise is pending, and for at most WATCH_MS per promise; after that, and where the runtime
 * has no promise hooks (Bun), the caller follows the promise with a handler as before.
 */
import type { promiseHooks as PromiseHooks } from 'node:v8';
import { getBuiltin } from '../runtime/getBuiltin';
import { emptyArray, MapPrototypeDelete, MapPrototypeGet, MapPrototypeGetSize, MapPrototypeSet, safePush } from './primordials';

/** The longest a promise is watched through the hook before its caller takes it over with a handler. */
export const WATCH_MS = 60_000;

interface Watcher {
  /** Once it settled, after the runtime's unhandled-rejection check. */
  settled(): void;
  /** Still pending after the watch's time. */
  timedOut(): void;
}

interface Watched {
  /** In the order they came (a prototype-less array, filled with define: safePush). */
  watchers: Watcher[];
  timer: ReturnType<typeof setTimeout>;
}

// taken before a cell can replace them
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;
const realSetImmediate = setImmediate;

/** The runtime's `onSettled`, or undefined where it has none or it throws (Bun: "not yet implemented"). */
function settledHook(): typeof PromiseHooks.onSettled | undefined {
  try {
    const hooks = (getBuiltin('node:v8') as { promiseHooks?: typeof PromiseHooks }).promiseHooks;
    if (typeof hooks?.onSettled !== 'function') return undefined;
    hooks.onSettled(() => undefined)();
    return hooks.onSettled.bind(hooks);
  } catch {
    return undefined;
  }
}

export class SettleWatch {
  private readonly watched = new Map<Promise<unknown>, Watched>();
  private stop: (() => void) | undefined;

  /** The runtime's hook: looked up at the first watch (node:v8 is not loaded for a kernel that never needs it). */
  private onSettled: typeof PromiseHooks.onSettled | undefined | null = null;

  /** `hook`: the runtime's onSettled unless given (a test's). */
  constructor(
    private readonly watchMs = WATCH_MS,
    hook?: typeof PromiseHooks.onSettled,
  ) {
    if (hook) this.onSettled = hook;
  }

  /**
   * Watches `promise` (pending): `settled` once it settles, after the runtime's unhandled-rejection check, or
   * `timedOut` once it was pending for the watch's time (one time for all the watchers of a promise). False, and
   * nothing done, where the runtime cannot watch.
   */
  watch(promise: Promise<unknown>, settled: () => void, timedOut: () => void): boolean {
    if (this.onSettled === null) this.onSettled = settledHook();
    if (!this.onSettled) return false;
    const known = MapPrototypeGet(this.watched, promise);
    if (known) {
      safePush(known.watchers, { settled, timedOut });
      return true;
    }
    const timer = realSetTimeout(() => {
      const w = this.forget(promise);
      this.stopIfIdle();
      if (w) for (let i = 0; i < w.watchers.length; i++) w.watchers[i]!.timedOut();
    }, this.watchMs);
    (timer as { unref?: () => void }).unref?.();
    const watchers = emptyArray<Watcher>();
    safePush(watchers, { settled, timedOut });
    MapPrototypeSet(this.watched, promise, { watchers, timer });
    this.stop ??= this.onSettled((p) => this.seen(p)) as () => void;
    return true;
  }

  /** Stops watching everything (the kernel's end). */
  dispose(): void {
    this.stop?.();
    this.stop = undefined;
  }

  /** In the hook, for every promise that settles: never throws, and defers the watchers' work (and the hook's stop). */
  private seen(p: Promise<unknown>): void {
    const w = this.forget(p);
    if (!w) return;
    // Node, Deno and Bun tell unhandled rejections once the microtasks ran, before the next immediate
    realSetImmediate(() => {
      this.stopIfIdle();
      for (let i = 0; i < w.watchers.length; i++) w.watchers[i]!.settled();
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

  /** The hook off once no promise is watched. */
  private stopIfIdle(): void {
    if (MapPrototypeGetSize(this.watched) === 0) this.dispose();
  }
}
