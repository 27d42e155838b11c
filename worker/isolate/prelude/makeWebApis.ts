/**
 * Runs INSIDE the isolate (stringified into the prelude, see sandboxPrelude.ts): self-contained, ECMAScript built-ins
 * only, captured when the prelude starts. The web APIs a scratchpad expects, which V8 alone lacks: `atob`/`btoa`,
 * `TextEncoder`, `structuredClone`, `URL`/`URLSearchParams`, `crypto.getRandomValues` and `randomUUID`,
 * `performance.now()`, `DOMException`, events and aborts; and, composed from the files beside it, `TextDecoder`
 * (makeTextDecoder.ts), `Blob`/`File`/`FormData` (makeBlobApis.ts) and `Headers`/`Request`/`Response`
 * (makeFetchApis.ts, with makeFormCodec.ts), which share the helpers of `shared` below. Everything is computed in here
 * except three answers only the host has: random bytes (`{ t: 'random' }`), a URL's parse (`{ t: 'url' }`, Node's
 * WHATWG parser) and the time (`{ t: 'now' }`); the host checks the requests (webAnswers.ts) and they carry strings
 * and a size, never an object of the isolate.
 *
 * Every object made here and read again later (internal states, option defaults, records, property descriptors) has no
 * prototype (`{ __proto__: null, … }`, the `__proto__: null` member of their interfaces) and holds all its keys from
 * the start: a getter or setter a cell put on Object.prototype never sees, nor answers for, another cell's data.
 */
/* eslint-disable */
import type { makeBlobApis } from './makeBlobApis';
import type { FetchRequestData, makeFetchApis } from './makeFetchApis';
import type { makeFormCodec } from './makeFormCodec';
import type { makeTextDecoder } from './makeTextDecoder';

/** What the prelude's fetch reads of a signal (makeWebApis's signalOf). */
export interface AbortSignalLike {
  __proto__: null;
  aborted: boolean;
  reason: unknown;
  /** Calls `fn` once when the signal aborts; returns the function that stops that. */
  onAbort(fn: () => void): () => void;
}

/** The helpers the other web API files use (never handed to a cell). */
export interface WebShared {
  /** A BufferSource's bytes, as a view on its memory; a TypeError for anything else. */
  bytesOf(input: unknown, what: string): Uint8Array;
  /** A BufferSource's bytes as a view on its memory, or undefined when `v` is not one. */
  bufferOf(v: unknown): Uint8Array | undefined;
  /** A view of bytes [from, to) of `u` (no copy). */
  view(u: Uint8Array, from: number, to: number): Uint8Array;
  /** A copy of bytes, in a new buffer. */
  copy(bytes: Uint8Array): Uint8Array;
  /** Bytes of several pieces, one after the other (one copy). */
  concat(pieces: Uint8Array[]): Uint8Array;
  /** A string's UTF-8 bytes (a lone surrogate as U+FFFD). */
  utf8Encode(s: string): Uint8Array;
  /** The Encoding Standard's "UTF-8 decode" (a byte order mark dropped unless `keepBom`, errors as U+FFFD). */
  utf8Decode(bytes: Uint8Array, keepBom?: boolean): string;
  decodeUtf8(bytes: Uint8Array, state: unknown, flush: boolean, fatal: boolean, emit: (cp: number) => void): void;
  newUtf8State(): unknown;
  /** A URLSearchParams' pairs (a copy), or undefined for anything else. */
  queryOf(v: unknown): [string, string][] | undefined;
  /** The entries of an application/x-www-form-urlencoded body. */
  decodeUrlencoded(bytes: Uint8Array): [string, string][];
  serializeQuery(list: [string, string][]): string;
  /**
   * WebIDL's pair iterator on a class's prototype: `forEach`, `entries`, `keys`, `values` and `[Symbol.iterator]`
   * (entries), and an iterator prototype (`<name> Iterator`) whose `next` walks the pairs by index. `pairsOf` answers
   * an object's pairs as they are now (a TypeError for an object that is not one of the class's): they are read again
   * at every step, so a change made while iterating is seen.
   */
  pairIterable<V>(proto: object, name: string, pairsOf: (target: unknown) => [string, V][]): void;
  /** `set` of a list of name/value pairs: `pair` in the place of the first of its name, the others of that name gone (appended when there is none). */
  setPair<V>(list: [string, V][], pair: [string, V]): [string, V][];
  /** The host's parse of an absolute URL, or undefined. */
  parseUrl(input: string): { href: string; username: string; password: string } | undefined;
  /** One of this prelude's AbortSignals, as fetch reads it. */
  signalOf(v: unknown): AbortSignalLike | undefined;
  /** A new AbortSignal that aborts when `v` (an AbortSignal, or nothing) does. */
  followSignal(v: unknown): object;
  /** Marks a web object: previews and structuredClone know its kind. */
  register(obj: object, kind: string): void;
  /** How structuredClone copies a kind (the others are a DataCloneError). */
  cloneable(kind: string, clone: (v: object) => object): void;
  /** A string as a preview shows it (cut after 1,000 characters). */
  quote(s: string): string;
  /** Text built a piece at a time without a rope of millions of pieces (see makeWebApis's builder). */
  builder(): { code(cp: number): void; text(t: string): void; done(): string };
  /** A property name as a preview shows it: bare when it is an identifier, else quoted. */
  key(s: string): string;
  /** Appends to a list of the prelude's own without a setter a cell put on Array.prototype or a `get` on Object.prototype. */
  push<T>(list: T[], v: T): void;
  /** A typed array's length, through the getter captured before any cell ran. */
  byteLength(u: Uint8Array): number;
  /** Names a class's prototype for Object.prototype.toString (`[object Headers]`). */
  tag(proto: object, name: string): void;
}

export function makeWebApis(
  call: (msg: unknown) => any,
  /** The prelude's own setTimeout (a cell's replacing the global changes nothing here): for AbortSignal.timeout. */
  timeout: (fn: () => void, ms: number) => unknown,
  /** The prelude's base64 of bytes both ways (makeCodec.ts), for what crosses the bridge as bytes. */
  codec: { bytesToBase64(bytes: Uint8Array): string; base64ToBytes(text: string): Uint8Array },
  // the other web API files (sandboxPrelude.ts passes them in)
  textDecoderApi: typeof makeTextDecoder,
  blobApis: typeof makeBlobApis,
  formCodec: typeof makeFormCodec,
  fetchApis: typeof makeFetchApis,
): {
  globals: Record<string, unknown>;
  preview(v: unknown): string | undefined;
  signalOf(v: unknown): AbortSignalLike | undefined;
  /** What `fetch(input, init)` sends (see makeFetchApis). */
  request(input: unknown, init: unknown, who: string): FetchRequestData;
  response(raw: unknown, body: Uint8Array): object;
} {
  'use strict';
  const O = Object;
  const define = O.defineProperty;
  const apply = Reflect.apply;
  const StringCtor = String;
  const NumberCtor = Number;
  const fromCharCode = String.fromCharCode;
  const charCodeAt = String.prototype.charCodeAt;
  const codePointAt = String.prototype.codePointAt;
  const strSlice = String.prototype.slice;
  const replace = String.prototype.replace;
  const numToString = Number.prototype.toString;
  const U8 = Uint8Array;
  const PromiseCtor = Promise;
  const toUpper = String.prototype.toUpperCase;
  const ErrorCtor = Error;
  const TypeErrorCtor = TypeError;
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
  const mapIteratorNext = O.getPrototypeOf(new Map().entries()).next;
  const setIteratorNext = O.getPrototypeOf(new Set().values()).next;
  const dateTime = Date.prototype.getTime;
  const reSource = O.getOwnPropertyDescriptor(RegExp.prototype, 'source')!.get!;
  const reFlags = O.getOwnPropertyDescriptor(RegExp.prototype, 'flags')!.get!;
  const abSlice = ArrayBuffer.prototype.slice;
  const abLength = O.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')!.get!;
  const isView = ArrayBuffer.isView;
  const TypedArray = O.getPrototypeOf(Uint8Array);
  const typedSet = TypedArray.prototype.set as (this: Uint8Array, src: Uint8Array, offset?: number) => void;
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
  const gOPD = O.getOwnPropertyDescriptor;
  const hasOwn = O.hasOwn;
  const protoOf = O.getPrototypeOf;
  const create = O.create;
  const IteratorProto = protoOf(protoOf([][Symbol.iterator]()));
  const isArray = Array.isArray;
  const iterator = Symbol.iterator;
  const tagKey = Symbol.toStringTag;
  /**
   * A string as a preview shows it, quoted as the Sandbox inspector quotes strings (makeInspector.ts): in `'`, else
   * `"` when it has a `'`, else a backquote when it has both, else `'` with `\'`; `\\`, `\n`, `\r`, `\t` and
   * `\xNN` for the other control characters. The secret scanner (protocol/makeSecretScanner.ts, the Sandbox's
   * quoting) knows these forms, so a secret in a preview is masked whatever quotes it holds.
   */
  const quote = (s: string): string => {
    let single = false;
    let double = false;
    let back = false;
    for (let i = 0; i < s.length; i++) {
      const c = apply(charCodeAt, s, [i]) as number;
      if (c === 0x27) single = true;
      else if (c === 0x22) double = true;
      else if (c === 0x60) back = true;
    }
    const q = !single ? "'" : !double ? '"' : !back ? '`' : "'";
    const out = builder();
    out.text(q);
    for (let i = 0; i < s.length; i++) {
      const c = apply(charCodeAt, s, [i]) as number;
      if (c === 0x5c) out.text('\\\\');
      else if (c === 0x0a) out.text('\\n');
      else if (c === 0x0d) out.text('\\r');
      else if (c === 0x09) out.text('\\t');
      else if (c < 0x20) out.text(`\\x${c < 16 ? '0' : ''}${apply(numToString, c, [16]) as string}`);
      else if (c === 0x27 && q === "'") out.text("\\'");
      else out.code(c);
    }
    out.text(q);
    return out.done();
  };
  const dateNow = Date.now;
  const floor = Math.floor;
  const typedCtors: Record<string, any> = {
    __proto__: null,
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
  /** A property descriptor without a prototype: ToPropertyDescriptor reads `get` and `set` through it otherwise. */
  interface Descriptor extends PropertyDescriptor {
    __proto__: null;
  }
  /** An enumerable, writable, configurable data property's descriptor (a `get` on Object.prototype never sees `value`). */
  const data = (value: unknown): Descriptor => ({ __proto__: null, value, writable: true, enumerable: true, configurable: true });
  const hidden = (obj: object, key: PropertyKey, value: unknown) =>
    define(obj, key, { __proto__: null, value, writable: true, configurable: true, enumerable: false } as Descriptor);
  const tag = (proto: object, name: string) => define(proto, Symbol.toStringTag, { __proto__: null, value: name, configurable: true } as Descriptor);
  const tagged = (ctor: any, name: string) => tag(ctor.prototype, name);
  /** A key of a host's answer, only if it is the answer's own (a getter a cell put on Object.prototype answers nothing). */
  const ownOf = (reply: unknown, k: string): unknown =>
    typeof reply === 'object' && reply !== null && apply(hasOwn, O, [reply, k]) ? (reply as Record<string, unknown>)[k] : undefined;

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
  /** How structuredClone copies a kind of web object (makeBlobApis: Blob, File). */
  const cloners = new MapCtor<string, (v: object) => object>();

  // ---- DOMException (the errors these APIs throw, as in a browser) ----
  const CODES = {
    __proto__: null,
    InvalidCharacterError: 5,
    NotSupportedError: 9,
    SyntaxError: 12,
    TypeMismatchError: 17,
    QuotaExceededError: 22,
    DataCloneError: 25,
  } as unknown as Record<string, number>;
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
  /** A view of bytes [from, to) of `u` (no copy; the constructor, not subarray, which a cell's species could steer). */
  const view = (u: Uint8Array, from: number, to: number): Uint8Array =>
    new U8(apply(typedBuffer, u, []) as ArrayBuffer, (apply(typedOffset, u, []) as number) + from, to - from);
  const copy = (bytes: Uint8Array): Uint8Array => {
    const out = new U8(apply(typedLength, bytes, []) as number);
    apply(typedSet, out, [bytes]);
    return out;
  };
  /** Bytes of several pieces, one after the other. */
  const concat = (pieces: Uint8Array[]): Uint8Array => {
    let total = 0;
    for (let i = 0; i < pieces.length; i++) total += apply(typedLength, pieces[i]!, []) as number;
    const out = new U8(total);
    let at = 0;
    for (let i = 0; i < pieces.length; i++) {
      apply(typedSet, out, [pieces[i]!, at]);
      at += apply(typedLength, pieces[i]!, []) as number;
    }
    return out;
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
  /**
   * The bytes base64 text holds, or undefined when it is not base64 (forgiving-base64 decode, as atob reads): in a
   * typed array, whose indexes no setter a cell put on Array.prototype reaches.
   */
  const fromBase64 = (text: string): Uint8Array | undefined => {
    let s = apply(replace, text, [/[\t\n\f\r ]/g, '']) as string;
    if (s.length % 4 === 0) s = apply(replace, s, [/={1,2}$/, '']) as string;
    if (s.length % 4 === 1) return undefined;
    const out = new U8(floor((s.length * 6) / 8));
    let n = 0;
    let acc = 0;
    let bits = 0;
    for (let i = 0; i < s.length; i++) {
      const v = apply(mapGet, B64_VALUE, [s[i]]);
      if (v === undefined) return undefined;
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[n++] = (acc >> bits) & 255;
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
    const out = builder();
    for (let i = 0, n = apply(typedLength, bytes, []) as number; i < n; i++) out.code(bytes[i]!);
    return out.done();
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
    __proto__: null;
    cp: number;
    needed: number;
    seen: number;
    lower: number;
    upper: number;
  }
  const newState = (): Utf8State => ({ __proto__: null, cp: 0, needed: 0, seen: 0, lower: 0x80, upper: 0xbf });
  const decodeUtf8 = (bytes: Uint8Array, state: Utf8State, flush: boolean, fatal: boolean, emit: (cp: number) => void) => {
    const bad = () => {
      if (fatal) throw new TypeErrorCtor('The encoded data was not valid for encoding utf-8');
      emit(0xfffd);
    };
    for (let i = 0, n = apply(typedLength, bytes, []) as number; i < n; i++) {
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
  /** Appends without a setter a cell put on Array.prototype (no Array.prototype method runs), nor a `get` on Object.prototype. */
  const push = <T>(list: T[], v: T) => define(list, list.length, data(v));
  /** A string's UTF-8 bytes, counted first so that nothing but the result is allocated. */
  const utf8Encode = (s: string): Uint8Array => {
    let n = 0;
    encodeUtf8(s, () => n++);
    const out = new U8(n);
    let i = 0;
    encodeUtf8(s, (b) => (out[i++] = b));
    return out;
  };
  /**
   * Text built a piece at a time, as flat segments of 8,192 pieces: appending to one string would make a rope of
   * millions of pieces, many times the text's size (reading a character of a segment flattens it). No array is used,
   * so a setter a cell put on Array.prototype's indexes is never reached.
   */
  const builder = () => {
    let out = '';
    let seg = '';
    let n = 0;
    const flush = () => {
      if (seg.length) {
        apply(charCodeAt, seg, [0]);
        out += seg;
      }
      seg = '';
      n = 0;
    };
    return {
      /** A code point (two UTF-16 units above U+FFFF). */
      code(cp: number) {
        if (cp > 0xffff) {
          cp -= 0x10000;
          seg += fromCharCode(0xd800 + (cp >> 10)) + fromCharCode(0xdc00 + (cp & 0x3ff));
        } else seg += fromCharCode(cp);
        if (++n >= 8192) flush();
      },
      text(t: string) {
        seg += t;
        if (++n >= 8192) flush();
      },
      done(): string {
        flush();
        return out;
      },
    };
  };
  /** UTF-8 decode, built in segments (a body of megabytes never becomes an array of its code points). */
  const utf8Decode = (bytes: Uint8Array, keepBom = false): string => {
    const b = builder();
    let first = true;
    decodeUtf8(bytes, newState(), true, false, (cp) => {
      if (first) {
        first = false;
        if (cp === 0xfeff && !keepBom) return;
      }
      b.code(cp);
    });
    return b.done();
  };
  /** A BufferSource's bytes (a view on its memory), or undefined. */
  const bufferOf = (v: unknown): Uint8Array | undefined => {
    if (typeof v !== 'object' || v === null) return undefined;
    if (isView(v)) return bytesOf(v, '');
    try {
      apply(abLength, v, []);
    } catch {
      return undefined;
    }
    return new U8(v as ArrayBuffer);
  };

  class TextEncoder {
    constructor() {
      apply(wmSet, webObjects, [this, 'TextEncoder']);
    }
    get encoding() {
      return 'utf-8';
    }
    encode(input: unknown = ''): Uint8Array {
      return utf8Encode(StringCtor(input));
    }
    encodeInto(source: unknown, destination: Uint8Array): { read: number; written: number } {
      const s = StringCtor(source);
      const dest = bytesOf(destination, 'encodeInto');
      let written = 0;
      const read = encodeUtf8(s, (b) => (dest[written++] = b), apply(typedLength, dest, []) as number);
      return { read, written };
    }
  }
  tagged(TextEncoder, 'TextEncoder');

  // ---- structuredClone ----
  const ERROR_NAMES = ['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError'];
  const mapSize = O.getOwnPropertyDescriptor(Map.prototype, 'size')!.get!;
  const setSize = O.getOwnPropertyDescriptor(Set.prototype, 'size')!.get!;
  /** Whether `list` holds `s` (an index loop: no Array.prototype method a cell replaced runs). */
  const listed = (list: readonly unknown[], s: unknown): boolean => {
    for (let i = 0; i < list.length; i++) if (list[i] === s) return true;
    return false;
  };
  /** A descriptor's value when it is a data property's (`value` its own: never one a cell put on Object.prototype). */
  const hasValue = (d: PropertyDescriptor | undefined): d is PropertyDescriptor => d !== undefined && (apply(hasOwn, O, [d, 'value']) as boolean);
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
      const d = gOPD(o, key);
      if (d) return hasValue(d) ? d.value : undefined;
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
      const keep = <T>(copy: T): T => {
        apply(mapSet, memory, [v, copy]);
        return copy;
      };
      // a web object of the prelude's: a Blob or File is copied (makeBlobApis), the others cannot be
      if (apply(wmHas, webObjects, [v])) {
        const cloner = apply(mapGet, cloners, [apply(wmGet, webObjects, [v])]) as ((v: object) => object) | undefined;
        if (cloner) return keep(cloner(v));
        throw domError('DataCloneError', `structuredClone: a ${apply(wmGet, webObjects, [v])} could not be cloned`);
      }
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
      // maps and sets through the iterators' captured `next` (a cell's replaced iterator never sees the entries)
      if (brand(mapSize, v)) {
        const copy = keep(new MapCtor());
        const entries = apply(mapEntries, v, []) as Iterator<[unknown, unknown]>;
        for (let r = apply(mapIteratorNext, entries, []) as IteratorResult<[unknown, unknown]>; !r.done; r = apply(mapIteratorNext, entries, []))
          apply(mapSet, copy, [clone(r.value[0]), clone(r.value[1])]);
        return copy;
      }
      if (brand(setSize, v)) {
        const copy = keep(new SetCtor());
        const values = apply(setValues, v, []) as Iterator<unknown>;
        for (let r = apply(setIteratorNext, values, []) as IteratorResult<unknown>; !r.done; r = apply(setIteratorNext, values, []))
          apply(setAdd, copy, [clone(r.value)]);
        return copy;
      }
      for (let i = 0; i < PRIMITIVE_VALUE_OF.length; i++)
        if (brand(PRIMITIVE_VALUE_OF[i]!, v)) return keep(O(apply(PRIMITIVE_VALUE_OF[i]!, v, [])) as unknown as object);
      if (isError(v)) {
        const name = field(v, 'name');
        const Ctor = (globalThis as any)[listed(ERROR_NAMES, name) ? (name as string) : 'Error'];
        const message = gOPD(v, 'message');
        const copy = keep(new Ctor(hasValue(message) ? StringCtor(message.value) : ''));
        const stack = gOPD(v, 'stack');
        if (hasValue(stack) && typeof stack.value === 'string') hidden(copy, 'stack', stack.value);
        const cause = gOPD(v, 'cause');
        if (hasValue(cause)) hidden(copy, 'cause', clone(cause.value));
        return copy;
      }
      const kind = apply(toStringTag, v, []) as string;
      if (kind === '[object WeakMap]' || kind === '[object WeakSet]' || kind === '[object WeakRef]' || kind === '[object Promise]') {
        throw domError('DataCloneError', `structuredClone: a ${apply(strSlice, kind, [8, -1])} could not be cloned`);
      }
      const copy: any = keep(isArray(v) ? new ArrayCtor(v.length) : {});
      const keys = keysOf(v);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const d = gOPD(v, k);
        // an accessor is read, as the algorithm reads every own enumerable property ([[Get]])
        const val = hasValue(d) ? d.value : v[k];
        define(copy, k, data(clone(val)));
      }
      return copy;
    };
    return clone(value);
  };

  // ---- crypto ----
  const MAX_RANDOM_BYTES = 65536;
  const randomBytes = (n: number): Uint8Array => {
    const b64 = ownOf(call({ t: 'random', n }), 'b64');
    const bytes = typeof b64 === 'string' ? fromBase64(b64) : undefined;
    if (!bytes || apply(typedLength, bytes, []) !== n) throw domError('NotSupportedError', 'crypto: no random bytes from the host');
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
      if (tag === undefined || !listed(INTEGER_ARRAYS, tag)) {
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
      for (let i = 0; i < 16; i++) hex += (b[i]! < 16 ? '0' : '') + (apply(numToString, b[i]!, [16]) as string);
      return `${apply(strSlice, hex, [0, 8])}-${apply(strSlice, hex, [8, 12])}-${apply(strSlice, hex, [12, 16])}-${apply(strSlice, hex, [16, 20])}-${apply(strSlice, hex, [20])}`;
    },
  };
  define(crypto, Symbol.toStringTag, { value: 'Crypto', configurable: true });

  // ---- crypto.subtle: digest, computed by the host (`{ t: 'digest' }`); the rest of Web Crypto is not here ----
  const DIGESTS = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];
  /** The most bytes one digest sends the host (their base64 stays well inside the bridge's message limit). */
  const MAX_DIGEST_BYTES = 8 * 1024 * 1024;
  const NOT_IN_SANDBOX = ['encrypt', 'decrypt', 'sign', 'verify', 'generateKey', 'deriveKey', 'deriveBits', 'importKey', 'exportKey', 'wrapKey', 'unwrapKey'];
  /** `fn` as an async method does: its throw a rejection. */
  const promised = <T>(fn: () => T): Promise<T> => new PromiseCtor<T>((resolve) => resolve(fn()));
  const subtle: Record<string, unknown> = {
    digest(algorithm: unknown, data: unknown): Promise<ArrayBuffer> {
      return promised(() => {
        const given = typeof algorithm === 'object' && algorithm !== null ? (algorithm as { name?: unknown }).name : algorithm;
        const name = apply(toUpper, StringCtor(given), []) as string;
        if (typeof given !== 'string' || !listed(DIGESTS, name))
          throw domError('NotSupportedError', `crypto.subtle.digest: ${StringCtor(given)} is not a digest (SHA-1, SHA-256, SHA-384 or SHA-512)`);
        // the bytes as they are now: a cell that changes its buffer after the call does not change the digest
        const bytes = bytesOf(data, 'crypto.subtle.digest');
        const n = apply(typedLength, bytes, []) as number;
        if (n > MAX_DIGEST_BYTES) throw domError('QuotaExceededError', `crypto.subtle.digest: ${n} bytes, at most ${MAX_DIGEST_BYTES} in the sandbox`);
        const b64 = ownOf(call({ t: 'digest', algorithm: name, b64: codec.bytesToBase64(bytes) }), 'b64');
        const out = typeof b64 === 'string' ? codec.base64ToBytes(b64) : undefined;
        if (!out || !apply(typedLength, out, [])) throw domError('OperationError', 'crypto.subtle.digest: no digest from the host');
        return apply(typedBuffer, out, []) as ArrayBuffer;
      });
    },
  };
  for (let i = 0; i < NOT_IN_SANDBOX.length; i++) {
    const method = NOT_IN_SANDBOX[i]!;
    hidden(
      subtle,
      method,
      {
        [method]() {
          return promised(() => {
            throw domError(
              'NotSupportedError',
              `crypto.subtle.${method} is not available in the sandbox, which has crypto.subtle.digest only: run the cell on Node, Deno or Bun for keys, signatures and ciphers`,
            );
          });
        },
      }[method],
    );
  }
  define(subtle, Symbol.toStringTag, { value: 'SubtleCrypto', configurable: true });
  hidden(crypto, 'subtle', subtle);

  // ---- performance (the host's monotonic clock in steps of 0.1 ms, as a browser gives a page that is not
  // cross-origin isolated; Date's whole milliseconds if the host does not answer) ----
  const hostNow = (): number => {
    const ms = ownOf(call({ t: 'now' }), 'ms');
    return typeof ms === 'number' ? ms : (apply(dateNow, DateCtor, []) as number);
  };
  const timeOrigin = apply(dateNow, DateCtor, []) as number;
  const clockOrigin = hostNow();
  const performance = {
    timeOrigin,
    now: () => hostNow() - clockOrigin,
    toJSON: () => ({ timeOrigin }),
  };
  define(performance, Symbol.toStringTag, { value: 'Performance', configurable: true });

  // ---- lists of name/value pairs (URLSearchParams here; FormData in makeBlobApis, Headers in makeFetchApis) ----
  /** WebIDL's pair iterator on `proto` (see WebShared.pairIterable): made once per class, before any cell runs. */
  const pairIterable = <V>(proto: object, name: string, pairsOf: (target: unknown) => [string, V][]): void => {
    interface PairIterator {
      __proto__: null;
      target: unknown;
      kind: 'key' | 'value' | 'key+value';
      index: number;
    }
    const iterators = new WeakMapCtor<object, PairIterator>();
    const IterProto = create(IteratorProto);
    hidden(IterProto, 'next', function next(this: unknown) {
      const it = typeof this === 'object' && this !== null ? (apply(wmGet, iterators, [this]) as PairIterator | undefined) : undefined;
      if (!it) throw new TypeErrorCtor(`Illegal invocation: not a ${name} iterator`);
      const pairs = pairsOf(it.target);
      if (it.index >= pairs.length) return { value: undefined, done: true };
      const p = pairs[it.index++]!;
      return { value: it.kind === 'key' ? p[0] : it.kind === 'value' ? p[1] : [p[0], p[1]], done: false };
    });
    define(IterProto, tagKey, { value: `${name} Iterator`, configurable: true });
    const iterate = (target: unknown, kind: PairIterator['kind']): object => {
      pairsOf(target);
      const it = create(IterProto);
      apply(wmSet, iterators, [it, { __proto__: null, target, kind, index: 0 }]);
      return it;
    };
    // methods, not constructors (as a class's are), each by its own name
    const methods = {
      forEach(this: unknown, callback: unknown, thisArg: unknown = undefined) {
        if (typeof callback !== 'function') throw new TypeErrorCtor(`${name}.forEach: the callback must be a function`);
        // the pairs are read again after each call
        for (let i = 0; ; i++) {
          const pairs = pairsOf(this);
          if (i >= pairs.length) break;
          apply(callback, thisArg, [pairs[i]![1], pairs[i]![0], this]);
        }
      },
      entries(this: unknown): object {
        return iterate(this, 'key+value');
      },
      keys(this: unknown): object {
        return iterate(this, 'key');
      },
      values(this: unknown): object {
        return iterate(this, 'value');
      },
    };
    hidden(proto, 'forEach', methods.forEach);
    hidden(proto, 'entries', methods.entries);
    hidden(proto, 'keys', methods.keys);
    hidden(proto, 'values', methods.values);
    hidden(proto, iterator, methods.entries);
  };
  /** `set` of URLSearchParams, FormData and Headers (see WebShared.setPair): a new list, the old one unchanged. */
  const setPair = <V>(list: [string, V][], pair: [string, V]): [string, V][] => {
    const out: [string, V][] = [];
    let placed = false;
    for (let i = 0; i < list.length; i++) {
      if (list[i]![0] !== pair[0]) push(out, list[i]!);
      else if (!placed) {
        push(out, pair);
        placed = true;
      }
    }
    if (!placed) push(out, pair);
    return out;
  };

  // ---- URLSearchParams ----
  apply(wmSet, webObjects, [crypto, 'Crypto']);
  apply(wmSet, webObjects, [subtle, 'SubtleCrypto']);
  apply(wmSet, webObjects, [performance, 'Performance']);
  interface ParamsState {
    __proto__: null;
    list: [string, string][];
    /** The URL these are the searchParams of: told of every change. */
    url: object | undefined;
  }
  const params = new WeakMapCtor<object, ParamsState>();
  const paramsOf = internalState(params, 'a URLSearchParams');
  const hexDigit = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);
  /** The URL standard's application/x-www-form-urlencoded parser, on bytes (index loops only). */
  const decodeUrlencoded = (bytes: Uint8Array): [string, string][] => {
    const out: [string, string][] = [];
    const n = apply(typedLength, bytes, []) as number;
    const decode = (from: number, to: number): string => {
      const buf = new U8(to - from);
      let k = 0;
      for (let i = from; i < to; i++) {
        const b = bytes[i]!;
        const hi = b === 0x25 && i + 2 < to ? hexDigit(bytes[i + 1]!) : -1;
        const lo = hi >= 0 ? hexDigit(bytes[i + 2]!) : -1;
        if (lo >= 0) {
          buf[k++] = hi * 16 + lo;
          i += 2;
        } else buf[k++] = b === 0x2b ? 0x20 : b;
      }
      return utf8Decode(new U8(apply(typedBuffer, buf, []) as ArrayBuffer, 0, k), true);
    };
    let start = 0;
    for (let i = 0; i <= n; i++) {
      if (i < n && bytes[i] !== 0x26) continue;
      if (i > start) {
        let eq = start;
        while (eq < i && bytes[eq] !== 0x3d) eq++;
        push(out, [decode(start, eq), eq < i ? decode(eq + 1, i) : ''] as [string, string]);
      }
      start = i + 1;
    }
    return out;
  };
  const parseQuery = (query: string): [string, string][] => decodeUrlencoded(utf8Encode(query));
  const HEX = '0123456789ABCDEF';
  const formEncode = (s: string, out: ReturnType<typeof builder>) => {
    encodeUtf8(s, (b) => {
      if (b === 0x20) out.code(0x2b);
      else if (b === 0x2a || b === 0x2d || b === 0x2e || b === 0x5f || (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a))
        out.code(b);
      else out.text(`%${HEX[b >> 4]}${HEX[b & 15]}`);
    });
  };
  const serializeQuery = (list: [string, string][]) => {
    const out = builder();
    for (let i = 0; i < list.length; i++) {
      if (i) out.code(0x26);
      formEncode(list[i]![0], out);
      out.code(0x3d);
      formEncode(list[i]![1], out);
    }
    return out.done();
  };
  /**
   * The URL standard's sort: a stable sort of the pairs by their names' UTF-16 code units (a merge sort in index
   * loops, into new arrays: neither Array.prototype.sort nor the array iterator, which a cell may replace, runs).
   */
  const sortByName = <V>(list: [string, V][]): [string, V][] => {
    let from: [string, V][] = [];
    for (let i = 0; i < list.length; i++) push(from, list[i]!);
    const n = from.length;
    for (let width = 1; width < n; width *= 2) {
      const to: [string, V][] = [];
      for (let lo = 0; lo < n; lo += 2 * width) {
        const mid = lo + width < n ? lo + width : n;
        const hi = lo + 2 * width < n ? lo + 2 * width : n;
        let a = lo;
        let b = mid;
        // the left run's pair first when the names are equal: stable
        while (a < mid && b < hi) push(to, from[b]![0] < from[a]![0] ? from[b++]! : from[a++]!);
        while (a < mid) push(to, from[a++]!);
        while (b < hi) push(to, from[b++]!);
      }
      from = to;
    }
    return from;
  };
  const changed = (s: ParamsState) => {
    if (s.url) urlParamsChanged(s.url, serializeQuery(s.list));
  };

  class URLSearchParams {
    constructor(init: unknown = '') {
      // index loops and own writes: a cell that replaced the array iterator or put setters on array indexes
      // changes only what its own arguments do
      let list: [string, string][] = [];
      const items = (v: unknown): unknown[] => {
        const out: unknown[] = [];
        if (isArray(v)) for (let i = 0; i < v.length; i++) push(out, v[i]);
        else for (const item of v as Iterable<unknown>) push(out, item);
        return out;
      };
      if (typeof init === 'object' && init !== null) {
        const known = apply(wmGet, params, [init]) as ParamsState | undefined;
        if (known) for (let i = 0; i < known.list.length; i++) push(list, [known.list[i]![0], known.list[i]![1]] as [string, string]);
        else if (typeof (init as any)[iterator] === 'function') {
          const pairs = items(init);
          for (let i = 0; i < pairs.length; i++) {
            const pair = items(pairs[i]);
            if (pair.length !== 2) throw new TypeErrorCtor('URLSearchParams: each pair must have exactly a name and a value');
            push(list, [StringCtor(pair[0]), StringCtor(pair[1])] as [string, string]);
          }
        } else {
          const keys = keysOf(init);
          for (let i = 0; i < keys.length; i++) push(list, [keys[i]!, StringCtor((init as any)[keys[i]!])] as [string, string]);
        }
      } else {
        const s = StringCtor(init);
        list = parseQuery(apply(charCodeAt, s, [0]) === 0x3f ? apply(strSlice, s, [1]) : s);
      }
      apply(wmSet, params, [this, { __proto__: null, list, url: undefined }]);
      apply(wmSet, webObjects, [this, 'URLSearchParams']);
    }
    get size() {
      return paramsOf(this).list.length;
    }
    append(name: unknown, value: unknown) {
      const s = paramsOf(this);
      push(s.list, [StringCtor(name), StringCtor(value)] as [string, string]);
      changed(s);
    }
    delete(name: unknown, value?: unknown) {
      const s = paramsOf(this);
      const n = StringCtor(name);
      const v = value === undefined ? undefined : StringCtor(value);
      const kept: [string, string][] = [];
      for (let i = 0; i < s.list.length; i++) if (!(s.list[i]![0] === n && (v === undefined || s.list[i]![1] === v))) push(kept, s.list[i]!);
      s.list = kept;
      changed(s);
    }
    get(name: unknown): string | null {
      const n = StringCtor(name);
      const list = paramsOf(this).list;
      for (let i = 0; i < list.length; i++) if (list[i]![0] === n) return list[i]![1];
      return null;
    }
    getAll(name: unknown): string[] {
      const n = StringCtor(name);
      const list = paramsOf(this).list;
      const out: string[] = [];
      for (let i = 0; i < list.length; i++) if (list[i]![0] === n) push(out, list[i]![1]);
      return out;
    }
    has(name: unknown, value?: unknown): boolean {
      const n = StringCtor(name);
      const v = value === undefined ? undefined : StringCtor(value);
      const list = paramsOf(this).list;
      for (let i = 0; i < list.length; i++) if (list[i]![0] === n && (v === undefined || list[i]![1] === v)) return true;
      return false;
    }
    set(name: unknown, value: unknown) {
      const s = paramsOf(this);
      const pair: [string, string] = [StringCtor(name), StringCtor(value)];
      s.list = setPair(s.list, pair);
      changed(s);
    }
    sort() {
      const s = paramsOf(this);
      s.list = sortByName(s.list);
      changed(s);
    }
    toString(): string {
      return serializeQuery(paramsOf(this).list);
    }
  }
  // forEach, entries, keys, values and [Symbol.iterator], as URLSearchParams Iterators
  pairIterable(URLSearchParams.prototype, 'URLSearchParams', (v) => paramsOf(v).list);
  tagged(URLSearchParams, 'URLSearchParams');

  // ---- URL (parsed by the host, with Node's WHATWG parser) ----
  const URL_PARTS = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;
  type Parts = Record<(typeof URL_PARTS)[number], string>;
  interface UrlState {
    __proto__: null;
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
    // the host's own keys only (a getter a cell put on Object.prototype answers nothing here), written as own data
    const own = (k: string): unknown => ownOf(reply, k);
    if (own('ok') !== true) return undefined;
    const parts = create(null) as Parts;
    for (let i = 0; i < URL_PARTS.length; i++) {
      const v = own(URL_PARTS[i]!);
      define(parts, URL_PARTS[i]!, data(typeof v === 'string' ? v : ''));
    }
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
      apply(wmSet, urls, [this, { __proto__: null, parts, searchParams }]);
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
    __proto__: null;
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
    constructor(type: unknown, init: { bubbles?: unknown; cancelable?: unknown } | null | undefined = undefined) {
      if (arguments.length === 0) throw new TypeErrorCtor('Event: 1 argument required, but only 0 present');
      // the init's members when the cell gave one (inherited ones too, as WebIDL reads a dictionary), else false
      const given = typeof init === 'object' && init !== null;
      apply(wmSet, events, [
        this,
        {
          __proto__: null,
          type: StringCtor(type),
          bubbles: given && !!init.bubbles,
          cancelable: given && !!init.cancelable,
          defaultPrevented: false,
          target: null,
          stopped: false,
          // the prelude's clock, not `performance.now`, which a cell may replace
          timeStamp: hostNow() - clockOrigin,
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
    __proto__: null;
    callback: unknown;
    once: boolean;
    removed: boolean;
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
  // the listeners' bookkeeping uses index loops and calls no method of the target: a cell that replaced Array
  // methods or EventTarget.prototype's does not stop an abort from reaching a fetch
  const removeListener = (target: unknown, type: unknown, callback: unknown) => {
    const m = listenersOf(target);
    const key = StringCtor(type);
    const list = apply(mapGet, m, [key]) as Listener[] | undefined;
    if (!list) return;
    const kept: Listener[] = [];
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.callback === callback) list[i]!.removed = true;
      else push(kept, list[i]!);
    }
    apply(mapSet, m, [key, kept]);
  };
  class EventTarget {
    addEventListener(type: unknown, callback: unknown, options?: unknown) {
      if (callback === null || callback === undefined) return;
      const m = listenersOf(this);
      const key = StringCtor(type);
      const list = (apply(mapGet, m, [key]) as Listener[] | undefined) ?? [];
      for (let i = 0; i < list.length; i++) if (list[i]!.callback === callback) return;
      const once = typeof options === 'object' && options !== null && !!(options as { once?: unknown }).once;
      const signal = typeof options === 'object' && options !== null ? (options as { signal?: unknown }).signal : undefined;
      const listener: Listener = { __proto__: null, callback, once, removed: false };
      push(list, listener);
      apply(mapSet, m, [key, list]);
      const s = signal === undefined ? undefined : signalOf(signal);
      if (s) {
        if (s.aborted) removeListener(this, key, callback);
        else s.onAbort(() => removeListener(this, key, callback));
      }
    }
    removeEventListener(type: unknown, callback: unknown) {
      removeListener(this, type, callback);
    }
    dispatchEvent(event: unknown): boolean {
      return dispatch(this, event);
    }
  }
  const dispatch = (target: unknown, event: unknown): boolean => {
    const state = eventOf(event);
    state.target = target;
    state.stopped = false;
    const handler = (target as Record<string, unknown>)[`on${state.type}`];
    const listed = (apply(mapGet, listenersOf(target), [state.type]) as Listener[] | undefined) ?? [];
    const list: Listener[] = [];
    for (let i = 0; i < listed.length; i++) push(list, listed[i]!);
    const run = (callback: unknown) => {
      try {
        if (typeof callback === 'function') apply(callback, target, [event]);
        else if (callback && typeof (callback as { handleEvent?: unknown }).handleEvent === 'function')
          (callback as { handleEvent(e: unknown): void }).handleEvent(event);
      } catch (err) {
        // as in a browser: a listener's error is reported, and the other listeners still run
        reportError(err);
      }
    };
    if (typeof handler === 'function' && apply(wmHas, signals, [target])) run(handler);
    for (let i = 0; i < list.length; i++) {
      const l = list[i]!;
      if (l.removed || state.stopped) continue;
      if (l.once) removeListener(target, state.type, l.callback);
      run(l.callback);
    }
    return !state.defaultPrevented;
  };
  tagged(EventTarget, 'EventTarget');
  /** A listener's error: thrown on a later turn, where the cell's uncaught errors are reported. */
  const reportError = (err: unknown) =>
    timeout(() => {
      throw err;
    }, 0);

  interface SignalState {
    __proto__: null;
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
    for (let i = 0; i < followers.length; i++) followers[i]!();
    dispatch(signal, new Event('abort'));
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
      apply(wmSet, signals, [this, { __proto__: null, aborted: false, reason: undefined, followers: [] }]);
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
      const sources: object[] = [];
      if (isArray(list)) for (let i = 0; i < list.length; i++) push(sources, list[i] as object);
      else for (const x of list) push(sources, x as object);
      let done: object | undefined;
      for (let i = 0; i < sources.length; i++) if (signalState(sources[i]).aborted && !done) done = sources[i];
      if (done) abortSignal(s, signalState(done).reason);
      else
        for (let i = 0; i < sources.length; i++) {
          const x = sources[i]!;
          push(signalState(x).followers, () => abortSignal(s, signalState(x).reason));
        }
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
      __proto__: null,
      get aborted() {
        return st.aborted;
      },
      get reason() {
        return st.reason;
      },
      onAbort(fn: () => void) {
        let live = true;
        push(st.followers, () => live && fn());
        return () => {
          live = false;
        };
      },
    };
  };

  /** A new signal that aborts when `v` does (with its reason), or never when `v` is undefined or null. */
  const followSignal = (v: unknown): object => {
    const s = newSignal();
    if (v === undefined || v === null) return s;
    const st = signalState(v);
    if (st.aborted) abortSignal(s, st.reason);
    else push(st.followers, () => abortSignal(s, st.reason));
    return s;
  };

  // ---- the other web API files: TextDecoder, Blob/File/FormData, Headers/Request/Response ----
  /** A string as a preview shows it: cut after 1,000 characters, where the secret scanner sees the cut (`…`). */
  const shortQuote = (s: string): string => {
    if (s.length <= 1000) return quote(s);
    const q = quote(apply(strSlice, s, [0, 1000]) as string);
    return `${apply(strSlice, q, [0, -1])}…'`;
  };
  const shared: WebShared = {
    bytesOf,
    bufferOf,
    view,
    copy,
    concat,
    utf8Encode,
    utf8Decode,
    decodeUtf8: decodeUtf8 as WebShared['decodeUtf8'],
    newUtf8State: newState,
    queryOf: (v) => {
      const st = typeof v === 'object' && v !== null ? (apply(wmGet, params, [v]) as ParamsState | undefined) : undefined;
      if (!st) return undefined;
      const out: [string, string][] = [];
      for (let i = 0; i < st.list.length; i++) push(out, [st.list[i]![0], st.list[i]![1]] as [string, string]);
      return out;
    },
    serializeQuery,
    pairIterable,
    setPair,
    decodeUrlencoded,
    parseUrl: (input) => parse(input),
    signalOf,
    followSignal,
    register: (obj, kind) => apply(wmSet, webObjects, [obj, kind]),
    cloneable: (kind, clone) => apply(mapSet, cloners, [kind, clone]),
    quote: shortQuote,
    builder,
    key: (s) => {
      let bare = s.length > 0;
      for (let i = 0; i < s.length && bare; i++) {
        const c = apply(charCodeAt, s, [i]) as number;
        bare = c === 0x24 || c === 0x5f || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (i > 0 && c >= 0x30 && c <= 0x39);
      }
      return bare ? s : shortQuote(s);
    },
    push,
    byteLength: (u) => apply(typedLength, u, []) as number,
    tag,
  };
  const decoder = textDecoderApi(shared);
  const blobs = blobApis(shared);
  const fetching = fetchApis(shared, blobs.shared, formCodec(shared, blobs.shared));

  /** A preview of a web object made here, from its internal state (no getter or method of the cell's runs). */
  const preview = (v: unknown): string | undefined => {
    if (typeof v !== 'object' || v === null) return undefined;
    const kind = apply(wmGet, webObjects, [v]) as string | undefined;
    if (kind === undefined) return undefined;
    if (kind === 'URL') return `URL { href: ${quote(urlOf(v).parts.href)} }`;
    if (kind === 'URLSearchParams') {
      const list = paramsOf(v).list;
      let text = '';
      for (let i = 0; i < list.length && i < 20; i++) text += `${i ? ', ' : ''}${shortQuote(list[i]![0])} => ${shortQuote(list[i]![1])}`;
      return list.length ? `URLSearchParams { ${text}${list.length > 20 ? ', …' : ''} }` : 'URLSearchParams {}';
    }
    if (kind === 'TextEncoder') return "TextEncoder { encoding: 'utf-8' }";
    if (kind === 'AbortSignal') return `AbortSignal { aborted: ${signalState(v).aborted} }`;
    if (kind === 'AbortController') return `AbortController { signal: AbortSignal { aborted: ${signalState(apply(wmGet, controllers, [v])).aborted} } }`;
    return decoder.preview(v) ?? blobs.preview(v) ?? fetching.preview(v);
  };

  const globals: Record<string, unknown> = {
    atob,
    btoa,
    TextEncoder,
    TextDecoder: decoder.TextDecoder,
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
    ...blobs.globals,
    ...fetching.globals,
  };
  // each function by its global's name (a bundler may have renamed a class that shares a global's name: URL2)
  const names = keysOf(globals);
  for (let i = 0; i < names.length; i++) {
    if (typeof globals[names[i]!] === 'function') define(globals[names[i]!] as Function, 'name', { value: names[i], configurable: true });
  }
  return {
    globals,
    preview,
    signalOf,
    request: fetching.request,
    response: fetching.response,
  };
}
