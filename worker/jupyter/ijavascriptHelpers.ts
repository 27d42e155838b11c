/**
 * ijavascript's `$$` (its per-request context): `$$.html/svg/png/jpeg/text/json/mime` show a result, `$$.async()`
 * says the result comes later through `$$.sendResult` / `$$.sendError` / `$$.done`, and objects may render themselves
 * with `_toMime/_toHtml/_toSvg/_toPng/_toJpeg`. In CodaJS a cell that called `$$.async()` finishes when the kernel
 * awaits `takeCompletion()`; without that, the cell ends at once and the late result still shows in it.
 * `$$.display(id)` is a display with a display id: as in ijavascript (jp-kernel's handlers), its first output in a cell
 * execution is a new one (which also shows in the outputs that id already has), and later ones in the same execution
 * replace them; `$$.display()` without an id adds an output each time.
 */
import { inspect } from 'node:util';
import { dataMethod } from './dataMethod';
import { displayIdOf, type DisplayTarget, type MediaBundle, type Notice, type ShowBundle } from './denoJupyter';

/** ijavascript's rendering methods on a value, and the MIME type each returns. */
const RENDER_METHODS: readonly [string, string][] = [
  ['_toHtml', 'text/html'],
  ['_toSvg', 'image/svg+xml'],
  ['_toPng', 'image/png'],
  ['_toJpeg', 'image/jpeg'],
];

/** The bundle ijavascript shows for a result: the value's own rendering method if it has one, else its inspection. */
export function ijavascriptBundle(value: unknown): MediaBundle {
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
    const v = value as Record<string, unknown>;
    if (typeof v._toMime === 'function') return v._toMime() as MediaBundle;
    for (const [method, mime] of RENDER_METHODS) if (typeof v[method] === 'function') return { [mime]: (v[method] as () => unknown)() };
  }
  return { 'text/plain': inspect(value) };
}

/** Whether a result renders itself the ijavascript way, found without a getter or a Proxy trap running. */
export function hasIjavascriptRendering(value: unknown): boolean {
  return dataMethod(value, '_toMime') !== undefined || RENDER_METHODS.some(([m]) => dataMethod(value, m) !== undefined);
}

interface Pending {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
  /** The kernel awaits this cell's completion: errors go to it rather than to the cell's background work. */
  awaited: boolean;
}

/** `execution`: which cell execution is running (ijavascript tracks display ids per execute request). */
export function createIjavascript(show: ShowBundle, notice: Notice, execution: () => unknown = () => undefined) {
  let pending: Pending | undefined;
  const settle = (err?: { error: unknown }) => {
    const p = pending;
    pending = undefined;
    if (!err) return p?.resolve();
    if (p?.awaited) return p.reject(err.error);
    p?.resolve();
    // nobody awaits the cell: fail it the way a throwing timer does, as its background error
    setTimeout(() => {
      throw err.error;
    }, 0);
  };
  const sender = (what: string, bundleOf: (v: never) => MediaBundle) => (value: never, keepAlive?: boolean, target?: () => DisplayTarget) => {
    show(bundleOf(value), `$$.${what}`, target?.());
    if (!keepAlive) settle();
  };
  /** The execution in which each display id was first shown: later sends in that execution are updates. */
  const shownIn = new Map<string, unknown>();
  const methods = {
    mime: sender('mime', (b: MediaBundle) => b),
    text: sender('text', (s: string) => ({ 'text/plain': String(s) })),
    html: sender('html', (s: string) => ({ 'text/html': String(s) })),
    svg: sender('svg', (s: string) => ({ 'image/svg+xml': String(s) })),
    png: sender('png', (b64: string) => ({ 'image/png': b64 })),
    jpeg: sender('jpeg', (b64: string) => ({ 'image/jpeg': b64 })),
    json: sender('json', (v: unknown) => ({ 'application/json': v })),
    sendResult: sender('sendResult', (v: unknown) => ijavascriptBundle(v)),
    sendError: (error: unknown, keepAlive?: boolean) =>
      keepAlive
        ? setTimeout(() => {
            throw error;
          }, 0)
        : settle({ error }),
  };
  const $$ = {
    ...methods,
    async: (flag = true) => {
      if (!flag) return settle();
      if (!pending) {
        let resolve!: () => void;
        let reject!: (err: unknown) => void;
        const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
        pending = { promise, resolve, reject, awaited: false };
      }
    },
    done: (result?: unknown) => (result === undefined ? settle() : methods.sendResult(result as never)),
    display: (id?: string) => {
      const displayId = displayIdOf(id);
      const target = (): DisplayTarget => {
        if (displayId === undefined) return {};
        const now = execution();
        const update = shownIn.has(displayId) && shownIn.get(displayId) === now;
        shownIn.set(displayId, now);
        return { displayId, update };
      };
      const keep =
        <F extends (v: never, keepAlive?: boolean, target?: () => DisplayTarget) => void>(f: F) =>
        (v: Parameters<F>[0]) =>
          f(v, true, target);
      return {
        mime: keep(methods.mime),
        text: keep(methods.text),
        html: keep(methods.html),
        svg: keep(methods.svg),
        png: keep(methods.png),
        jpeg: keep(methods.jpeg),
        json: keep(methods.json),
        close: () => undefined,
      };
    },
    clear: () => notice("$$.clear() was ignored: CodaJS does not clear a cell's outputs while it runs"),
    input: () => {
      throw new Error('$$.input() is not supported: a CodaJS cell cannot ask for input while it runs');
    },
  };
  return {
    $$,
    /** The completion of a cell that called `$$.async()`, for the kernel to await; undefined when it did not. */
    takeCompletion(): Promise<void> | undefined {
      if (!pending) return undefined;
      pending.awaited = true;
      return pending.promise;
    },
  };
}
