/**
 * Runs INSIDE the isolate (stringified, see sandboxPrelude.ts), once per context: self-contained, ECMAScript
 * built-ins only. Installs the globals a cell sees (console, timers, display, env, fetch, queueMicrotask) and the
 * transform's hooks, and returns `dispatch`, the one function the host calls. The only way out is `host`, a
 * function that takes and returns a JSON string; it never leaves this closure, and every prelude function is strict
 * (no `caller`/`arguments.callee` walk reaches it).
 *
 * What the prelude keeps of one cell's work (timers and their arguments, pending fetches, console entries) is read
 * and written with methods captured now, and the records it makes and reads again (a fetch's request, the entries of
 * the maps, property descriptors) have no prototype: a cell that replaces Map or Array methods, or puts getters and
 * setters on Object.prototype or on array indexes, never sees nor changes another cell's.
 */
/* eslint-disable */
import type { FetchRequestData } from './makeFetchApis';

export interface PreludeConfig {
  kernelId: string;
  env: Record<string, string>;
  limits: Record<string, number>;
  /** The notebook's secret values, masked inside the isolate before any text is cut. */
  masked?: string[];
}

export function preludeMain(
  host: (json: string) => string,
  configJson: string,
  makeInspector: any,
  makeConsole: any,
  makeCodec: any,
  makeWebApis: any,
  makeDecoratorRuntime: any,
  makeBindingGuard: any,
  makeHtmlEscape: any,
  makeProxyRegistry: any,
  makeDrawTable: any,
): (json: string) => string {
  'use strict';
  const g: any = globalThis;
  const O = Object;
  const define = O.defineProperty;
  const freeze = O.freeze;
  const apply = Reflect.apply;
  const parse = JSON.parse;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const RangeErrorCtor = RangeError;
  const PromiseCtor = Promise;
  const promiseThen = Promise.prototype.then;
  const resolved = Promise.resolve();
  const MapCtor = Map;
  const StringCtor = String;
  const NumberCtor = Number;
  const isView = ArrayBuffer.isView;
  const gOPD = O.getOwnPropertyDescriptor;
  const keysOf = O.keys;
  const isArray = Array.isArray;
  const hasOwn = O.hasOwn;
  const WeakSetCtor = WeakSet;
  const weakHas = WeakSet.prototype.has;
  const weakAdd = WeakSet.prototype.add;
  // the maps of timers, fetches and console budgets, read with Map's methods as they are now
  const mapGet = MapCtor.prototype.get;
  const mapSet = MapCtor.prototype.set;
  const mapHas = MapCtor.prototype.has;
  const mapDelete = MapCtor.prototype.delete;
  const mapEntries = MapCtor.prototype.entries;
  const mapSize = gOPD(MapCtor.prototype, 'size')!.get!;
  const mapIteratorNext = O.getPrototypeOf(new MapCtor().entries()).next;
  /** Each entry of a map, through the captured iterator (a cell's replaced one never sees them). */
  const eachEntry = <K, V>(m: Map<K, V>, fn: (k: K, v: V) => void) => {
    const entries = apply(mapEntries, m, []);
    for (let r: any = apply(mapIteratorNext, entries, []); !r.done; r = apply(mapIteratorNext, entries, [])) fn(r.value[0], r.value[1]);
  };
  /** A property descriptor without a prototype (ToPropertyDescriptor reads `get` and `set` through one otherwise). */
  const descriptor = (value: unknown, enumerable: boolean): PropertyDescriptor =>
    ({ __proto__: null, value, writable: true, configurable: true, enumerable }) as PropertyDescriptor;
  /** Appends without a setter a cell put on an array index. */
  const push = (list: unknown[], v: unknown) => define(list, list.length, descriptor(v, true));
  /** Owner of the Variables view's handles (TopLevelBindings.ts VARIABLES_OWNER; the prelude is self-contained). */
  const VARIABLES_OWNER = '\u0000variables';

  const config = parse(configJson);
  const L = config.limits;
  const codec = makeCodec();

  type Meta = { __proto__: null; cellId: string; executionId: number; instrument: boolean };
  let cur: Meta = { __proto__: null, cellId: '', executionId: 0, instrument: false };

  const call = (msg: unknown): any => {
    const reply = host(codec.toJson(msg));
    return typeof reply === 'string' ? parse(reply) : {};
  };
  // URL, TextEncoder, structuredClone, crypto… (makeWebApis.ts): previewed from their own state
  // AbortSignal.timeout runs on the prelude's own setTimeout (defined below), never on one a cell put in its place
  let internalTimeout: ((fn: () => void, ms: number) => unknown) | undefined;
  const web = makeWebApis(call, (fn: () => void, ms: number) => internalTimeout!(fn, ms), codec);
  // the `Proxy` cells get (installed below), which tells the formatter what each proxy wraps: it never runs a trap
  const proxies = makeProxyRegistry();
  const inspector = makeInspector({ ...L, kernelId: config.kernelId, masked: config.masked }, web.preview, push, proxies.proxyOf);
  /** A key of a message from the host, only if it is the message's own (not a getter a cell put on Object.prototype). */
  const own = (o: any, k: string): any => (o !== null && typeof o === 'object' && apply(hasOwn, O, [o, k]) ? o[k] : undefined);
  const makeError = (data: any): Error => {
    const e = new ErrorCtor(StringCtor(own(data, 'message') ?? 'unknown error'));
    define(e, 'name', descriptor(StringCtor(own(data, 'name') ?? 'Error'), false));
    const props = own(data, 'props');
    if (props && typeof props === 'object') {
      const keys = keysOf(props);
      for (let i = 0; i < keys.length; i++) define(e, keys[i]!, descriptor(props[keys[i]!], true));
    }
    return e;
  };

  // ---- console: batched, bounded per execution ----
  // without a prototype: appended to directly (a defineProperty per entry cost the 100k-line flood 24%), and a setter a
  // cell put on an index of Array.prototype or Object.prototype is never reached
  const newBatch = (): any[] => O.setPrototypeOf([], null) as any[];
  let pending: any[] = newBatch();
  let flushQueued = false;
  const spent = new MapCtor<number, number>();
  const flush = () => {
    flushQueued = false;
    if (!pending.length) return;
    const entries = pending;
    pending = newBatch();
    call({ t: 'console', entries });
  };
  const sink = (e: any) => {
    const used = ((apply(mapGet, spent, [e.executionId]) as number | undefined) ?? 0) + e.text.length + 64;
    apply(mapSet, spent, [e.executionId, used]);
    if (used > L.maxConsoleCharsPerCell) {
      if (used - e.text.length - 64 > L.maxConsoleCharsPerCell) return;
      e.text = `… console output of this cell passed ${L.maxConsoleCharsPerCell} characters; the rest is dropped`;
      e.level = 'warn';
      e.method = 'warn';
      delete e.values;
      delete e.stack;
    }
    pending[pending.length] = e;
    if (pending.length >= L.maxConsoleBatch) flush();
    else if (!flushQueued) {
      flushQueued = true;
      apply(promiseThen, resolved, [flush]);
    }
  };
  // console.time reads the prelude's own performance.now, as it is now (a cell's replacing it changes nothing there)
  const drawTable: (columns: string[], rows: string[][]) => string = makeDrawTable();
  const { console: sandboxConsole } = makeConsole(inspector, sink, () => cur, L, web.globals.performance.now, drawTable, push);

  // ---- reporting ----
  const report = (meta: Meta, err: unknown, from?: 'result' | 'line') => {
    flush();
    call({ t: 'uncaught', cellId: meta.cellId, executionId: meta.executionId, error: inspector.errorData(err), from });
  };
  /**
   * Promises the cells handled. V8 marks a promise handled once anything reacts to it, and the isolate does not say
   * which are: the prelude notes the promises `then` is called on (see `Promise.prototype.then` below), which
   * `catch`, `finally`, `Promise.all` and its kin and an async function returning one call too. Only `await p` reacts
   * without calling it.
   */
  const handledByCells = new WeakSetCtor<object>();
  const handled = (p: unknown) => apply(weakHas, handledByCells, [p]);
  /** Promises whose rejection the kernel reports (a cell's result, a scratch line's value): each one once. */
  const followed = new WeakSetCtor<object>();
  const claimRejection = (p: object): boolean => {
    if (apply(weakHas, followed, [p])) return false;
    apply(weakAdd, followed, [p]);
    return true;
  };
  const watchRejection = (meta: Meta, result: unknown) => {
    if (inspector.isPromise(result) && claimRejection(result as object)) apply(promiseThen, result, [undefined, (err: unknown) => report(meta, err)]);
  };
  /**
   * A pending promise the kernel shows: `settled` runs once it settles (after the console output before it), and
   * its rejection is the cell's uncaught error, reported once per promise (NodeRuntime.follow).
   */
  const follow = (meta: Meta, p: unknown, from: 'result' | 'line', settled: () => void) => {
    const reports = claimRejection(p as object);
    const shown = () => {
      flush();
      settled();
    };
    apply(promiseThen, p, [
      shown,
      (err: unknown) => {
        shown();
        // a rejection the cells handle by the time it comes is theirs (`p.catch(…); p`, or a later cell's catch)
        if (reports && !handled(p)) report(meta, err, from);
      },
    ]);
  };

  /**
   * A promise the cell returned (tracked, so nothing else reports its rejection): a rejection, now or later, is the
   * cell's uncaught error, and one pending when the cell ended is shown again once it settles (NodeRuntime.followResult).
   */
  const followResult = (meta: Meta, p: unknown) => {
    const s = inspector.promiseStateOf(p as object);
    // rejected already: reported now, before the cell's result (a runner does not go on to the next cell first)
    if (s?.state === 'rejected') return void (!handled(p) && claimRejection(p as object) && report(meta, s.value, 'result'));
    if (s?.state !== 'pending') return;
    follow(meta, p, 'result', () =>
      call({ t: 'settled', cellId: meta.cellId, executionId: meta.executionId, value: inspector.describe(p, meta.cellId, !meta.instrument) }),
    );
  };

  // where a timer or fetch was created, for the Pending Work view (a cell's own prepareStackTrace may run: it is
  // the cell's code, in the cell's realm)
  // (its bound read once, now: the limits may not hold it, and a key they lack would be read from Object.prototype)
  const maxStack: number = typeof own(L, 'maxStackChars') === 'number' ? own(L, 'maxStackChars') : 4000;
  const strSlice = StringCtor.prototype.slice;
  const stackHere = (): string => {
    try {
      const s = new ErrorCtor().stack;
      return typeof s === 'string' ? apply(strSlice, s, [0, maxStack]) : '';
    } catch {
      return '';
    }
  };
  // the Variables view: the bindings the host names (the cell transform's declarations), read from their
  // descriptors so no getter runs; the previous answer's handles are released first
  const variablesOf = (names: unknown) => {
    inspector.release(VARIABLES_OWNER);
    const out: unknown[] = [];
    if (!isArray(names)) return out;
    for (let i = 0; i < names.length; i++) {
      const desc = gOPD(g, StringCtor(names[i]));
      if (!desc) push(out, null);
      else if (apply(hasOwn, O, [desc, 'value'])) push(out, { value: inspector.describe(desc.value, VARIABLES_OWNER) });
      else push(out, { accessor: desc.get && desc.set ? 'get/set' : desc.get ? 'get' : 'set' });
    }
    return out;
  };

  // ---- timers (the host owns the clock; callbacks stay here) ----
  interface Timer {
    __proto__: null;
    fn: Function;
    args: unknown[];
    repeat: boolean;
    meta: Meta;
  }
  const timers = new MapCtor<number, Timer>();
  let timerSeq = 0;
  const setTimer = (repeat: boolean) =>
    function (fn: unknown, ms?: unknown, ...args: unknown[]) {
      if (typeof fn !== 'function') throw new TypeErrorCtor(`The "callback" argument must be a function (the sandbox does not evaluate strings)`);
      if ((apply(mapSize, timers, []) as number) >= L.maxTimers)
        throw new RangeErrorCtor(`The sandbox allows at most ${L.maxTimers} live timers; clear some first`);
      const id = ++timerSeq;
      const n = NumberCtor(ms) || 0;
      const delay = n > 0 ? (n < 2147483647 ? n : 2147483647) : 0;
      apply(mapSet, timers, [id, { __proto__: null, fn, args, repeat, meta: cur }]);
      const reply = call({ t: 'timer', op: 'set', id, ms: delay, repeat, cellId: cur.cellId, executionId: cur.executionId, stack: stackHere() });
      if (own(reply, 'error')) {
        apply(mapDelete, timers, [id]);
        throw makeError(own(reply, 'error'));
      }
      return id;
    };
  internalTimeout = setTimer(false);
  const clearTimer = function (id: unknown) {
    if (typeof id !== 'number' || !apply(mapHas, timers, [id])) return;
    apply(mapDelete, timers, [id]);
    call({ t: 'timer', op: 'clear', id });
  };
  const fireTimer = (id: number) => {
    const t = apply(mapGet, timers, [id]) as Timer | undefined;
    if (!t) return;
    if (!t.repeat) apply(mapDelete, timers, [id]);
    cur = t.meta;
    try {
      watchRejection(t.meta, apply(t.fn, undefined, t.args));
    } catch (err) {
      report(t.meta, err);
    }
  };

  // ---- fetch (the host checks permissions and does the request) ----
  // Headers, Request, Response, Blob and FormData are the prelude's own (makeFetchApis.ts, makeBlobApis.ts): the
  // request is built inside the isolate from what the cell gave, and only its plain data crosses (a URL, a method,
  // header pairs, the body as base64, a redirect mode); the map of pending fetches is read with captured methods, so a
  // cell that replaced Map.prototype or Array.prototype methods does not stop another cell's fetch from settling
  interface PendingFetch {
    __proto__: null;
    resolve: Function;
    reject: Function;
    meta: Meta;
    stop: (() => void) | undefined;
  }
  const fetches = new MapCtor<number, PendingFetch>();
  const typedLength = gOPD(O.getPrototypeOf(Uint8Array.prototype), 'length')!.get!;
  let fetchSeq = 0;
  const sandboxFetch = function fetch(input: unknown, init: unknown = undefined) {
    const meta = cur;
    return new PromiseCtor((resolve, reject) => {
      // a TypeError here (a bad URL, header or body) rejects, as fetch's do; the request has no prototype and every
      // key its own (makeFetchApis), so a getter a cell put on Object.prototype reads and answers none of it
      const req: FetchRequestData = web.request(input, init, 'fetch');
      const body = req.body;
      if (body && (apply(typedLength, body, []) as number) > L.maxFetchRequestBytes)
        throw new RangeErrorCtor(`fetch: the request body is over ${L.maxFetchRequestBytes} bytes`);
      const request = {
        __proto__: null,
        url: req.url,
        method: req.method,
        headers: req.headers,
        body: body ? { base64: codec.bytesToBase64(body) } : undefined,
        redirect: req.redirect,
      };
      // the request's AbortSignal (makeWebApis.ts): aborting rejects with its reason and stops the host's request
      const signal = req.signal;
      if (signal?.aborted) return reject(signal.reason);
      const id = ++fetchSeq;
      const stop = signal?.onAbort(() => {
        if (!apply(mapHas, fetches, [id])) return;
        apply(mapDelete, fetches, [id]);
        call({ t: 'fetchAbort', id });
        reject(signal.reason);
      });
      apply(mapSet, fetches, [id, { __proto__: null, resolve, reject, meta, stop }]);
      const reply = call({ t: 'fetch', id, cellId: meta.cellId, executionId: meta.executionId, request, stack: stackHere() });
      if (own(reply, 'error')) {
        apply(mapDelete, fetches, [id]);
        stop?.();
        reject(makeError(own(reply, 'error')));
      }
    });
  };
  const settleFetch = (msg: any) => {
    const f = apply(mapGet, fetches, [own(msg, 'id')]) as PendingFetch | undefined;
    if (!f) return;
    apply(mapDelete, fetches, [own(msg, 'id')]);
    f.stop?.();
    cur = f.meta;
    const error = own(msg, 'error');
    const response = own(msg, 'response');
    const body = own(response, 'bodyBase64');
    if (error) f.reject(makeError(error));
    else f.resolve(web.response(response, codec.base64ToBytes(typeof body === 'string' ? body : '')));
  };

  // ---- display ----
  const escapeHtml = makeHtmlEscape();
  const showData = (...data: any[]) => {
    flush();
    call({ t: 'display', cellId: cur.cellId, executionId: cur.executionId, data });
  };
  const textMime = (mime: string) => (value: unknown) => showData({ mime, data: StringCtor(value) });
  const isPng = (v: unknown): boolean => {
    if (!isView(v)) return false;
    const b = v as unknown as number[];
    return b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
  };
  const png = (value: unknown) => {
    const bytes = typeof value === 'string' ? codec.base64ToBytes(value) : value;
    if (!isPng(bytes)) throw new TypeErrorCtor('display.png expects PNG bytes (a Uint8Array or a base64 string)');
    showData({ mime: 'image/png', data: codec.bytesToBase64(bytes as Uint8Array), encoding: 'base64' });
  };
  const json = (value: unknown) => {
    const data = JSON.stringify(value, null, 2) ?? 'null';
    if (data.length > L.maxDisplayChars) throw new RangeErrorCtor(`display.json: ${data.length} characters is over the ${L.maxDisplayChars} limit`);
    showData(
      { mime: 'application/json', data },
      { mime: 'text/plain', data: inspector.format(value, { depth: 4, maxItems: 100, maxString: 10_000, maxChars: L.maxDisplayChars }) },
    );
  };
  // what a cell's array and rows are read with, as they are now (a cell that replaces Array's methods changes no table)
  const arrIncludes = Array.prototype.includes;
  const table = (rows: unknown) => {
    if (!isArray(rows)) throw new TypeErrorCtor('display.table expects an array of row objects');
    const cellText = (v: unknown) =>
      v === undefined ? '' : typeof v === 'string' ? v : inspector.format(v, { depth: 0, maxItems: 10, maxString: 200, maxChars: 200 });
    const list = rows as unknown[];
    const columns: string[] = [];
    for (let r = 0; r < list.length; r++) {
      const row = list[r];
      if (!row || typeof row !== 'object') continue;
      const keys = keysOf(row);
      for (let i = 0; i < keys.length; i++) if (!apply(arrIncludes, columns, [keys[i]])) push(columns, keys[i]);
    }
    const cells: string[][] = [];
    let body = '';
    for (let r = 0; r < list.length; r++) {
      const row: any = list[r];
      const texts: string[] = [];
      body += '<tr>';
      for (let c = 0; c < columns.length; c++) {
        const d = row && typeof row === 'object' ? gOPD(row, columns[c]!) : undefined;
        const text = d ? ('value' in d ? cellText(d.value) : '[Getter]') : '';
        push(texts, text);
        body += `<td>${escapeHtml(text)}</td>`;
      }
      body += '</tr>';
      push(cells, texts);
    }
    let head = '';
    for (let c = 0; c < columns.length; c++) head += `<th>${escapeHtml(columns[c]!)}</th>`;
    const html = `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
    // (its text as the other kernels write it: drawn as console.table draws one, without the index column)
    showData({ mime: 'text/html', data: html }, { mime: 'text/plain', data: drawTable(columns, cells) });
  };
  /** Every item an object (display's table), read by index. */
  const allRows = (list: unknown[]) => {
    for (let i = 0; i < list.length; i++) if (!list[i] || typeof list[i] !== 'object') return false;
    return true;
  };
  const display = (value: unknown) => {
    if (typeof value === 'string') return textMime('text/plain')(value);
    if (isPng(value)) return png(value);
    if (isArray(value) && allRows(value)) return table(value);
    return json(value);
  };
  O.assign(display, {
    html: textMime('text/html'),
    markdown: textMime('text/markdown'),
    svg: textMime('image/svg+xml'),
    text: textMime('text/plain'),
    png,
    json,
    table,
  });

  // ---- cells ----
  // `__coda$run(meta)(completion)`: the meta call starts the cell before its body runs; the returned function
  // receives the body's promise
  const run = (meta: Meta) => {
    cur = { __proto__: null, cellId: StringCtor(meta.cellId), executionId: NumberCtor(meta.executionId), instrument: !!meta.instrument };
    const mine = cur;
    const done = (msg: any) => {
      flush();
      call({ t: 'done', executionId: mine.executionId, ...msg });
    };
    // whatever the cell did to the realm (a `then` on Object.prototype, a throwing toPrimitive, replaced
    // built-ins), the cell ends with its value or an error: never silently pending
    const fail = (err: unknown) => {
      try {
        done({ error: inspector.errorData(err) });
      } catch {
        done({ error: { name: 'Error', message: 'the cell failed, and its error could not be described' } });
      }
    };
    return (completion: unknown) => {
      apply(promiseThen, completion, [
        (box: unknown) => {
          // the transform returns the last expression's value as `{ __proto__: null, 0: value }` (no `then` to adopt)
          if (box === undefined || box === null) return done({});
          const value = (box as Record<number, unknown>)[0];
          const describe = () => {
            let described: unknown;
            try {
              // a cell's result has its full text too; a scratch run shows its lines' values instead
              described = inspector.describe(value, mine.cellId, !mine.instrument);
            } catch (err) {
              return fail(err);
            }
            if (inspector.isPromise(value)) followResult(mine, value);
            try {
              done({ value: described });
            } catch (err) {
              return fail(err);
            }
          };
          try {
            if (!inspector.isPromise(value)) return describe();
            // a returned promise: let a settlement that is already on its way be seen before it is previewed
            inspector.trackPromise(value);
          } catch (err) {
            return fail(err);
          }
          apply(promiseThen, resolved, [() => apply(promiseThen, resolved, [describe])]);
        },
        fail,
      ]);
    };
  };
  let linePromises = 0;
  const line = (n: number, value: unknown) => {
    flush();
    const meta = cur;
    // the preview tracks a promise (makeInspector: its state is known a turn later, so a promise seen for the first
    // time is pending here even when settled): a pending one is shown again once it settles, as a cell's result is
    const described = inspector.describe(value, meta.cellId);
    const promiseId = inspector.isPromise(value) && inspector.promiseStateOf(value as object)?.state === 'pending' ? ++linePromises : 0;
    call({ t: 'line', cellId: meta.cellId, executionId: meta.executionId, line: n, value: described, promiseId });
    if (promiseId) {
      follow(meta, value, 'line', () =>
        call({ t: 'lineSettled', cellId: meta.cellId, executionId: meta.executionId, promiseId, value: inspector.describe(value, meta.cellId) }),
      );
    }
    return value;
  };
  const noImport = (spec: unknown) =>
    PromiseCtor.reject(
      makeError({
        name: 'Error',
        message: `The sandbox cannot import modules: import(${JSON.stringify(StringCtor(spec))}) is not available (no module loader, file system or packages inside the sandbox). Use the Node kernel for packages.`,
      }),
    );

  // ---- globals ----
  for (const name of ['WebAssembly', 'SharedArrayBuffer', 'Atomics']) delete g[name];
  // `then` notes the promise it is called on (handledByCells), then reacts as the built-in does (its species, its
  // errors); the prelude's own reactions use the built-in it captured, so only the cells' are noted. A method, as the
  // built-in is: no prototype, not a constructor, `then` of length 2.
  define(PromiseCtor.prototype, 'then', {
    value: {
      then(this: unknown, onFulfilled: unknown, onRejected: unknown) {
        if (this !== null && (typeof this === 'object' || typeof this === 'function')) apply(weakAdd, handledByCells, [this]);
        return apply(promiseThen, this, [onFulfilled, onRejected]);
      },
    }.then,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  const userGlobal = (name: string, value: unknown) => define(g, name, { value, writable: true, configurable: true, enumerable: false });
  const hook = (name: string, value: unknown) => define(g, name, { value, writable: false, configurable: false, enumerable: false });
  userGlobal('console', sandboxConsole);
  userGlobal('Proxy', proxies.Proxy);
  userGlobal('setTimeout', setTimer(false));
  userGlobal('setInterval', setTimer(true));
  userGlobal('clearTimeout', clearTimer);
  userGlobal('clearInterval', clearTimer);
  userGlobal('queueMicrotask', (fn: unknown) => {
    if (typeof fn !== 'function') throw new TypeErrorCtor('queueMicrotask expects a function');
    const meta = cur;
    apply(promiseThen, resolved, [
      () => {
        try {
          fn();
        } catch (err) {
          report(meta, err);
        }
      },
    ]);
  });
  userGlobal('display', display);
  userGlobal('env', freeze({ ...config.env }));
  userGlobal('fetch', sandboxFetch);
  for (const name of keysOf(web.globals)) userGlobal(name, web.globals[name]);
  hook('__coda$run', run);
  hook('__coda$line', line);
  hook('__coda$import', noImport);
  // what a cell's lowered decorators call (worker/transform/lowerDecorators.ts)
  hook('__coda$decorators', makeDecoratorRuntime());
  // what a cell's refused use of a top-level binding goes through (worker/transform/bindingGuards.ts)
  const guards = makeBindingGuard();
  hook('__coda$constant', guards.constant);
  hook('__coda$uninitialized', guards.uninitialized);

  // ---- the host's entry point ----
  return function dispatch(raw: string): string {
    let reply: unknown = { ok: true };
    try {
      const msg = parse(raw);
      switch (msg.op) {
        case 'timer':
          fireTimer(msg.id);
          break;
        case 'fetch':
          settleFetch(msg);
          break;
        case 'expand':
          reply = { ok: true, page: inspector.expand(msg.handleId, msg.start, msg.count) };
          break;
        case 'release':
          reply = { ok: true, released: inspector.release(msg.cellId) };
          break;
        case 'variables':
          reply = { ok: true, variables: variablesOf(msg.names) };
          break;
        case 'clear-timer':
          apply(mapDelete, timers, [msg.id]);
          break;
        case 'forget':
          eachEntry(timers, (id, t) => t.meta.cellId === msg.cellId && apply(mapDelete, timers, [id]));
          eachEntry(fetches, (id, f) => f.meta.cellId === msg.cellId && apply(mapDelete, fetches, [id]));
          break;
        default:
          reply = { error: { name: 'Error', message: `unknown sandbox operation ${StringCtor(msg.op)}` } };
      }
    } catch (err) {
      reply = { error: inspector.errorData(err) };
    }
    flush();
    return codec.toJson(reply);
  };
}
