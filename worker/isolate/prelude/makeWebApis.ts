/**
 * Runs INSIDE the isolate (stringified into the prelude, see sandboxPrelude.ts): self-contained, ECMAScript built-ins
 * only, captured when the prelude starts. The web APIs a scratchpad expects, which V8 alone lacks: `atob`/`btoa`,
 * `TextEncoder`/`TextDecoder` (UTF-8), `structuredClone`, `URL`/`URLSearchParams`, `crypto.getRandomValues` and
 * `randomUUID`, `performance.now()`, `DOMException`. Everything is computed in here except three answers only the
 * host has: random bytes (`{ t: 'random' }`), a URL's parse (`{ t: 'url' }`, Node's WHATWG parser) and the time
 * (`{ t: 'now' }`); the host checks the requests (webAnswers.ts) and they carry strings and a size, never an object of
 * the isolate.
 */
/* eslint-disable */

/** What the prelude's fetch reads of a signal (makeWebApis's signalOf). */
export interface AbortSignalLike {
  aborted: boolean;
  reason: unknown;
  /** Calls `fn` once when the signal aborts; returns the function that stops that. */
  onAbort(fn: () => void): () => void;
}

export function makeWebApis(
  call: (msg: unknown) => any,
  /** The prelude's own setTimeout (a cell's replacing the global changes nothing here): for AbortSignal.timeout. */
  timeout: (fn: () => void, ms: number) => unknown,
): { globals: Record<string, unknown>; preview(v: unknown): string | undefined; signalOf(v: unknown): AbortSignalLike | undefined } {
  'use strict';
  const O = Object;
  const define = O.defineProperty;
  const apply = Reflect.apply;
  const StringCtor = String;
  const NumberCtor = Number;
  const fromCharCode = String.fromCharCode;
  const fromCodePoint = String.fromCodePoint;
  const charCodeAt = String.prototype.charCodeAt;
  const codePointAt = String.prototype.codePointAt;
  const strSlice = String.prototype.slice;
  const replace = String.prototype.replace;
  const toLowerCase = String.prototype.toLowerCase;
  const trim = String.prototype.trim;
  const U8 = Uint8Array;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
  const RangeErrorCtor = RangeError;
  const MapCtor = Map;
  const SetCtor = Set;
  const DateCtor = Date;
  const RegExpCtor = RegExp;
  const ArrayCtor = Array;
  const WeakMapCtor = WeakMap;
  const wmGet = WeakMap.prototype.get;
  const wmSet = WeakMap.prototype.set;
  const wmHas = WeakMap.prototype.has;
  const mapGet = Map.prototype.get;
  const mapSet = Map.prototype.set;
  const mapHas = Map.prototype.has;
  const mapEntries = Map.prototype.entries;
  const setValues = Set.prototype.values;
  const setAdd = Set.prototype.add;
  const dateTime = Date.prototype.getTime;
  const reSource = O.getOwnPropertyDescriptor(RegExp.prototype, 'source')!.get!;
  const reFlags = O.getOwnPropertyDescriptor(RegExp.prototype, 'flags')!.get!;
  const abSlice = ArrayBuffer.prototype.slice;
  const abLength = O.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;
  const isView = ArrayBuffer.isView;
  const TypedArray = O.getPrototypeOf(Uint8Array);
  const typedTag = O.getOwnPropertyDescriptor(TypedArray.prototype, Symbol.toStringTag)!.get!;
  const typedBuffer = O.getOwnPropertyDescriptor(TypedArray.prototype, 'buffer')!.get!;
  const typedOffset = O.getOwnPropertyDescriptor(TypedArray.prototype, 'byteOffset')!.get!;
  const typedByteLength = O.getOwnPropertyDescriptor(TypedArray.prototype, 'byteLength')!.get!;
  const typedLength = O.getOwnPropertyDescriptor(TypedArray.prototype, 'length')!.get!;
  const viewBuffer = O.getOwnPropertyDescriptor(DataView.prototype, 'buffer')!.get!;
  const viewOffset = O.getOwnPropertyDescriptor(DataView.prototype, 'byteOffset')!.get!;
  const viewLength = O.getOwnPropertyDescriptor(DataView.prototype, 'byteLength')!.get!;
  const DataViewCtor = DataView;
  const errorProto = Error.prototype;
  const isProtoOf = Object.prototype.isPrototypeOf;
  const toStringTag = Object.prototype.toString;
  const keysOf = O.keys;
  const protoOf = O.getPrototypeOf;
  const isArray = Array.isArray;
  const iterator = Symbol.iterator;
  const stringify = JSON.stringify;
  /** A string as a preview shows it, in single quotes. */
  const quote = (s: string) => `'${apply(replace, apply(strSlice, stringify(s), [1, -1]), [/'/g, "\\'"])}'`;
  const dateNow = Date.now;
  const typedCtors: Record<string, any> = {
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
  };
  if (typeof (globalThis as any).Float16Array === 'function') typedCtors.Float16Array = (globalThis as any).Float16Array;
  const hidden = (obj: object, key: PropertyKey, value: unknown) => define(obj, key, { value, writable: true, configurable: true, enumerable: false });
  const tagged = (ctor: any, tag: string) => define(ctor.prototype, Symbol.toStringTag, { value: tag, configurable: true });

  /** The reader of one kind's internal state (kept in `map`, by object), throwing as a method called on another object does. */
  const internalState =
    <T>(map: WeakMap<object, T>, what: string) =>
    (v: unknown): T => {
      const state = apply(wmGet, map, [v]) as T | undefined;
      if (state === undefined) throw new TypeErrorCtor(`Illegal invocation: not ${what}`);
      return state;
    };

  /** The web objects made here, by kind: previews and structuredClone tell them apart without running their code. */
  const webObjects = new WeakMapCtor<object, string>();

  // ---- DOMException (the errors these APIs throw, as in a browser) ----
  const CODES: Record<string, number> = {
    InvalidCharacterError: 5,
    NotSupportedError: 9,
    SyntaxError: 12,
    TypeMismatchError: 17,
    QuotaExceededError: 22,
    DataCloneError: 25,
  };
  class DOMException extends ErrorCtor {
    constructor(message = '', name = 'Error') {
      super(StringCtor(message));
      hidden(this, 'name', StringCtor(name));
      hidden(this, 'code', CODES[StringCtor(name)] ?? 0);
    }
  }
  const domError = (name: string, message: string) => new DOMException(message, name);

  // ---- bytes ----
  /** The bytes of a BufferSource (an ArrayBuffer, a typed array or a DataView), as a view on the same memory. */
  const bytesOf = (input: unknown, what: string): Uint8Array => {
    if (isView(input)) {
      let tag: string | undefined;
      try {
        tag = apply(typedTag, input, []);
      } catch {
        tag = undefined;
      }
      if (tag !== undefined) return new U8(apply(typedBuffer, input, []), apply(typedOffset, input, []), apply(typedByteLength, input, []));
      return new U8(apply(viewBuffer, input, []), apply(viewOffset, input, []), apply(viewLength, input, []));
    }
    try {
      apply(abLength, input, []);
    } catch {
      throw new TypeErrorCtor(`${what}: expected an ArrayBuffer, a typed array or a DataView`);
    }
    return new U8(input as ArrayBuffer);
  };

  // ---- base64 ----
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const B64_VALUE = new MapCtor<string, number>();
  for (let i = 0; i < 64; i++) apply(mapSet, B64_VALUE, [B64[i], i]);
  const toBase64 = (byteAt: (i: number) => number, n: number): string => {
    let out = '';
    for (let i = 0; i < n; i += 3) {
      const a = byteAt(i);
      const b = i + 1 < n ? byteAt(i + 1) : 0;
      const c = i + 2 < n ? byteAt(i + 2) : 0;
      out += B64[a >> 2]! + B64[((a & 3) << 4) | (b >> 4)]! + (i + 1 < n ? B64[((b & 15) << 2) | (c >> 6)]! : '=') + (i + 2 < n ? B64[c & 63]! : '=');
    }
    return out;
  };
  /** The bytes base64 text holds, or undefined when it is not base64 (forgiving-base64 decode, as atob reads). */
  const fromBase64 = (text: string): number[] | undefined => {
    let s = apply(replace, text, [/[\t\n\f\r ]/g, '']) as string;
    if (s.length % 4 === 0) s = apply(replace, s, [/={1,2}$/, '']) as string;
    if (s.length % 4 === 1) return undefined;
    const out: number[] = [];
    let acc = 0;
    let bits = 0;
    for (let i = 0; i < s.length; i++) {
      const v = apply(mapGet, B64_VALUE, [s[i]]);
      if (v === undefined) return undefined;
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[out.length] = (acc >> bits) & 255;
      }
    }
    return out;
  };
  function btoa(data: unknown): string {
    if (arguments.length === 0) throw new TypeErrorCtor('btoa: 1 argument required, but only 0 present');
    const s = StringCtor(data);
    return toBase64((i) => {
      const c = apply(charCodeAt, s, [i]) as number;
      if (c > 255)
        throw domError('InvalidCharacterError', 'btoa: the string has a character outside Latin-1 (encode it to UTF-8 bytes first, e.g. with TextEncoder)');
      return c;
    }, s.length);
  }
  function atob(data: unknown): string {
    if (arguments.length === 0) throw new TypeErrorCtor('atob: 1 argument required, but only 0 present');
    const bytes = fromBase64(StringCtor(data));
    if (!bytes) throw domError('InvalidCharacterError', 'atob: the string is not correctly encoded base64');
    let out = '';
    for (let i = 0; i < bytes.length; i += 4096) out += apply(fromCharCode, undefined, bytes.slice(i, i + 4096));
    return out;
  }

  // ---- UTF-8 ----
  /**
   * Writes the UTF-8 bytes of the characters of `s` that start from `start` up to `end`, whole characters only, while
   * they fit in `room` bytes; a lone surrogate is U+FFFD, as the encoding standard's USVString conversion does. Returns
   * the UTF-16 units read.
   */
  const encodeUtf8 = (s: string, write: (b: number) => void, room = Infinity, start = 0, end = s.length): number => {
    let i = start;
    while (i < end) {
      let cp = apply(codePointAt, s, [i]) as number;
      const units = cp > 0xffff ? 2 : 1;
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
      const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (n > room) break;
      room -= n;
      if (n === 1) write(cp);
      else if (n === 2) write(0xc0 | (cp >> 6));
      else if (n === 3) write(0xe0 | (cp >> 12));
      else write(0xf0 | (cp >> 18));
      for (let shift = 6 * (n - 2); shift >= 0; shift -= 6) write(0x80 | ((cp >> shift) & 63));
      i += units;
    }
    return i - start;
  };

  /** The encoding standard's UTF-8 decoder, one byte at a time (state kept across calls for `stream`). */
  interface Utf8State {
    cp: number;
    needed: number;
    seen: number;
    lower: number;
    upper: number;
  }
  const newState = (): Utf8State => ({ cp: 0, needed: 0, seen: 0, lower: 0x80, upper: 0xbf });
  const decodeUtf8 = (bytes: Uint8Array, state: Utf8State, flush: boolean, fatal: boolean, emit: (cp: number) => void) => {
    const bad = () => {
      if (fatal) throw new TypeErrorCtor('The encoded data was not valid for encoding utf-8');
      emit(0xfffd);
    };
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (state.needed === 0) {
        if (b <= 0x7f) emit(b);
        else if (b >= 0xc2 && b <= 0xdf) {
          state.needed = 1;
          state.cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) state.lower = 0xa0;
          if (b === 0xed) state.upper = 0x9f;
          state.needed = 2;
          state.cp = b & 0xf;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) state.lower = 0x90;
          if (b === 0xf4) state.upper = 0x8f;
          state.needed = 3;
          state.cp = b & 7;
        } else bad();
        continue;
      }
      if (b < state.lower || b > state.upper) {
        state.cp = state.needed = state.seen = 0;
        state.lower = 0x80;
        state.upper = 0xbf;
        bad();
        i--;
        continue;
      }
      state.lower = 0x80;
      state.upper = 0xbf;
      state.cp = (state.cp << 6) | (b & 0x3f);
      if (++state.seen === state.needed) {
        const cp = state.cp;
        state.cp = state.needed = state.seen = 0;
        emit(cp);
      }
    }
    if (flush && state.needed) {
      state.cp = state.needed = state.seen = 0;
      bad();
    }
  };
  const codePointsToString = (cps: number[]): string => {
    let out = '';
    for (let i = 0; i < cps.length; i += 4096) out += apply(fromCodePoint, undefined, cps.slice(i, i + 4096));
    return out;
  };

  class TextEncoder {
    constructor() {
      apply(wmSet, webObjects, [this, 'TextEncoder']);
    }
    get encoding() {
      return 'utf-8';
    }
    encode(input: unknown = ''): Uint8Array {
      const s = StringCtor(input);
      const out: number[] = [];
      encodeUtf8(s, (b) => (out[out.length] = b));
      return new U8(out);
    }
    encodeInto(source: unknown, destination: Uint8Array): { read: number; written: number } {
      const s = StringCtor(source);
      const dest = bytesOf(destination, 'encodeInto');
      let written = 0;
      const read = encodeUtf8(s, (b) => (dest[written++] = b), dest.length);
      return { read, written };
    }
  }
  tagged(TextEncoder, 'TextEncoder');

  const UTF8_LABELS = ['utf-8', 'utf8', 'unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'x-unicode20utf8'];
  interface DecoderState {
    fatal: boolean;
    ignoreBOM: boolean;
    utf8: Utf8State;
    bomSeen: boolean;
  }
  const decoders = new WeakMapCtor<object, DecoderState>();
  const decoderOf = internalState(decoders, 'a TextDecoder');
  class TextDecoder {
    constructor(label: unknown = 'utf-8', options: { fatal?: unknown; ignoreBOM?: unknown } = {}) {
      const name = apply(toLowerCase, apply(trim, StringCtor(label), []), []) as string;
      if (!UTF8_LABELS.includes(name)) {
        throw new RangeErrorCtor(`TextDecoder: the encoding "${StringCtor(label)}" is not supported in the Sandbox (UTF-8 only)`);
      }
      apply(wmSet, decoders, [this, { fatal: !!options?.fatal, ignoreBOM: !!options?.ignoreBOM, utf8: newState(), bomSeen: false }]);
      apply(wmSet, webObjects, [this, 'TextDecoder']);
    }
    get encoding() {
      decoderOf(this);
      return 'utf-8';
    }
    get fatal() {
      return decoderOf(this).fatal;
    }
    get ignoreBOM() {
      return decoderOf(this).ignoreBOM;
    }
    decode(input?: unknown, options: { stream?: unknown } = {}): string {
      const state = decoderOf(this);
      const stream = !!options?.stream;
      const bytes = input === undefined ? new U8(0) : bytesOf(input, 'TextDecoder.decode');
      const cps: number[] = [];
      try {
        decodeUtf8(bytes, state.utf8, !stream, state.fatal, (cp) => {
          if (!state.bomSeen) {
            state.bomSeen = true;
            if (cp === 0xfeff && !state.ignoreBOM) return;
          }
          cps[cps.length] = cp;
        });
      } catch (err) {
        state.utf8 = newState();
        state.bomSeen = false;
        throw err;
      }
      if (!stream) {
        state.utf8 = newState();
        state.bomSeen = false;
      }
      return codePointsToString(cps);
    }
  }
  tagged(TextDecoder, 'TextDecoder');

  // ---- structuredClone ----
  const ERROR_NAMES = ['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError'];
  const isError = (v: any): boolean => {
    try {
      return apply(isProtoOf, errorProto, [v]) || apply(toStringTag, v, []) === '[object Error]';
    } catch {
      return false;
    }
  };
  const brand = (getter: Function, v: unknown): boolean => {
    try {
      apply(getter, v, []);
      return true;
    } catch {
      return false;
    }
  };
  const field = (v: any, key: string): unknown => {
    for (let o = v, i = 0; o && i < 20; o = protoOf(o), i++) {
      const d = O.getOwnPropertyDescriptor(o, key);
      if (d) return 'value' in d ? d.value : undefined;
    }
    return undefined;
  };
  const PRIMITIVE_VALUE_OF: Function[] = [Boolean.prototype.valueOf, Number.prototype.valueOf, String.prototype.valueOf, BigInt.prototype.valueOf];
  const structuredClone = (value: unknown, options?: { transfer?: unknown }): unknown => {
    const transfer = options?.transfer;
    if (transfer !== undefined && !(isArray(transfer) && transfer.length === 0)) {
      throw domError('DataCloneError', 'structuredClone: transfer is not supported in the Sandbox');
    }
    const memory = new MapCtor<object, unknown>();
    const clone = (v: any): unknown => {
      if (v === null || (typeof v !== 'object' && typeof v !== 'function')) {
        if (typeof v === 'symbol')
          throw domError('DataCloneError', `structuredClone: ${StringCtor(v.description ?? 'a symbol')} could not be cloned (a symbol)`);
        return v;
      }
      if (apply(mapHas, memory, [v])) return apply(mapGet, memory, [v]);
      if (typeof v === 'function') throw domError('DataCloneError', `structuredClone: a function could not be cloned`);
      if (apply(wmHas, webObjects, [v])) throw domError('DataCloneError', `structuredClone: a ${apply(wmGet, webObjects, [v])} could not be cloned`);
      const keep = <T>(copy: T): T => {
        apply(mapSet, memory, [v, copy]);
        return copy;
      };
      if (brand(dateTime, v)) return keep(new DateCtor(apply(dateTime, v, [])));
      if (brand(reSource, v) && v !== RegExp.prototype) return keep(new RegExpCtor(apply(reSource, v, []), apply(reFlags, v, [])));
      if (brand(abLength, v)) return keep(apply(abSlice, v, [0]));
      if (isView(v)) {
        let tag: string | undefined;
        try {
          tag = apply(typedTag, v, []);
        } catch {
          tag = undefined;
        }
        if (tag !== undefined) {
          const buffer = clone(apply(typedBuffer, v, [])) as ArrayBuffer;
          return keep(new typedCtors[tag](buffer, apply(typedOffset, v, []), apply(typedLength, v, [])));
        }
        const buffer = clone(apply(viewBuffer, v, [])) as ArrayBuffer;
        return keep(new DataViewCtor(buffer, apply(viewOffset, v, []), apply(viewLength, v, [])));
      }
      if (brand(O.getOwnPropertyDescriptor(Map.prototype, 'size')!.get!, v)) {
        const copy = keep(new MapCtor());
        for (const [k, val] of apply(mapEntries, v, []) as IterableIterator<[unknown, unknown]>) apply(mapSet, copy, [clone(k), clone(val)]);
        return copy;
      }
      if (brand(O.getOwnPropertyDescriptor(Set.prototype, 'size')!.get!, v)) {
        const copy = keep(new SetCtor());
        for (const val of apply(setValues, v, []) as IterableIterator<unknown>) apply(setAdd, copy, [clone(val)]);
        return copy;
      }
      for (const get of PRIMITIVE_VALUE_OF) if (brand(get, v)) return keep(O(apply(get, v, [])) as unknown as object);
      if (isError(v)) {
        const name = field(v, 'name');
        const Ctor = (globalThis as any)[ERROR_NAMES.includes(name as string) ? (name as string) : 'Error'];
        const message = O.getOwnPropertyDescriptor(v, 'message');
        const copy = keep(new Ctor(message && 'value' in message ? StringCtor(message.value) : ''));
        const stack = O.getOwnPropertyDescriptor(v, 'stack');
        if (stack && typeof stack.value === 'string') hidden(copy, 'stack', stack.value);
        const cause = O.getOwnPropertyDescriptor(v, 'cause');
        if (cause && 'value' in cause) hidden(copy, 'cause', clone(cause.value));
        return copy;
      }
      const kind = apply(toStringTag, v, []) as string;
      if (kind === '[object WeakMap]' || kind === '[object WeakSet]' || kind === '[object WeakRef]' || kind === '[object Promise]') {
        throw domError('DataCloneError', `structuredClone: a ${apply(strSlice, kind, [8, -1])} could not be cloned`);
      }
      const copy: any = keep(isArray(v) ? new ArrayCtor(v.length) : {});
      for (const k of keysOf(v)) {
        const d = O.getOwnPropertyDescriptor(v, k);
        // an accessor is read, as the algorithm reads every own enumerable property ([[Get]])
        const val = d && 'value' in d ? d.value : v[k];
        define(copy, k, { value: clone(val), writable: true, enumerable: true, configurable: true });
      }
      return copy;
    };
    return clone(value);
  };

  // ---- crypto ----
  const MAX_RANDOM_BYTES = 65536;
  const randomBytes = (n: number): number[] => {
    const reply = call({ t: 'random', n });
    const bytes = typeof reply?.b64 === 'string' ? fromBase64(reply.b64) : undefined;
    if (!bytes || bytes.length !== n) throw domError('NotSupportedError', 'crypto: no random bytes from the host');
    return bytes;
  };
  const INTEGER_ARRAYS = [
    'Int8Array',
    'Uint8Array',
    'Uint8ClampedArray',
    'Int16Array',
    'Uint16Array',
    'Int32Array',
    'Uint32Array',
    'BigInt64Array',
    'BigUint64Array',
  ];
  const crypto = {
    getRandomValues<T>(array: T): T {
      let tag: string | undefined;
      try {
        tag = apply(typedTag, array, []);
      } catch {
        tag = undefined;
      }
      if (tag === undefined || !INTEGER_ARRAYS.includes(tag)) {
        throw domError('TypeMismatchError', 'crypto.getRandomValues: expected an integer typed array (Uint8Array, Int32Array…)');
      }
      const n = apply(typedByteLength, array, []) as number;
      if (n > MAX_RANDOM_BYTES) throw domError('QuotaExceededError', `crypto.getRandomValues: ${n} bytes asked, at most ${MAX_RANDOM_BYTES} at once`);
      if (n === 0) return array;
      const bytes = randomBytes(n);
      const view = new U8(apply(typedBuffer, array, []), apply(typedOffset, array, []), n);
      for (let i = 0; i < n; i++) view[i] = bytes[i]!;
      return array;
    },
    randomUUID(): string {
      const b = randomBytes(16);
      b[6] = (b[6]! & 0x0f) | 0x40;
      b[8] = (b[8]! & 0x3f) | 0x80;
      let hex = '';
      for (let i = 0; i < 16; i++) hex += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
      return `${apply(strSlice, hex, [0, 8])}-${apply(strSlice, hex, [8, 12])}-${apply(strSlice, hex, [12, 16])}-${apply(strSlice, hex, [16, 20])}-${apply(strSlice, hex, [20])}`;
    },
  };
  define(crypto, Symbol.toStringTag, { value: 'Crypto', configurable: true });

  // ---- performance (the host's monotonic clock in steps of 0.1 ms, as a browser gives a page that is not
  // cross-origin isolated; Date's whole milliseconds if the host does not answer) ----
  const hostNow = (): number => {
    const reply = call({ t: 'now' });
    return typeof reply?.ms === 'number' ? reply.ms : (apply(dateNow, DateCtor, []) as number);
  };
  const timeOrigin = apply(dateNow, DateCtor, []) as number;
  const clockOrigin = hostNow();
  const performance = {
    timeOrigin,
    now: () => hostNow() - clockOrigin,
    toJSON: () => ({ timeOrigin }),
  };
  define(performance, Symbol.toStringTag, { value: 'Performance', configurable: true });

  // ---- URLSearchParams ----
  apply(wmSet, webObjects, [crypto, 'Crypto']);
  apply(wmSet, webObjects, [performance, 'Performance']);
  interface ParamsState {
    list: [string, string][];
    /** The URL these are the searchParams of: told of every change. */
    url?: object;
  }
  const params = new WeakMapCtor<object, ParamsState>();
  const paramsOf = internalState(params, 'a URLSearchParams');
  const percentDecodeUtf8 = (s: string): string => {
    const bytes: number[] = [];
    const push = (b: number) => (bytes[bytes.length] = b);
    for (let i = 0; i < s.length;) {
      const hex = apply(strSlice, s, [i + 1, i + 3]) as string;
      if (apply(charCodeAt, s, [i]) === 0x25 && /^[0-9A-Fa-f]{2}$/.test(hex)) {
        push(NumberCtor.parseInt(hex, 16));
        i += 3;
      } else {
        // the one character at i (a surrogate pair is one)
        i += encodeUtf8(s, push, Infinity, i, i + 1);
      }
    }
    const cps: number[] = [];
    decodeUtf8(new U8(bytes), newState(), true, false, (cp) => (cps[cps.length] = cp));
    return codePointsToString(cps);
  };
  const parseQuery = (query: string): [string, string][] => {
    const list: [string, string][] = [];
    for (const part of query.split('&')) {
      if (!part) continue;
      const at = part.indexOf('=');
      const name = at === -1 ? part : apply(strSlice, part, [0, at]);
      const value = at === -1 ? '' : apply(strSlice, part, [at + 1]);
      list[list.length] = [percentDecodeUtf8(apply(replace, name, [/\+/g, ' ']) as string), percentDecodeUtf8(apply(replace, value, [/\+/g, ' ']) as string)];
    }
    return list;
  };
  const HEX = '0123456789ABCDEF';
  const formEncode = (s: string): string => {
    let out = '';
    encodeUtf8(s, (b) => {
      if (b === 0x20) out += '+';
      else if (b === 0x2a || b === 0x2d || b === 0x2e || b === 0x5f || (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a))
        out += fromCharCode(b);
      else out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
    });
    return out;
  };
  const serializeQuery = (list: [string, string][]) => list.map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join('&');
  const changed = (s: ParamsState) => {
    if (s.url) urlParamsChanged(s.url, serializeQuery(s.list));
  };

  class URLSearchParams {
    constructor(init: unknown = '') {
      let list: [string, string][] = [];
      if (typeof init === 'object' && init !== null) {
        const known = apply(wmGet, params, [init]) as ParamsState | undefined;
        if (known) list = known.list.map(([k, v]) => [k, v] as [string, string]);
        else if (typeof (init as any)[iterator] === 'function') {
          for (const pair of init as Iterable<unknown>) {
            const items = [...(pair as Iterable<unknown>)];
            if (items.length !== 2) throw new TypeErrorCtor('URLSearchParams: each pair must have exactly a name and a value');
            list[list.length] = [StringCtor(items[0]), StringCtor(items[1])];
          }
        } else for (const k of keysOf(init)) list[list.length] = [k, StringCtor((init as any)[k])];
      } else {
        const s = StringCtor(init);
        list = parseQuery(s[0] === '?' ? apply(strSlice, s, [1]) : s);
      }
      apply(wmSet, params, [this, { list }]);
      apply(wmSet, webObjects, [this, 'URLSearchParams']);
    }
    get size() {
      return paramsOf(this).list.length;
    }
    append(name: unknown, value: unknown) {
      const s = paramsOf(this);
      s.list[s.list.length] = [StringCtor(name), StringCtor(value)];
      changed(s);
    }
    delete(name: unknown, value?: unknown) {
      const s = paramsOf(this);
      const n = StringCtor(name);
      s.list = s.list.filter(([k, v]) => !(k === n && (value === undefined || v === StringCtor(value))));
      changed(s);
    }
    get(name: unknown): string | null {
      const n = StringCtor(name);
      const hit = paramsOf(this).list.find(([k]) => k === n);
      return hit ? hit[1] : null;
    }
    getAll(name: unknown): string[] {
      const n = StringCtor(name);
      return paramsOf(this)
        .list.filter(([k]) => k === n)
        .map(([, v]) => v);
    }
    has(name: unknown, value?: unknown): boolean {
      const n = StringCtor(name);
      return paramsOf(this).list.some(([k, v]) => k === n && (value === undefined || v === StringCtor(value)));
    }
    set(name: unknown, value: unknown) {
      const s = paramsOf(this);
      const n = StringCtor(name);
      const i = s.list.findIndex(([k]) => k === n);
      if (i === -1) s.list[s.list.length] = [n, StringCtor(value)];
      else s.list = [...s.list.slice(0, i), [n, StringCtor(value)], ...s.list.slice(i + 1).filter(([k]) => k !== n)];
      changed(s);
    }
    sort() {
      const s = paramsOf(this);
      // stable, by UTF-16 code units (Array.prototype.sort is stable)
      s.list = [...s.list].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      changed(s);
    }
    forEach(callback: (value: string, name: string, params: unknown) => void, thisArg?: unknown) {
      if (typeof callback !== 'function') throw new TypeErrorCtor('URLSearchParams.forEach: the callback must be a function');
      const s = paramsOf(this);
      for (let i = 0; i < s.list.length; i++) apply(callback, thisArg, [s.list[i]![1], s.list[i]![0], this]);
    }
    *entries(): IterableIterator<[string, string]> {
      const s = paramsOf(this);
      for (let i = 0; i < s.list.length; i++) yield [s.list[i]![0], s.list[i]![1]];
    }
    *keys(): IterableIterator<string> {
      for (const [k] of this.entries()) yield k;
    }
    *values(): IterableIterator<string> {
      for (const [, v] of this.entries()) yield v;
    }
    [Symbol.iterator]() {
      return this.entries();
    }
    toString(): string {
      return serializeQuery(paramsOf(this).list);
    }
  }
  tagged(URLSearchParams, 'URLSearchParams');

  // ---- URL (parsed by the host, with Node's WHATWG parser) ----
  const URL_PARTS = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;
  type Parts = Record<(typeof URL_PARTS)[number], string>;
  interface UrlState {
    parts: Parts;
    searchParams: URLSearchParams;
  }
  const urls = new WeakMapCtor<object, UrlState>();
  const urlOf = internalState(urls, 'a URL');
  /** The host's parse of `input` (against `base`), with `set` applied as that setter would: undefined when invalid. */
  const parse = (input: unknown, base?: unknown, set?: [string, string]): Parts | undefined => {
    const reply = call({
      t: 'url',
      input: StringCtor(input),
      ...(base !== undefined && { base: StringCtor(base) }),
      ...(set && { key: set[0], value: set[1] }),
    });
    if (!reply || reply.ok !== true) return undefined;
    const parts = {} as Parts;
    for (const k of URL_PARTS) parts[k] = typeof reply[k] === 'string' ? reply[k] : '';
    return parts;
  };
  const urlParamsChanged = (u: object, query: string) => {
    const s = urlOf(u);
    const next = parse(s.parts.href, undefined, ['search', query]);
    if (next) s.parts = next;
  };
  const setPart = (u: unknown, key: string, value: unknown) => {
    const s = urlOf(u);
    const next = key === 'href' ? parse(value) : parse(s.parts.href, undefined, [key, StringCtor(value)]);
    if (!next) return;
    s.parts = next;
    if (key === 'search' || key === 'href') paramsOf(s.searchParams).list = parseQuery(apply(strSlice, next.search, [1]) as string);
  };
  class URL {
    // the parts' accessors are defined below, from URL_PARTS
    declare href: string;
    declare readonly origin: string;
    declare protocol: string;
    declare username: string;
    declare password: string;
    declare host: string;
    declare hostname: string;
    declare port: string;
    declare pathname: string;
    declare search: string;
    declare hash: string;
    constructor(url: unknown, base?: unknown) {
      if (arguments.length === 0) throw new TypeErrorCtor('URL: 1 argument required, but only 0 present');
      const parts = parse(url, base);
      if (!parts) {
        const e = new TypeErrorCtor(`Invalid URL${typeof url === 'string' && url.length < 200 ? `: ${url}` : ''}`);
        hidden(e, 'code', 'ERR_INVALID_URL');
        throw e;
      }
      const searchParams = new URLSearchParams(apply(strSlice, parts.search, [1]));
      paramsOf(searchParams).url = this;
      apply(wmSet, urls, [this, { parts, searchParams }]);
      apply(wmSet, webObjects, [this, 'URL']);
    }
    static canParse(url: unknown, base?: unknown): boolean {
      return parse(url, base) !== undefined;
    }
    static parse(url: unknown, base?: unknown): URL | null {
      return parse(url, base) ? new URL(url, base) : null;
    }
    get searchParams() {
      return urlOf(this).searchParams;
    }
    toString() {
      return urlOf(this).parts.href;
    }
    toJSON() {
      return urlOf(this).parts.href;
    }
  }
  tagged(URL, 'URL');
  // a getter per part, and a setter for each but `origin` (href's validates first: an invalid one throws)
  for (const key of URL_PARTS) {
    define(URL.prototype, key, {
      get(this: unknown) {
        return urlOf(this).parts[key];
      },
      ...(key !== 'origin' && {
        set(this: unknown, v: unknown) {
          if (key === 'href' && !parse(v)) throw new TypeErrorCtor(`Invalid URL: ${StringCtor(v)}`);
          setPart(this, key, v);
        },
      }),
      enumerable: true,
      configurable: true,
    });
  }

  // ---- Event, EventTarget, AbortController, AbortSignal ----
  interface EventState {
    type: string;
    bubbles: boolean;
    cancelable: boolean;
    defaultPrevented: boolean;
    target: unknown;
    stopped: boolean;
    timeStamp: number;
  }
  const events = new WeakMapCtor<object, EventState>();
  const eventOf = internalState(events, 'an Event');
  class Event {
    constructor(type: unknown, init: { bubbles?: unknown; cancelable?: unknown } = {}) {
      if (arguments.length === 0) throw new TypeErrorCtor('Event: 1 argument required, but only 0 present');
      apply(wmSet, events, [
        this,
        {
          type: StringCtor(type),
          bubbles: !!init?.bubbles,
          cancelable: !!init?.cancelable,
          defaultPrevented: false,
          target: null,
          stopped: false,
          timeStamp: performance.now(),
        },
      ]);
    }
    get type() {
      return eventOf(this).type;
    }
    get target() {
      return eventOf(this).target;
    }
    get currentTarget() {
      return eventOf(this).target;
    }
    get bubbles() {
      return eventOf(this).bubbles;
    }
    get cancelable() {
      return eventOf(this).cancelable;
    }
    get defaultPrevented() {
      return eventOf(this).defaultPrevented;
    }
    get timeStamp() {
      return eventOf(this).timeStamp;
    }
    preventDefault() {
      const s = eventOf(this);
      if (s.cancelable) s.defaultPrevented = true;
    }
    stopImmediatePropagation() {
      eventOf(this).stopped = true;
    }
    stopPropagation() {
      eventOf(this);
    }
  }
  tagged(Event, 'Event');

  interface Listener {
    callback: unknown;
    once: boolean;
    removed?: boolean;
  }
  const listeners = new WeakMapCtor<object, Map<string, Listener[]>>();
  const listenersOf = (t: unknown): Map<string, Listener[]> => {
    let m = apply(wmGet, listeners, [t]) as Map<string, Listener[]> | undefined;
    if (!m) {
      if (typeof t !== 'object' || t === null) throw new TypeErrorCtor('Illegal invocation: not an EventTarget');
      m = new MapCtor();
      apply(wmSet, listeners, [t, m]);
    }
    return m;
  };
  class EventTarget {
    addEventListener(type: unknown, callback: unknown, options?: unknown) {
      if (callback === null || callback === undefined) return;
      const m = listenersOf(this);
      const key = StringCtor(type);
      const list = (apply(mapGet, m, [key]) as Listener[] | undefined) ?? [];
      if (list.some((l) => l.callback === callback)) return;
      const once = typeof options === 'object' && options !== null && !!(options as { once?: unknown }).once;
      const signal = typeof options === 'object' && options !== null ? (options as { signal?: unknown }).signal : undefined;
      const listener: Listener = { callback, once };
      list[list.length] = listener;
      apply(mapSet, m, [key, list]);
      const s = signal === undefined ? undefined : signalOf(signal);
      if (s) {
        if (s.aborted) this.removeEventListener(key, callback);
        else s.onAbort(() => this.removeEventListener(key, callback));
      }
    }
    removeEventListener(type: unknown, callback: unknown) {
      const m = listenersOf(this);
      const key = StringCtor(type);
      const list = apply(mapGet, m, [key]) as Listener[] | undefined;
      if (!list) return;
      const i = list.findIndex((l) => l.callback === callback);
      if (i === -1) return;
      list[i]!.removed = true;
      apply(mapSet, m, [key, [...list.slice(0, i), ...list.slice(i + 1)]]);
    }
    dispatchEvent(event: unknown): boolean {
      const state = eventOf(event);
      state.target = this;
      state.stopped = false;
      const handler = (this as unknown as Record<string, unknown>)[`on${state.type}`];
      const list = [...((apply(mapGet, listenersOf(this), [state.type]) as Listener[] | undefined) ?? [])];
      const run = (callback: unknown) => {
        try {
          if (typeof callback === 'function') apply(callback, this, [event]);
          else if (callback && typeof (callback as { handleEvent?: unknown }).handleEvent === 'function')
            (callback as { handleEvent(e: unknown): void }).handleEvent(event);
        } catch (err) {
          // as in a browser: a listener's error is reported, and the other listeners still run
          reportError(err);
        }
      };
      if (typeof handler === 'function' && apply(wmHas, signals, [this])) run(handler);
      for (const l of list) {
        if (l.removed || state.stopped) continue;
        if (l.once) this.removeEventListener(state.type, l.callback);
        run(l.callback);
      }
      return !state.defaultPrevented;
    }
  }
  tagged(EventTarget, 'EventTarget');
  /** A listener's error: thrown on a later turn, where the cell's uncaught errors are reported. */
  const reportError = (err: unknown) =>
    timeout(() => {
      throw err;
    }, 0);

  interface SignalState {
    aborted: boolean;
    reason: unknown;
    /** Run once on abort: the signals that follow this one (any), fetches… */
    followers: (() => void)[];
  }
  const signals = new WeakMapCtor<object, SignalState>();
  const signalState = internalState(signals, 'an AbortSignal');
  let constructingSignal = false;
  const abortSignal = (signal: object, reason: unknown) => {
    const st = signalState(signal);
    if (st.aborted) return;
    st.aborted = true;
    st.reason = reason === undefined ? domError('AbortError', 'This operation was aborted') : reason;
    const followers = st.followers;
    st.followers = [];
    for (const f of followers) f();
    (signal as EventTarget).dispatchEvent(new Event('abort'));
  };
  const newSignal = (): AbortSignal => {
    constructingSignal = true;
    try {
      return new AbortSignal();
    } finally {
      constructingSignal = false;
    }
  };
  class AbortSignal extends EventTarget {
    declare onabort: ((this: AbortSignal, ev: Event) => unknown) | null;
    constructor() {
      if (!constructingSignal)
        throw new TypeErrorCtor('Illegal constructor: make an AbortSignal with new AbortController(), AbortSignal.abort() or AbortSignal.timeout()');
      super();
      apply(wmSet, signals, [this, { aborted: false, reason: undefined, followers: [] }]);
      apply(wmSet, webObjects, [this, 'AbortSignal']);
      hidden(this, 'onabort', null);
    }
    get aborted() {
      return signalState(this).aborted;
    }
    get reason() {
      return signalState(this).reason;
    }
    throwIfAborted() {
      const st = signalState(this);
      if (st.aborted) throw st.reason;
    }
    static abort(reason?: unknown): AbortSignal {
      const s = newSignal();
      abortSignal(s, reason);
      return s;
    }
    static timeout(ms: unknown): AbortSignal {
      const delay = NumberCtor(ms);
      if (!(delay >= 0) || delay > 2 ** 53) throw new TypeErrorCtor('AbortSignal.timeout: the delay must be a number of milliseconds from 0');
      const s = newSignal();
      timeout(() => abortSignal(s, domError('TimeoutError', 'The operation was aborted due to timeout')), delay);
      return s;
    }
    static any(list: Iterable<unknown>): AbortSignal {
      const s = newSignal();
      const sources = [...list].map((x) => {
        signalState(x);
        return x as object;
      });
      const done = sources.find((x) => signalState(x).aborted);
      if (done) abortSignal(s, signalState(done).reason);
      else for (const x of sources) signalState(x).followers.push(() => abortSignal(s, signalState(x).reason));
      return s;
    }
  }
  tagged(AbortSignal, 'AbortSignal');

  const controllers = new WeakMapCtor<object, AbortSignal>();
  class AbortController {
    constructor() {
      apply(wmSet, controllers, [this, newSignal()]);
      apply(wmSet, webObjects, [this, 'AbortController']);
    }
    get signal(): AbortSignal {
      const s = apply(wmGet, controllers, [this]) as AbortSignal | undefined;
      if (!s) throw new TypeErrorCtor('Illegal invocation: not an AbortController');
      return s;
    }
    abort(reason?: unknown) {
      abortSignal(this.signal, reason);
    }
  }
  tagged(AbortController, 'AbortController');

  /** One of this prelude's AbortSignals, as fetch reads it; undefined for anything else. */
  const signalOf = (v: unknown): AbortSignalLike | undefined => {
    const st = typeof v === 'object' && v !== null ? (apply(wmGet, signals, [v]) as SignalState | undefined) : undefined;
    if (!st) return undefined;
    return {
      get aborted() {
        return st.aborted;
      },
      get reason() {
        return st.reason;
      },
      onAbort(fn: () => void) {
        let live = true;
        st.followers.push(() => live && fn());
        return () => {
          live = false;
        };
      },
    };
  };

  /** A preview of a web object made here, from its internal state (no getter or method of the cell's runs). */
  const preview = (v: unknown): string | undefined => {
    if (typeof v !== 'object' || v === null) return undefined;
    const kind = apply(wmGet, webObjects, [v]) as string | undefined;
    if (kind === 'URL') return `URL { href: ${quote(urlOf(v).parts.href)} }`;
    if (kind === 'URLSearchParams') {
      const list = paramsOf(v).list;
      let text = '';
      for (let i = 0; i < list.length && i < 20; i++) text += `${i ? ', ' : ''}${quote(list[i]![0])} => ${quote(list[i]![1])}`;
      return list.length ? `URLSearchParams { ${text}${list.length > 20 ? ', …' : ''} }` : 'URLSearchParams {}';
    }
    if (kind === 'TextEncoder') return "TextEncoder { encoding: 'utf-8' }";
    if (kind === 'AbortSignal') return `AbortSignal { aborted: ${signalState(v).aborted} }`;
    if (kind === 'AbortController') return `AbortController { signal: AbortSignal { aborted: ${signalState(apply(wmGet, controllers, [v])).aborted} } }`;
    const d = apply(wmGet, decoders, [v]) as DecoderState | undefined;
    if (d) return `TextDecoder { encoding: 'utf-8', fatal: ${d.fatal}, ignoreBOM: ${d.ignoreBOM} }`;
    return undefined;
  };

  return {
    globals: {
      atob,
      btoa,
      TextEncoder,
      TextDecoder,
      structuredClone,
      URL,
      URLSearchParams,
      crypto,
      performance,
      DOMException,
      Event,
      EventTarget,
      AbortController,
      AbortSignal,
    },
    preview,
    signalOf,
  };
}
