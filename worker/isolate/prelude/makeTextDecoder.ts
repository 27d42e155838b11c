/**
 * Runs INSIDE the isolate (stringified into the prelude, see sandboxPrelude.ts; composed by makeWebApis): self-contained,
 * ECMAScript built-ins only, captured when the prelude starts. The Sandbox's `TextDecoder`, as the WHATWG Encoding
 * Standard decodes: UTF-8 (the decoder of makeWebApis.ts), UTF-16LE and UTF-16BE (the shared UTF-16 decoder: a lone
 * surrogate or an odd byte is U+FFFD, or a TypeError when `fatal`) and windows-1252 (the labels `latin1`,
 * `iso-8859-1`, `ascii`… all name it, with its table for 0x80–0x9F). `stream: true` keeps a partial sequence for the
 * next call; the byte order mark is dropped unless `ignoreBOM`. Nothing here asks the host anything.
 *
 * A decoder's state has no prototype and holds all its keys from the start, and the options a cell leaves out are
 * never read from Object.prototype: a getter or setter a cell put there never sees another cell's bytes.
 */
import type { WebShared } from './makeWebApis';

export function makeTextDecoder(shared: WebShared): { TextDecoder: unknown; preview(v: unknown): string | undefined } {
  'use strict';
  const apply = Reflect.apply;
  const define = Object.defineProperty;
  const StringCtor = String;
  const fromCharCode = String.fromCharCode;
  const charCodeAt = String.prototype.charCodeAt;
  const U8 = Uint8Array;
  // a typed array's length through the getter captured before any cell ran (makeWebApis)
  const { byteLength } = shared;
  const TypeErrorCtor = TypeError;
  const RangeErrorCtor = RangeError;
  const WeakMapCtor = WeakMap;
  const wmGet = WeakMap.prototype.get;
  const wmSet = WeakMap.prototype.set;

  /** Each encoding's labels (the Encoding Standard's table, for the encodings the Sandbox has). */
  const LABELS = {
    __proto__: null,
    'utf-8': ['unicode-1-1-utf-8', 'unicode11utf8', 'unicode20utf8', 'utf-8', 'utf8', 'x-unicode20utf8'],
    'utf-16le': ['csunicode', 'iso-10646-ucs-2', 'ucs-2', 'unicode', 'unicodefeff', 'utf-16', 'utf-16le'],
    'utf-16be': ['unicodefffe', 'utf-16be'],
    'windows-1252': [
      'ansi_x3.4-1968',
      'ascii',
      'cp1252',
      'cp819',
      'csisolatin1',
      'ibm819',
      'iso-8859-1',
      'iso-ir-100',
      'iso8859-1',
      'iso88591',
      'iso_8859-1',
      'iso_8859-1:1987',
      'l1',
      'latin1',
      'us-ascii',
      'windows-1252',
      'x-cp1252',
    ],
  } as unknown as Record<string, string[]>;
  const ENCODINGS = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'];
  /** windows-1252's bytes 0x80–0x9F (the rest are their own code points). */
  const CP1252 = [
    0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d,
    0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
  ];

  /** The encoding a label names: ASCII whitespace trimmed, ASCII case ignored (no String.prototype method a cell may replace). */
  const encodingOf = (label: string): string | undefined => {
    const isSpace = (c: number) => c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x20;
    let start = 0;
    let end = label.length;
    while (start < end && isSpace(apply(charCodeAt, label, [start]) as number)) start++;
    while (end > start && isSpace(apply(charCodeAt, label, [end - 1]) as number)) end--;
    let name = '';
    for (let i = start; i < end; i++) {
      const c = apply(charCodeAt, label, [i]) as number;
      name += fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
    }
    for (let e = 0; e < ENCODINGS.length; e++) {
      const labels = LABELS[ENCODINGS[e]!]!;
      for (let i = 0; i < labels.length; i++) if (labels[i] === name) return ENCODINGS[e];
    }
    return undefined;
  };

  interface Utf16State {
    __proto__: null;
    leadByte: number;
    leadSurrogate: number;
  }
  /** The Encoding Standard's shared UTF-16 decoder (-1: no lead byte / surrogate). */
  const decodeUtf16 = (bytes: Uint8Array, state: Utf16State, be: boolean, flush: boolean, bad: () => void, emit: (cp: number) => void) => {
    const unit = (cu: number) => {
      if (state.leadSurrogate !== -1) {
        const lead = state.leadSurrogate;
        state.leadSurrogate = -1;
        if (cu >= 0xdc00 && cu <= 0xdfff) return emit(0x10000 + ((lead - 0xd800) << 10) + (cu - 0xdc00));
        // the unit after a lone lead surrogate is read again on its own
        bad();
      }
      if (cu >= 0xd800 && cu <= 0xdbff) state.leadSurrogate = cu;
      else if (cu >= 0xdc00 && cu <= 0xdfff) bad();
      else emit(cu);
    };
    const n = byteLength(bytes);
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      if (state.leadByte === -1) {
        state.leadByte = b;
        continue;
      }
      const cu = be ? (state.leadByte << 8) | b : state.leadByte | (b << 8);
      state.leadByte = -1;
      unit(cu);
    }
    if (flush && (state.leadByte !== -1 || state.leadSurrogate !== -1)) {
      state.leadByte = -1;
      state.leadSurrogate = -1;
      bad();
    }
  };

  interface DecoderState {
    __proto__: null;
    encoding: string;
    fatal: boolean;
    ignoreBOM: boolean;
    bomSeen: boolean;
    utf8: unknown;
    utf16: Utf16State;
  }
  const decoders = new WeakMapCtor<object, DecoderState>();
  const decoderOf = (v: unknown): DecoderState => {
    const s = apply(wmGet, decoders, [v]) as DecoderState | undefined;
    if (!s) throw new TypeErrorCtor('Illegal invocation: not a TextDecoder');
    return s;
  };
  const newUtf16State = (): Utf16State => ({ __proto__: null, leadByte: -1, leadSurrogate: -1 });
  const reset = (s: DecoderState) => {
    s.bomSeen = false;
    s.utf8 = shared.newUtf8State();
    s.utf16 = newUtf16State();
  };
  /** A dictionary member the cell gave (read as WebIDL reads one, inherited ones too); undefined when it gave none. */
  const member = (options: unknown, key: string): unknown =>
    (typeof options === 'object' || typeof options === 'function') && options !== null ? (options as Record<string, unknown>)[key] : undefined;

  class TextDecoder {
    constructor(label: unknown = 'utf-8', options: { fatal?: unknown; ignoreBOM?: unknown } | null | undefined = undefined) {
      const given = StringCtor(label);
      const encoding = encodingOf(given);
      if (!encoding) {
        throw new RangeErrorCtor(
          `TextDecoder: the encoding "${given}" is not supported in the Sandbox (it has utf-8, utf-16le, utf-16be and windows-1252, which latin1, iso-8859-1 and ascii name)`,
        );
      }
      // a dictionary's members are read once each, in order
      const fatal = !!member(options, 'fatal');
      const ignoreBOM = !!member(options, 'ignoreBOM');
      const state: DecoderState = { __proto__: null, encoding, fatal, ignoreBOM, bomSeen: false, utf8: shared.newUtf8State(), utf16: newUtf16State() };
      apply(wmSet, decoders, [this, state]);
      shared.register(this, 'TextDecoder');
    }
    get encoding() {
      return decoderOf(this).encoding;
    }
    get fatal() {
      return decoderOf(this).fatal;
    }
    get ignoreBOM() {
      return decoderOf(this).ignoreBOM;
    }
    decode(input: unknown = undefined, options: { stream?: unknown } | null | undefined = undefined): string {
      const s = decoderOf(this);
      const stream = !!member(options, 'stream');
      const bytes = input === undefined || input === null ? new U8(0) : shared.bytesOf(input, 'TextDecoder.decode');
      const sink = shared.builder();
      // the first code point of a stream is a byte order mark to drop (UTF-8 and UTF-16 only)
      const emit = (cp: number) => {
        if (!s.bomSeen) {
          s.bomSeen = true;
          if (cp === 0xfeff && !s.ignoreBOM && s.encoding !== 'windows-1252') return;
        }
        sink.code(cp);
      };
      const bad = () => {
        if (s.fatal) throw new TypeErrorCtor(`The encoded data was not valid for encoding ${s.encoding}`);
        emit(0xfffd);
      };
      try {
        if (s.encoding === 'utf-8') shared.decodeUtf8(bytes, s.utf8, !stream, s.fatal, emit);
        else if (s.encoding === 'windows-1252')
          for (let i = 0, n = byteLength(bytes); i < n; i++) emit(bytes[i]! >= 0x80 && bytes[i]! < 0xa0 ? CP1252[bytes[i]! - 0x80]! : bytes[i]!);
        else decodeUtf16(bytes, s.utf16, s.encoding === 'utf-16be', !stream, bad, emit);
      } catch (err) {
        reset(s);
        throw err;
      }
      if (!stream) reset(s);
      return sink.done();
    }
  }
  define(TextDecoder.prototype, Symbol.toStringTag, { __proto__: null, value: 'TextDecoder', configurable: true } as PropertyDescriptor);

  const preview = (v: unknown): string | undefined => {
    const d = typeof v === 'object' && v !== null ? (apply(wmGet, decoders, [v]) as DecoderState | undefined) : undefined;
    return d ? `TextDecoder { encoding: '${d.encoding}', fatal: ${d.fatal}, ignoreBOM: ${d.ignoreBOM} }` : undefined;
  };
  return { TextDecoder, preview };
}
