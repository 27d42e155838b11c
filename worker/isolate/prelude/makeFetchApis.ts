/**
 * Runs INSIDE the isolate (stringified into the prelude, see sandboxPrelude.ts; composed by makeWebApis): self-contained,
 * ECMAScript built-ins only, captured when the prelude starts. `Headers`, `Request` and `Response` as the WHATWG Fetch
 * standard defines them, with bodies held in memory (no ReadableStream: there is no `body` property). They add no
 * message to the host: a Request is only data here until the prelude's `fetch` (preludeMain.ts) reads it with
 * `request()` — its URL, method, header pairs, body bytes and redirect mode, plain values the host checks as it checks
 * any fetch — and `response()` turns the host's answer (status, headers, base64 body) into a Response whose headers
 * are immutable.
 *
 * A cell may replace built-ins after the prelude ran (Array.prototype methods and iterators, String.prototype methods,
 * JSON.parse, Object.defineProperty, the classes' own prototype methods…): nothing here calls them on its own values
 * (index loops, captured functions, internal state kept in WeakMaps), so a request holds what the cell gave it, and
 * another cell's fetch is unchanged. Every object made here and read again (the states, an init the cell left out,
 * the request handed to fetch, property descriptors) has no prototype and holds all its keys from the start: a getter
 * or setter a cell put on Object.prototype (`body`, `method`, `headers`, `get`…) never sees nor answers for another
 * cell's request. Only an init the cell gives is read as WebIDL reads a dictionary, inherited members too.
 */
import type { BlobShared } from './makeBlobApis';
import type { FormCodec } from './makeFormCodec';
import type { AbortSignalLike, WebShared } from './makeWebApis';

/** What the prelude's fetch sends of a request (all plain data) and the signal that stops it: no prototype, every key its own. */
export interface FetchRequestData {
  __proto__: null;
  url: string;
  method: string;
  headers: [string, string][];
  /** undefined: no body. */
  body: Uint8Array | undefined;
  redirect: string;
  signal: AbortSignalLike | undefined;
}

export function makeFetchApis(
  shared: WebShared,
  blobs: BlobShared,
  forms: FormCodec,
): {
  globals: Record<string, unknown>;
  preview(v: unknown): string | undefined;
  /** The request `fetch(input, init)` makes (its errors are TypeErrors, named after `who`). */
  request(input: unknown, init: unknown, who: string): FetchRequestData;
  /** The Response of a host's answer (its body decoded from base64 by the prelude). */
  response(answer: unknown, body: Uint8Array): object;
} {
  'use strict';
  const O = Object;
  const apply = Reflect.apply;
  const define = O.defineProperty;
  const create = O.create;
  const gOPD = O.getOwnPropertyDescriptor;
  const hasOwn = O.hasOwn;
  const ownKeys = Reflect.ownKeys;
  const isArray = Array.isArray;
  const StringCtor = String;
  const NumberCtor = Number;
  const fromCharCode = String.fromCharCode;
  const charCodeAt = String.prototype.charCodeAt;
  const U8 = Uint8Array;
  // a typed array's length and buffer through the getters captured now (a cell may redefine them later)
  const TA_PROTO = O.getPrototypeOf(Uint8Array.prototype);
  const bufferGet = O.getOwnPropertyDescriptor(TA_PROTO, 'buffer')!.get!;
  const PromiseCtor = Promise;
  const TypeErrorCtor = TypeError;
  const RangeErrorCtor = RangeError;
  const WeakMapCtor = WeakMap;
  const wmGet = WeakMap.prototype.get;
  const wmSet = WeakMap.prototype.set;
  const parseJson = JSON.parse;
  const floor = Math.floor;
  const stringify = JSON.stringify;
  const iterator = Symbol.iterator;
  /** An enumerable, writable, configurable data property's descriptor, without a prototype (a `get` on Object.prototype never sees `value`). */
  const data = (value: unknown): PropertyDescriptor => ({ __proto__: null, value, writable: true, enumerable: true, configurable: true }) as PropertyDescriptor;
  // copies of bytes and their lengths, appends to the prelude's own lists, and the pair iterator Headers shares with
  // URLSearchParams and FormData (makeWebApis)
  const { copy, pairIterable, setPair, push, tag, byteLength: len } = shared;
  // RFC 9110 tokens: header names and methods (makeFormCodec, which reads them in MIME types too)
  const isToken = forms.isToken;
  const code = (s: string, i: number) => apply(charCodeAt, s, [i]) as number;
  const asciiCase = (s: string, upper: boolean) => {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = code(s, i);
      out += upper ? (c >= 0x61 && c <= 0x7a ? fromCharCode(c - 0x20) : s[i]) : c >= 0x41 && c <= 0x5a ? fromCharCode(c + 0x20) : s[i];
    }
    return out;
  };
  const promised = <T>(fn: () => T): Promise<T> => new PromiseCtor<T>((resolve) => resolve(fn()));
  const toStr = (v: unknown): string => {
    if (typeof v === 'symbol') throw new TypeErrorCtor('Cannot convert a Symbol value to a string');
    return StringCtor(v);
  };
  /** WebIDL's ByteString: a string whose characters are all at most U+00FF. */
  const byteString = (v: unknown): string => {
    const s = toStr(v);
    for (let i = 0; i < s.length; i++) {
      const c = code(s, i);
      if (c > 255)
        throw new TypeErrorCtor(`Cannot convert argument to a ByteString because the character at index ${i} has a value of ${c} which is greater than 255.`);
    }
    return s;
  };
  const need = (given: number, n: number, what: string) => {
    if (given < n) throw new TypeErrorCtor(`${what}: ${n} argument${n > 1 ? 's' : ''} required, but only ${given} present.`);
  };
  /**
   * A dictionary argument: undefined and null are empty (an object without a prototype: no member a cell put on
   * Object.prototype is read for an init the cell left out), anything else must be an object.
   */
  const dictionary = (v: unknown, what: string): Record<string, unknown> => {
    if (v === undefined || v === null) return create(null) as Record<string, unknown>;
    if (typeof v !== 'object' && typeof v !== 'function') throw new TypeErrorCtor(`${what}: the init argument must be an object`);
    return v as Record<string, unknown>;
  };
  const oneOf = (v: unknown, allowed: string[], what: string): string => {
    const s = toStr(v);
    for (let i = 0; i < allowed.length; i++) if (allowed[i] === s) return s;
    let list = '';
    for (let i = 0; i < allowed.length; i++) list += `${i ? ', ' : ''}'${allowed[i]}'`;
    throw new TypeErrorCtor(`${what} must be one of ${list}, not '${s}'`);
  };

  const isHttpSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

  // ---- Headers ----
  type Guard = 'none' | 'request' | 'response' | 'immutable';
  interface HeadersState {
    __proto__: null;
    /** Names in lower case, in the order they were added. */
    list: [string, string][];
    guard: Guard;
  }
  const headersMap = new WeakMapCtor<object, HeadersState>();
  const headersOf = (v: unknown): HeadersState => {
    const s = typeof v === 'object' && v !== null ? (apply(wmGet, headersMap, [v]) as HeadersState | undefined) : undefined;
    if (!s) throw new TypeErrorCtor('Illegal invocation: not a Headers');
    return s;
  };
  /** A header value without its leading and trailing HTTP whitespace. */
  const normalize = (v: string): string => {
    let start = 0;
    let end = v.length;
    while (start < end && isHttpSpace(code(v, start))) start++;
    while (end > start && isHttpSpace(code(v, end - 1))) end--;
    if (start === 0 && end === v.length) return v;
    let out = '';
    for (let i = start; i < end; i++) out += v[i];
    return out;
  };
  const validValue = (v: string): boolean => {
    for (let i = 0; i < v.length; i++) {
      const c = code(v, i);
      if (c === 0 || c === 0x0a || c === 0x0d) return false;
    }
    return true;
  };
  /** A header name, checked, in lower case. */
  const headerName = (name: unknown, what: string): string => {
    const n = byteString(name);
    if (!isToken(n)) throw new TypeErrorCtor(`${what}: "${n}" is an invalid header name.`);
    return asciiCase(n, false);
  };
  const mutable = (s: HeadersState) => {
    if (s.guard === 'immutable')
      throw new TypeErrorCtor('immutable: these headers cannot change (a fetched response, Response.error() or Response.redirect())');
  };
  const appendHeader = (s: HeadersState, name: unknown, value: unknown, what: string) => {
    const n = headerName(name, what);
    const v = normalize(byteString(value));
    if (!validValue(v)) throw new TypeErrorCtor(`${what}: "${v}" is an invalid header value.`);
    mutable(s);
    push(s.list, [n, v]);
  };
  const getHeader = (s: HeadersState, n: string): string | null => {
    let out: string | null = null;
    for (let i = 0; i < s.list.length; i++) if (s.list[i]![0] === n) out = out === null ? s.list[i]![1] : `${out}, ${s.list[i]![1]}`;
    return out;
  };
  const hasHeader = (s: HeadersState, n: string): boolean => {
    for (let i = 0; i < s.list.length; i++) if (s.list[i]![0] === n) return true;
    return false;
  };
  const copyList = (list: [string, string][]): [string, string][] => {
    const out: [string, string][] = [];
    for (let i = 0; i < list.length; i++) push(out, [list[i]![0], list[i]![1]] as [string, string]);
    return out;
  };
  /** One name/value pair of a sequence init: exactly two items. */
  const pairOf = (pair: unknown): [unknown, unknown] => {
    const items: unknown[] = [];
    if (isArray(pair)) for (let i = 0; i < pair.length; i++) push(items, pair[i]);
    else if (typeof pair === 'object' && pair !== null && typeof (pair as any)[iterator] === 'function')
      for (const item of pair as Iterable<unknown>) push(items, item);
    else throw new TypeErrorCtor('Headers constructor: each header must be a [name, value] pair');
    if (items.length !== 2) throw new TypeErrorCtor(`Headers constructor: expected name/value pair to be length 2, found ${items.length}.`);
    return [items[0], items[1]];
  };
  /** The Fetch standard's "fill": another Headers, a sequence of pairs (an array read by index) or a record. */
  const fill = (s: HeadersState, init: unknown) => {
    const what = 'Headers.append';
    const other = typeof init === 'object' && init !== null ? (apply(wmGet, headersMap, [init]) as HeadersState | undefined) : undefined;
    if (other) {
      const list = copyList(other.list);
      for (let i = 0; i < list.length; i++) appendHeader(s, list[i]![0], list[i]![1], what);
      return;
    }
    if ((typeof init !== 'object' && typeof init !== 'function') || init === null) {
      throw new TypeErrorCtor(
        'Headers constructor: Argument 1 could not be converted to one of: sequence<sequence<ByteString>>, record<ByteString, ByteString>.',
      );
    }
    if (isArray(init)) {
      for (let i = 0; i < init.length; i++) {
        const p = pairOf(init[i]);
        appendHeader(s, p[0], p[1], what);
      }
      return;
    }
    const iter = (init as any)[iterator];
    if (iter !== undefined && iter !== null) {
      if (typeof iter !== 'function') throw new TypeErrorCtor('Headers constructor: init[Symbol.iterator] is not a function');
      const it: any = apply(iter, init, []);
      const next = it.next;
      for (;;) {
        const r: any = apply(next, it, []);
        if (typeof r !== 'object' || r === null) throw new TypeErrorCtor('Headers constructor: the iterator result is not an object');
        if (r.done) break;
        const p = pairOf(r.value);
        appendHeader(s, p[0], p[1], what);
      }
      return;
    }
    // a record: own enumerable keys, each value read once
    const keys = ownKeys(init as object);
    for (let i = 0; i < keys.length; i++) {
      const d = gOPD(init, keys[i]!);
      if (!d || !d.enumerable) continue;
      const key = byteString(keys[i]);
      appendHeader(s, key, (init as any)[keys[i]!], what);
    }
  };
  /** The Fetch standard's "sort and combine": names sorted, values of a name joined by ", " (set-cookie kept apart). */
  const sortAndCombine = (s: HeadersState): [string, string][] => {
    const names: string[] = [];
    for (let i = 0; i < s.list.length; i++) {
      const n = s.list[i]![0];
      let at = names.length;
      let seen = false;
      for (let j = 0; j < names.length; j++) {
        if (names[j] === n) seen = true;
        if (names[j]! > n && at === names.length) at = j;
      }
      if (seen) continue;
      for (let j = names.length; j > at; j--) define(names, j, data(names[j - 1]));
      define(names, at, data(n));
    }
    const out: [string, string][] = [];
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      if (n === 'set-cookie') {
        for (let j = 0; j < s.list.length; j++) if (s.list[j]![0] === n) push(out, [n, s.list[j]![1]] as [string, string]);
      } else push(out, [n, getHeader(s, n)!] as [string, string]);
    }
    return out;
  };
  const newHeaders = (guard: Guard, list: [string, string][]): object => {
    const h = create(Headers.prototype);
    apply(wmSet, headersMap, [h, { __proto__: null, list, guard }]);
    shared.register(h, 'Headers');
    return h;
  };

  class Headers {
    constructor(init: unknown = undefined) {
      const s: HeadersState = { __proto__: null, list: [], guard: 'none' };
      apply(wmSet, headersMap, [this, s]);
      shared.register(this, 'Headers');
      if (init !== undefined) fill(s, init);
    }
    append(name: unknown, value: unknown) {
      need(arguments.length, 2, 'Headers.append');
      appendHeader(headersOf(this), name, value, 'Headers.append');
    }
    delete(name: unknown) {
      need(arguments.length, 1, 'Headers.delete');
      const s = headersOf(this);
      const n = headerName(name, 'Headers.delete');
      mutable(s);
      const kept: [string, string][] = [];
      for (let i = 0; i < s.list.length; i++) if (s.list[i]![0] !== n) push(kept, s.list[i]!);
      s.list = kept;
    }
    get(name: unknown): string | null {
      need(arguments.length, 1, 'Headers.get');
      return getHeader(headersOf(this), headerName(name, 'Headers.get'));
    }
    getSetCookie(): string[] {
      const s = headersOf(this);
      const out: string[] = [];
      for (let i = 0; i < s.list.length; i++) if (s.list[i]![0] === 'set-cookie') push(out, s.list[i]![1]);
      return out;
    }
    has(name: unknown): boolean {
      need(arguments.length, 1, 'Headers.has');
      return hasHeader(headersOf(this), headerName(name, 'Headers.has'));
    }
    set(name: unknown, value: unknown) {
      need(arguments.length, 2, 'Headers.set');
      const s = headersOf(this);
      const n = headerName(name, 'Headers.set');
      const v = normalize(byteString(value));
      if (!validValue(v)) throw new TypeErrorCtor(`Headers.set: "${v}" is an invalid header value.`);
      mutable(s);
      s.list = setPair(s.list, [n, v]);
    }
  }
  // forEach, entries, keys, values and [Symbol.iterator] over the sorted and combined pairs, computed again at each step
  pairIterable(Headers.prototype, 'Headers', (v) => sortAndCombine(headersOf(v)));
  tag(Headers.prototype, 'Headers');

  // ---- bodies ----
  interface BodyState {
    __proto__: null;
    /** null: no body (reading it gives nothing, and it is never used up). */
    bytes: Uint8Array | null;
    used: boolean;
  }
  const TEXT = 'text/plain;charset=UTF-8';
  /** The Fetch standard's "extract": a body's bytes (a private copy) and the Content-Type it implies. */
  interface Extracted {
    __proto__: null;
    bytes: Uint8Array;
    type: string | null;
  }
  const extract = (init: unknown): Extracted => {
    if (typeof init === 'string') return { __proto__: null, bytes: shared.utf8Encode(init), type: TEXT };
    const blob = blobs.blobOf(init);
    if (blob) return { __proto__: null, bytes: blob.bytes, type: blob.type === '' ? null : blob.type };
    const view = shared.bufferOf(init);
    if (view) return { __proto__: null, bytes: copy(view), type: null };
    const form = blobs.formOf(init);
    if (form) return forms.encodeMultipart(form);
    const query = shared.queryOf(init);
    if (query) return { __proto__: null, bytes: shared.utf8Encode(shared.serializeQuery(query)), type: 'application/x-www-form-urlencoded;charset=UTF-8' };
    // anything else is its string (a number, an object…), as WebIDL converts it
    return { __proto__: null, bytes: shared.utf8Encode(toStr(init)), type: TEXT };
  };
  /** The bytes of a body, which is used from now on; a TypeError when it was used already. */
  const consume = (b: BodyState): Uint8Array => {
    if (b.bytes === null) return new U8(0);
    if (b.used) throw new TypeErrorCtor('Body is unusable: Body has already been read');
    b.used = true;
    return b.bytes;
  };

  /** Request and Response share the body's methods; each finds its body and headers from its own state. */
  interface BodyHolder {
    __proto__: null;
    body: BodyState;
    headers: HeadersState;
  }
  const bodyHolders = new WeakMapCtor<object, BodyHolder>();
  const holderOf = (v: unknown) => {
    const s = typeof v === 'object' && v !== null ? (apply(wmGet, bodyHolders, [v]) as BodyHolder | undefined) : undefined;
    if (!s) throw new TypeErrorCtor('Illegal invocation: not a Request or a Response');
    return s;
  };
  const mimeOf = (h: HeadersState) => forms.extractMime(getHeader(h, 'content-type'));
  const bodyMethods = {
    get bodyUsed(): boolean {
      return holderOf(this).body.used;
    },
    arrayBuffer(): Promise<ArrayBuffer> {
      return promised(() => apply(bufferGet, copy(consume(holderOf(this).body)), []) as ArrayBuffer);
    },
    blob(): Promise<unknown> {
      return promised(() => {
        const h = holderOf(this);
        const bytes = consume(h.body);
        const m = mimeOf(h.headers);
        // its type in lower case, as a Blob's type is (Node's and Deno's do the same)
        return blobs.newBlob(bytes, m ? blobs.blobType(forms.serializeMime(m)) : '');
      });
    },
    bytes(): Promise<Uint8Array> {
      return promised(() => copy(consume(holderOf(this).body)));
    },
    formData(): Promise<unknown> {
      return promised(() => {
        const h = holderOf(this);
        const bytes = consume(h.body);
        const m = mimeOf(h.headers);
        const boundary = m && m.essence === 'multipart/form-data' ? forms.param(m, 'boundary') : undefined;
        if (m && m.essence === 'multipart/form-data') {
          if (boundary === undefined) throw new TypeErrorCtor('Failed to parse body as FormData: the multipart Content-Type has no boundary.');
          return blobs.newFormData(forms.decodeMultipart(bytes, boundary));
        }
        if (m && m.essence === 'application/x-www-form-urlencoded') return blobs.newFormData(forms.decodeUrlencoded(bytes));
        throw new TypeErrorCtor('Content-Type was not one of "multipart/form-data" or "application/x-www-form-urlencoded".');
      });
    },
    json(): Promise<unknown> {
      return promised(() => parseJson(shared.utf8Decode(consume(holderOf(this).body))));
    },
    text(): Promise<string> {
      return promised(() => shared.utf8Decode(consume(holderOf(this).body)));
    },
  };
  const withBody = (proto: object) => {
    const names = ownKeys(bodyMethods);
    for (let i = 0; i < names.length; i++)
      define(proto, names[i]!, { __proto__: null, ...gOPD(bodyMethods, names[i]!)!, enumerable: false } as PropertyDescriptor);
  };

  // ---- Request ----
  const METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'];
  const FORBIDDEN_METHODS = ['CONNECT', 'TRACE', 'TRACK'];
  const includes = (list: string[], s: string) => {
    for (let i = 0; i < list.length; i++) if (list[i] === s) return true;
    return false;
  };
  interface RequestState {
    __proto__: null;
    url: string;
    method: string;
    headers: object;
    headersState: HeadersState;
    body: BodyState;
    signal: object;
    redirect: string;
    mode: string;
    credentials: string;
    cache: string;
    referrer: string;
    referrerPolicy: string;
    integrity: string;
    keepalive: boolean;
  }
  const requests = new WeakMapCtor<object, RequestState>();
  const requestOf = (v: unknown): RequestState | undefined =>
    typeof v === 'object' && v !== null ? (apply(wmGet, requests, [v]) as RequestState | undefined) : undefined;
  const requestState = (v: unknown): RequestState => {
    const s = requestOf(v);
    if (!s) throw new TypeErrorCtor('Illegal invocation: not a Request');
    return s;
  };
  /** A text for a message: its first 200 characters. */
  const clip = (s: string): string => {
    if (s.length <= 200) return s;
    let out = '';
    for (let i = 0; i < 200; i++) out += s[i];
    return `${out}…`;
  };
  /** An absolute URL as the host's parser reads it: a TypeError when it is not one, or when it holds credentials. */
  const absoluteUrl = (input: string): string => {
    const parts = shared.parseUrl(input);
    if (!parts) throw new TypeErrorCtor(`Failed to parse URL from ${clip(input)}`);
    if (parts.username || parts.password) throw new TypeErrorCtor(`Request cannot be constructed from a URL that includes credentials: ${clip(input)}`);
    return parts.href;
  };
  const REFERRER_POLICIES = [
    '',
    'no-referrer',
    'no-referrer-when-downgrade',
    'same-origin',
    'origin',
    'strict-origin',
    'origin-when-cross-origin',
    'strict-origin-when-cross-origin',
    'unsafe-url',
  ];
  /** The Request constructor's steps (the Fetch standard's, short of what only a browser has: windows, CORS, streams). */
  const buildRequest = (input: unknown, initArg: unknown, who: string): RequestState => {
    const base = requestOf(input);
    // the arguments are converted first (a string, then the init's members), then the URL is parsed
    const given = base ? '' : toStr(input);
    const init = dictionary(initArg, who);
    // each member read once, in the dictionary's (alphabetical) order
    const body = init.body;
    const cache = init.cache;
    const credentials = init.credentials;
    const duplex = init.duplex;
    const headers = init.headers;
    const integrity = init.integrity;
    const keepalive = init.keepalive;
    const methodInit = init.method;
    const mode = init.mode;
    const redirect = init.redirect;
    const referrer = init.referrer;
    const referrerPolicy = init.referrerPolicy;
    const signal = init.signal;
    const windowInit = init.window;
    if (windowInit !== undefined && windowInit !== null) throw new TypeErrorCtor(`${who}: init.window can only be null`);
    const url = base ? base.url : absoluteUrl(given);
    let m = base ? base.method : 'GET';
    if (methodInit !== undefined) {
      m = byteString(methodInit);
      if (!isToken(m)) throw new TypeErrorCtor(`'${m}' is not a valid HTTP method.`);
      const upper = asciiCase(m, true);
      if (includes(FORBIDDEN_METHODS, upper)) throw new TypeErrorCtor(`'${m}' HTTP method is unsupported.`);
      if (includes(METHODS, upper)) m = upper;
    }
    if (signal !== undefined && signal !== null && !shared.signalOf(signal)) throw new TypeErrorCtor(`${who}: init.signal must be an AbortSignal`);
    const state: RequestState = {
      __proto__: null,
      url,
      method: m,
      headers: undefined as unknown as object,
      headersState: { __proto__: null, list: [], guard: 'request' },
      body: { __proto__: null, bytes: null, used: false },
      signal: shared.followSignal(signal !== undefined ? signal : base?.signal),
      redirect: redirect === undefined ? (base ? base.redirect : 'follow') : oneOf(redirect, ['follow', 'error', 'manual'], `${who}: init.redirect`),
      mode: base ? base.mode : 'cors',
      credentials:
        credentials === undefined
          ? base
            ? base.credentials
            : 'same-origin'
          : oneOf(credentials, ['omit', 'same-origin', 'include'], `${who}: init.credentials`),
      cache:
        cache === undefined
          ? base
            ? base.cache
            : 'default'
          : oneOf(cache, ['default', 'no-store', 'reload', 'no-cache', 'force-cache', 'only-if-cached'], `${who}: init.cache`),
      referrer: base ? base.referrer : 'about:client',
      referrerPolicy:
        referrerPolicy === undefined ? (base ? base.referrerPolicy : '') : oneOf(referrerPolicy, REFERRER_POLICIES, `${who}: init.referrerPolicy`),
      integrity: integrity === undefined ? (base ? base.integrity : '') : toStr(integrity),
      keepalive: keepalive === undefined ? (base ? base.keepalive : false) : !!keepalive,
    };
    if (mode !== undefined) {
      state.mode = oneOf(mode, ['same-origin', 'no-cors', 'cors', 'navigate', 'websocket'], `${who}: init.mode`);
      if (state.mode === 'navigate') throw new TypeErrorCtor(`${who}: init.mode cannot be 'navigate'`);
    }
    if (state.cache === 'only-if-cached' && state.mode !== 'same-origin') throw new TypeErrorCtor(`${who}: cache 'only-if-cached' needs mode 'same-origin'`);
    if (duplex !== undefined) oneOf(duplex, ['half'], `${who}: init.duplex`);
    if (referrer !== undefined) {
      const r = toStr(referrer);
      if (r === '') state.referrer = '';
      else {
        const parts = shared.parseUrl(r);
        if (!parts) throw new TypeErrorCtor(`${who}: init.referrer is not a valid URL: ${r}`);
        state.referrer = parts.href === 'about:client' ? 'about:client' : parts.href;
      }
    }
    // headers: the init's, or a copy of the input request's
    if (headers !== undefined) fill(state.headersState, headers);
    else if (base) state.headersState.list = copyList(base.headersState.list);
    const inputBody = base ? base.body : null;
    const initBody = body === undefined || body === null ? null : body;
    if ((initBody !== null || (inputBody !== null && inputBody.bytes !== null)) && (state.method === 'GET' || state.method === 'HEAD')) {
      throw new TypeErrorCtor('Request with GET/HEAD method cannot have body.');
    }
    if (initBody !== null) {
      const e = extract(initBody);
      state.body.bytes = e.bytes;
      if (e.type !== null && !hasHeader(state.headersState, 'content-type')) push(state.headersState.list, ['content-type', e.type] as [string, string]);
    } else if (inputBody !== null && inputBody.bytes !== null) {
      // the input's body moves to this request: the input is used from now on
      if (inputBody.used) throw new TypeErrorCtor('Cannot construct a Request with a Request object that has already been used.');
      state.body.bytes = inputBody.bytes;
      inputBody.used = true;
    }
    state.headers = newHeaders('request', state.headersState.list);
    // the Headers object and the state share one list object: keep them one (a set() replaces the list)
    state.headersState = apply(wmGet, headersMap, [state.headers]) as HeadersState;
    return state;
  };

  class Request {
    constructor(input: unknown, init: unknown = undefined) {
      need(arguments.length, 1, "Failed to construct 'Request'");
      const s = buildRequest(input, init, 'Request');
      apply(wmSet, requests, [this, s]);
      apply(wmSet, bodyHolders, [this, { __proto__: null, body: s.body, headers: s.headersState }]);
      shared.register(this, 'Request');
    }
    get method(): string {
      return requestState(this).method;
    }
    get url(): string {
      return requestState(this).url;
    }
    get headers(): unknown {
      return requestState(this).headers;
    }
    get destination(): string {
      requestState(this);
      return '';
    }
    get referrer(): string {
      return requestState(this).referrer;
    }
    get referrerPolicy(): string {
      return requestState(this).referrerPolicy;
    }
    get mode(): string {
      return requestState(this).mode;
    }
    get credentials(): string {
      return requestState(this).credentials;
    }
    get cache(): string {
      return requestState(this).cache;
    }
    get redirect(): string {
      return requestState(this).redirect;
    }
    get integrity(): string {
      return requestState(this).integrity;
    }
    get keepalive(): boolean {
      return requestState(this).keepalive;
    }
    get signal(): unknown {
      return requestState(this).signal;
    }
    get duplex(): string {
      requestState(this);
      return 'half';
    }
    clone(): Request {
      const s = requestState(this);
      if (s.body.used) throw new TypeErrorCtor('Request.clone: Body has already been consumed.');
      const c = create(Request.prototype) as Request;
      const headers = newHeaders('request', copyList(s.headersState.list));
      const cs: RequestState = {
        __proto__: null,
        url: s.url,
        method: s.method,
        headers,
        headersState: apply(wmGet, headersMap, [headers]) as HeadersState,
        body: { __proto__: null, bytes: s.body.bytes, used: false },
        signal: shared.followSignal(s.signal),
        redirect: s.redirect,
        mode: s.mode,
        credentials: s.credentials,
        cache: s.cache,
        referrer: s.referrer,
        referrerPolicy: s.referrerPolicy,
        integrity: s.integrity,
        keepalive: s.keepalive,
      };
      apply(wmSet, requests, [c, cs]);
      apply(wmSet, bodyHolders, [c, { __proto__: null, body: cs.body, headers: cs.headersState }]);
      shared.register(c, 'Request');
      return c;
    }
  }
  withBody(Request.prototype);
  tag(Request.prototype, 'Request');

  // ---- Response ----
  interface ResponseState {
    __proto__: null;
    type: string;
    url: string;
    redirected: boolean;
    status: number;
    statusText: string;
    headers: object;
    headersState: HeadersState;
    body: BodyState;
  }
  const responses = new WeakMapCtor<object, ResponseState>();
  const responseState = (v: unknown): ResponseState => {
    const s = typeof v === 'object' && v !== null ? (apply(wmGet, responses, [v]) as ResponseState | undefined) : undefined;
    if (!s) throw new TypeErrorCtor('Illegal invocation: not a Response');
    return s;
  };
  const NULL_BODY = [101, 103, 204, 205, 304];
  const REDIRECTS = [301, 302, 303, 307, 308];
  const isNullBody = (status: number) => {
    for (let i = 0; i < NULL_BODY.length; i++) if (NULL_BODY[i] === status) return true;
    return false;
  };
  /** A Response object around its state (every Response is made here, the constructor's too). */
  const wrap = (obj: object, s: Omit<ResponseState, 'headers' | 'headersState'>, guard: Guard, list: [string, string][]): object => {
    const headers = newHeaders(guard, list);
    // (a spread copies own keys only, and the copy has no prototype either)
    const state: ResponseState = { ...s, __proto__: null, headers, headersState: apply(wmGet, headersMap, [headers]) as HeadersState };
    apply(wmSet, responses, [obj, state]);
    apply(wmSet, bodyHolders, [obj, { __proto__: null, body: state.body, headers: state.headersState }]);
    shared.register(obj, 'Response');
    return obj;
  };
  /** The Fetch standard's "initialize a response": status, statusText, headers, then the body and its type. */
  const initialize = (obj: object, initArg: unknown, body: Extracted | null): object => {
    const init = dictionary(initArg, 'Response');
    const headers = init.headers;
    const statusInit = init.status;
    const statusTextInit = init.statusText;
    // WebIDL's unsigned short
    const n = statusInit === undefined ? 200 : NumberCtor(statusInit);
    const status = n !== n || n === Infinity || n === -Infinity ? 0 : (((n < 0 ? -floor(-n) : floor(n)) % 65536) + 65536) % 65536;
    if (status < 200 || status > 599) throw new RangeErrorCtor('init["status"] must be in the range of 200 to 599, inclusive.');
    const statusText = statusTextInit === undefined ? '' : byteString(statusTextInit);
    for (let i = 0; i < statusText.length; i++) {
      const c = code(statusText, i);
      if (!(c === 0x09 || (c >= 0x20 && c <= 0x7e) || c >= 0x80)) throw new TypeErrorCtor('Invalid statusText');
    }
    const hs: HeadersState = { __proto__: null, list: [], guard: 'response' };
    if (headers !== undefined) fill(hs, headers);
    if (body !== null) {
      if (isNullBody(status)) throw new TypeErrorCtor(`Response constructor: Invalid response status code ${status}`);
      if (body.type !== null && !hasHeader(hs, 'content-type')) push(hs.list, ['content-type', body.type] as [string, string]);
    }
    return wrap(
      obj,
      {
        __proto__: null,
        type: 'default',
        url: '',
        redirected: false,
        status,
        statusText,
        body: { __proto__: null, bytes: body ? body.bytes : null, used: false },
      },
      'response',
      hs.list,
    );
  };

  class Response {
    constructor(body: unknown = null, init: unknown = undefined) {
      initialize(this, init, body === null || body === undefined ? null : extract(body));
    }
    static error(): Response {
      return wrap(
        create(Response.prototype),
        { __proto__: null, type: 'error', url: '', redirected: false, status: 0, statusText: '', body: { __proto__: null, bytes: null, used: false } },
        'immutable',
        [],
      ) as Response;
    }
    static json(data: unknown, init: unknown = undefined): Response {
      need(arguments.length, 1, 'Response.json');
      const text = stringify(data);
      if (text === undefined) throw new TypeErrorCtor('Value is not JSON serializable');
      return initialize(create(Response.prototype), init, { __proto__: null, bytes: shared.utf8Encode(text), type: 'application/json' }) as Response;
    }
    static redirect(url: unknown, status: unknown = 302): Response {
      need(arguments.length, 1, 'Response.redirect');
      const href = shared.parseUrl(toStr(url))?.href;
      if (href === undefined) throw new TypeErrorCtor(`Failed to parse URL from ${clip(toStr(url))}`);
      const s = NumberCtor(status);
      let ok = false;
      for (let i = 0; i < REDIRECTS.length; i++) if (REDIRECTS[i] === s) ok = true;
      if (!ok) throw new RangeErrorCtor(`Invalid status code ${StringCtor(status)}`);
      return wrap(
        create(Response.prototype),
        { __proto__: null, type: 'default', url: '', redirected: false, status: s, statusText: '', body: { __proto__: null, bytes: null, used: false } },
        'immutable',
        [['location', href]],
      ) as Response;
    }
    get type(): string {
      return responseState(this).type;
    }
    get url(): string {
      return responseState(this).url;
    }
    get redirected(): boolean {
      return responseState(this).redirected;
    }
    get status(): number {
      return responseState(this).status;
    }
    get ok(): boolean {
      const s = responseState(this).status;
      return s >= 200 && s <= 299;
    }
    get statusText(): string {
      return responseState(this).statusText;
    }
    get headers(): unknown {
      return responseState(this).headers;
    }
    clone(): Response {
      const s = responseState(this);
      if (s.body.used) throw new TypeErrorCtor('Response.clone: Body has already been consumed.');
      return wrap(
        create(Response.prototype),
        {
          __proto__: null,
          type: s.type,
          url: s.url,
          redirected: s.redirected,
          status: s.status,
          statusText: s.statusText,
          body: { __proto__: null, bytes: s.body.bytes, used: false },
        },
        s.headersState.guard,
        copyList(s.headersState.list),
      ) as Response;
    }
  }
  withBody(Response.prototype);
  tag(Response.prototype, 'Response');

  // ---- what the prelude's fetch sends, and what it makes of the answer ----
  const request = (input: unknown, init: unknown, who: string): FetchRequestData => {
    const s = buildRequest(input, init, who);
    // every key its own, body too (undefined when there is none), and no prototype: fetch reads nothing inherited
    return {
      __proto__: null,
      url: s.url,
      method: s.method,
      headers: copyList(s.headersState.list),
      body: s.body.bytes === null ? undefined : s.body.bytes,
      redirect: s.redirect,
      signal: shared.signalOf(s.signal),
    };
  };
  const response = (answer: unknown, bytes: Uint8Array): object => {
    // the host's own keys only (a getter a cell put on Object.prototype answers nothing here)
    const raw = (k: string): any => (typeof answer === 'object' && answer !== null && apply(hasOwn, O, [answer, k]) ? (answer as any)[k] : undefined);
    const status = typeof raw('status') === 'number' ? raw('status') : 0;
    const list: [string, string][] = [];
    const pairs = isArray(raw('headers')) ? raw('headers') : [];
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[i];
      if (isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string') push(list, [asciiCase(p[0], false), p[1]] as [string, string]);
    }
    return wrap(
      create(Response.prototype),
      {
        __proto__: null,
        type: 'basic',
        url: typeof raw('url') === 'string' ? raw('url') : '',
        redirected: raw('redirected') === true,
        status,
        statusText: typeof raw('statusText') === 'string' ? raw('statusText') : '',
        body: { __proto__: null, bytes: isNullBody(status) && len(bytes) === 0 ? null : bytes, used: false },
      },
      'immutable',
      list,
    );
  };

  // ---- previews (from the state: no getter or method of the cell's runs) ----
  const headersText = (s: HeadersState): string => {
    const names: string[] = [];
    let text = '';
    for (let i = 0; i < s.list.length && names.length < 20; i++) {
      const n = s.list[i]![0];
      if (includes(names, n)) continue;
      push(names, n);
      text += `${names.length > 1 ? ', ' : ''}${shared.key(n)}: ${shared.quote(getHeader(s, n)!)}`;
    }
    return text ? `Headers { ${text}${names.length >= 20 && s.list.length > 20 ? ', …' : ''} }` : 'Headers {}';
  };
  const preview = (v: unknown): string | undefined => {
    if (typeof v !== 'object' || v === null) return undefined;
    const h = apply(wmGet, headersMap, [v]) as HeadersState | undefined;
    if (h) return headersText(h);
    const r = apply(wmGet, responses, [v]) as ResponseState | undefined;
    if (r) {
      return `Response { status: ${r.status}, statusText: ${shared.quote(r.statusText)}, headers: ${headersText(r.headersState)}, bodyUsed: ${r.body.used}, ok: ${r.status >= 200 && r.status <= 299}, redirected: ${r.redirected}, type: ${shared.quote(r.type)}, url: ${shared.quote(r.url)} }`;
    }
    const q = requestOf(v);
    if (q) {
      return `Request { method: ${shared.quote(q.method)}, url: ${shared.quote(q.url)}, headers: ${headersText(q.headersState)}, redirect: ${shared.quote(q.redirect)}, bodyUsed: ${q.body.used} }`;
    }
    return undefined;
  };

  return { globals: { Headers, Request, Response }, preview, request, response };
}
