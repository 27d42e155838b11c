/**
 * Runs INSIDE the isolate (stringified into the prelude, see sandboxPrelude.ts; composed by makeWebApis): self-contained,
 * ECMAScript built-ins only, captured when the prelude starts. What a body's Content-Type means, for makeFetchApis:
 * MIME types parsed and written as the MIME Sniffing standard does (`blob().type`, the boundary of a multipart body),
 * a FormData written as `multipart/form-data` (the HTML standard's encoding: names and filenames escaped, newlines of
 * string values as CRLF) and read back (`application/x-www-form-urlencoded` is makeWebApis's URL parser). Index loops and
 * captured functions only: a cell that replaced String.prototype or Array.prototype methods changes none of this.
 * Strings are read by index only within their length (past it, `s[i]` would look on Object.prototype), and the
 * records made here have no prototype.
 */
import type { BlobShared } from './makeBlobApis';
import type { WebShared } from './makeWebApis';

export interface MimeType {
  __proto__: null;
  /** `type/subtype`, lower case. */
  essence: string;
  /** Parameters in order, names lower case. */
  params: [string, string][];
}

export interface FormCodec {
  /** Whether a string is an RFC 9110 token (a header name, a method, a MIME type's type, subtype or parameter name). */
  isToken(s: string): boolean;
  /** The MIME type a Content-Type value gives (the last valid one of a list), or undefined. */
  extractMime(value: string | null): MimeType | undefined;
  serializeMime(m: MimeType): string;
  param(m: MimeType, name: string): string | undefined;
  /** A FormData's entries as a multipart/form-data body, with its Content-Type. */
  encodeMultipart(entries: [string, unknown][]): { __proto__: null; bytes: Uint8Array; type: string };
  /** The entries of a multipart/form-data body; TypeError when it is not one. */
  decodeMultipart(bytes: Uint8Array, boundary: string): [string, unknown][];
  /** The entries of an application/x-www-form-urlencoded body. */
  decodeUrlencoded(bytes: Uint8Array): [string, string][];
}

export function makeFormCodec(shared: WebShared, blobs: BlobShared): FormCodec {
  'use strict';
  const apply = Reflect.apply;
  const fromCharCode = String.fromCharCode;
  const charCodeAt = String.prototype.charCodeAt;
  const U8 = Uint8Array;
  // views and concatenations of bytes, their lengths, and appends to the codec's own lists (makeWebApis)
  const { view, concat, push, byteLength: len } = shared;
  const TypeErrorCtor = TypeError;
  const random = Math.random;
  const floor = Math.floor;
  const code = (s: string, i: number) => apply(charCodeAt, s, [i]) as number;
  /** Characters [from, to) of `s`, to cut at its end. */
  const slice = (s: string, from: number, to: number) => {
    let out = '';
    for (let i = from; i < to && i < s.length; i++) out += s[i];
    return out;
  };
  /** The character at `i`, or undefined past the end (never a lookup on Object.prototype). */
  const charAt = (s: string, i: number): string | undefined => (i >= 0 && i < s.length ? s[i] : undefined);
  const lower = (s: string) => {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = code(s, i);
      out += c >= 0x41 && c <= 0x5a ? fromCharCode(c + 0x20) : s[i];
    }
    return out;
  };
  const isHttpSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
  // RFC 9110 token characters
  const TOKEN = new U8(128);
  const tokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  for (let i = 0; i < tokenChars.length; i++) TOKEN[code(tokenChars, i)] = 1;
  const isToken = (s: string) => {
    if (!s.length) return false;
    for (let i = 0; i < s.length; i++) {
      const c = code(s, i);
      if (c > 127 || !TOKEN[c]) return false;
    }
    return true;
  };
  const isQuotedText = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      const c = code(s, i);
      if (!(c === 0x09 || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff))) return false;
    }
    return true;
  };

  // ---- MIME types (the MIME Sniffing standard's parse and serialize) ----
  /** The quoted string at s[at] (a `"`): its value and where it ends. */
  const quoted = (s: string, from: number): { __proto__: null; value: string; end: number } => {
    let value = '';
    let i = from + 1;
    while (i < s.length) {
      const c = s[i]!;
      if (c === '"') return { __proto__: null, value, end: i + 1 };
      if (c === '\\' && i + 1 < s.length) {
        value += s[i + 1];
        i += 2;
      } else {
        value += c;
        i++;
      }
    }
    return { __proto__: null, value, end: i };
  };
  const parseMime = (input: string): MimeType | undefined => {
    let start = 0;
    let end = input.length;
    while (start < end && isHttpSpace(code(input, start))) start++;
    while (end > start && isHttpSpace(code(input, end - 1))) end--;
    const s = slice(input, start, end);
    let i = 0;
    while (i < s.length && s[i] !== '/') i++;
    const type = slice(s, 0, i);
    if (!isToken(type) || i >= s.length) return undefined;
    const subStart = ++i;
    while (i < s.length && s[i] !== ';') i++;
    let subEnd = i;
    while (subEnd > subStart && isHttpSpace(code(s, subEnd - 1))) subEnd--;
    const subtype = slice(s, subStart, subEnd);
    if (!isToken(subtype)) return undefined;
    const m: MimeType = { __proto__: null, essence: lower(type) + '/' + lower(subtype), params: [] };
    while (i < s.length) {
      i++; // the ';'
      while (i < s.length && isHttpSpace(code(s, i))) i++;
      const nameStart = i;
      while (i < s.length && s[i] !== ';' && s[i] !== '=') i++;
      const name = lower(slice(s, nameStart, i));
      if (i >= s.length || s[i] === ';') continue;
      i++; // the '='
      let value: string;
      if (charAt(s, i) === '"') {
        const q = quoted(s, i);
        value = q.value;
        i = q.end;
        while (i < s.length && s[i] !== ';') i++;
      } else {
        const valueStart = i;
        while (i < s.length && s[i] !== ';') i++;
        let valueEnd = i;
        while (valueEnd > valueStart && isHttpSpace(code(s, valueEnd - 1))) valueEnd--;
        value = slice(s, valueStart, valueEnd);
        if (!value.length) continue;
      }
      if (isToken(name) && isQuotedText(value) && param(m, name) === undefined) push(m.params, [name, value]);
    }
    return m;
  };
  const param = (m: MimeType, name: string): string | undefined => {
    for (let i = 0; i < m.params.length; i++) if (m.params[i]![0] === name) return m.params[i]![1];
    return undefined;
  };
  const serializeMime = (m: MimeType): string => {
    let out = m.essence;
    for (let i = 0; i < m.params.length; i++) {
      const name = m.params[i]![0];
      const value = m.params[i]![1];
      let v = value;
      if (!isToken(value)) {
        v = '"';
        for (let j = 0; j < value.length; j++) v += value[j] === '"' || value[j] === '\\' ? '\\' + value[j] : value[j];
        v += '"';
      }
      out += ';' + name + '=' + v;
    }
    return out;
  };
  /** The Fetch standard's "extract a MIME type": the values of a Content-Type list, the last valid one winning. */
  const extractMime = (value: string | null): MimeType | undefined => {
    if (value === null) return undefined;
    let found: MimeType | undefined;
    let from = 0;
    let inQuotes = false;
    for (let i = 0; i <= value.length; i++) {
      const c = charAt(value, i);
      if (c === '"') inQuotes = !inQuotes;
      else if (c === '\\' && inQuotes) i++;
      else if (c === undefined || (c === ',' && !inQuotes)) {
        const m = parseMime(slice(value, from, i < value.length ? i : value.length));
        from = i + 1;
        if (!m || m.essence === '*/*') continue;
        // the same essence keeps an earlier charset (the standard's steps, short of its charset bookkeeping)
        if (found && found.essence === m.essence && param(m, 'charset') === undefined && param(found, 'charset') !== undefined)
          push(m.params, ['charset', param(found, 'charset')!]);
        found = m;
      }
    }
    return found;
  };

  // ---- bytes ----
  /** Where `pattern` first occurs in `bytes` from `from`, or -1. */
  const indexOf = (bytes: Uint8Array, pattern: Uint8Array, from: number): number => {
    const first = pattern[0]!;
    const n = len(pattern);
    const last = len(bytes) - n;
    for (let i = from; i <= last; i++) {
      if (bytes[i] !== first) continue;
      let j = 1;
      while (j < n && bytes[i + j] === pattern[j]) j++;
      if (j === n) return i;
    }
    return -1;
  };

  // ---- multipart/form-data ----
  /** A name or filename as the HTML standard escapes it in a Content-Disposition header. */
  const escapeName = (s: string, newlines: boolean): string => {
    const out = shared.builder();
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (newlines && c === '\r') {
        out.text('%0D%0A');
        if (charAt(s, i + 1) === '\n') i++;
      } else if (c === '\n') out.text(newlines ? '%0D%0A' : '%0A');
      else if (c === '\r') out.text('%0D');
      else if (c === '"') out.text('%22');
      else out.text(c);
    }
    return out.done();
  };
  /** Newlines (CR, LF, CR LF) as CR LF. */
  const crlf = (s: string): string => {
    const out = shared.builder();
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (c === '\r') {
        out.text('\r\n');
        if (charAt(s, i + 1) === '\n') i++;
      } else if (c === '\n') out.text('\r\n');
      else out.text(c);
    }
    return out.done();
  };
  const encodeMultipart = (entries: [string, unknown][]): { __proto__: null; bytes: Uint8Array; type: string } => {
    let boundary = '----formdata-coda-';
    for (let i = 0; i < 24; i++) boundary += fromCharCode(0x30 + floor((apply(random, Math, []) as number) * 10));
    const pieces: Uint8Array[] = [];
    const text = (s: string) => push(pieces, shared.utf8Encode(s));
    for (let i = 0; i < entries.length; i++) {
      const name = entries[i]![0];
      const value = entries[i]![1];
      let head = `--${boundary}\r\nContent-Disposition: form-data; name="${escapeName(name, true)}"`;
      if (typeof value === 'string') {
        text(`${head}\r\n\r\n${crlf(value)}\r\n`);
        continue;
      }
      const b = blobs.blobOf(value)!;
      const f = blobs.fileOf(value);
      head += `; filename="${escapeName(f ? f.name : 'blob', false)}"\r\nContent-Type: ${b.type || 'application/octet-stream'}\r\n\r\n`;
      text(head);
      push(pieces, b.bytes);
      text('\r\n');
    }
    text(`--${boundary}--\r\n`);
    return { __proto__: null, bytes: concat(pieces), type: `multipart/form-data; boundary=${boundary}` };
  };
  /** %0A, %0D and %22 back to what escapeName wrote them for. */
  const unescapeName = (s: string): string => {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const three = s[i] === '%' ? lower(slice(s, i, i + 3)) : '';
      if (three === '%0a') out += '\n';
      else if (three === '%0d') out += '\r';
      else if (three === '%22') out += '"';
      else {
        out += s[i];
        continue;
      }
      i += 2;
    }
    return out;
  };
  /** `filename*=utf-8''…` (RFC 5987): its percent-encoded UTF-8. */
  const extValue = (v: string): string | undefined => {
    const lowered = lower(v);
    if (slice(lowered, 0, 7) !== "utf-8''") return undefined;
    const bytes: number[] = [];
    for (let i = 7; i < v.length; i++) {
      const hex = slice(v, i + 1, i + 3);
      const n = v[i] === '%' && hex.length === 2 ? parseHex(hex) : -1;
      if (n >= 0) {
        push(bytes, n);
        i += 2;
      } else push(bytes, code(v, i) & 0xff);
    }
    const out = new U8(bytes.length);
    for (let i = 0; i < bytes.length; i++) out[i] = bytes[i]!;
    return shared.utf8Decode(out, true);
  };
  const hexDigit = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);
  const parseHex = (two: string) => {
    const a = hexDigit(code(two, 0));
    const b = hexDigit(code(two, 1));
    return a < 0 || b < 0 ? -1 : a * 16 + b;
  };
  interface Disposition {
    __proto__: null;
    name: string | undefined;
    filename: string | undefined;
  }
  /** The parameters of a Content-Disposition value (`form-data; name="a"; filename="b"`). */
  const disposition = (value: string): Disposition | undefined => {
    const m = parseMime('x/' + value);
    if (!m || m.essence !== 'x/form-data') return undefined;
    const ext = param(m, 'filename*');
    const filename = ext !== undefined ? extValue(ext) : undefined;
    const plain = param(m, 'filename');
    const name = param(m, 'name');
    return {
      __proto__: null,
      name: name === undefined ? undefined : unescapeName(name),
      filename: filename ?? (plain === undefined ? undefined : unescapeName(plain)),
    };
  };
  const fail = () => new TypeErrorCtor('Failed to parse body as FormData.');
  const decodeMultipart = (bytes: Uint8Array, boundary: string): [string, unknown][] => {
    const delimiter = shared.utf8Encode(`--${boundary}`);
    const BLANK = shared.utf8Encode('\r\n\r\n');
    const entries: [string, unknown][] = [];
    let at = indexOf(bytes, delimiter, 0);
    // a preamble before the first delimiter ends with CR LF
    if (at === -1 || (at > 0 && !(at >= 2 && bytes[at - 2] === 0x0d && bytes[at - 1] === 0x0a))) throw fail();
    const next = shared.utf8Encode(`\r\n--${boundary}`);
    for (;;) {
      at += len(delimiter);
      if (bytes[at] === 0x2d && bytes[at + 1] === 0x2d) return entries;
      if (bytes[at] !== 0x0d || bytes[at + 1] !== 0x0a) throw fail();
      at += 2;
      const headEnd = indexOf(bytes, BLANK, at - 2);
      if (headEnd === -1) throw fail();
      // header lines: `Name: value`, read as UTF-8 (browsers write filenames so)
      const head = headEnd > at ? shared.utf8Decode(view(bytes, at, headEnd), true) : '';
      let contentType: string | undefined;
      let disp: Disposition | undefined;
      let lineStart = 0;
      for (let i = 0; i <= head.length; i++) {
        if (i < head.length && !(head[i] === '\r' && charAt(head, i + 1) === '\n')) continue;
        const line = slice(head, lineStart, i);
        lineStart = i + 2;
        let colon = 0;
        while (colon < line.length && line[colon] !== ':') colon++;
        if (colon >= line.length) continue;
        const name = lower(slice(line, 0, colon));
        let v = colon + 1;
        while (v < line.length && isHttpSpace(code(line, v))) v++;
        const value = slice(line, v, line.length);
        if (name === 'content-disposition') disp = disposition(value);
        else if (name === 'content-type') contentType = value;
      }
      if (!disp || disp.name === undefined) throw fail();
      const bodyStart = headEnd + 4;
      const bodyEnd = indexOf(bytes, next, bodyStart);
      if (bodyEnd === -1) throw fail();
      const body = view(bytes, bodyStart, bodyEnd);
      if (disp.filename === undefined) push(entries, [disp.name, shared.utf8Decode(body, true)]);
      else {
        const m = contentType === undefined ? undefined : parseMime(contentType);
        const type = contentType === undefined ? 'text/plain' : m ? serializeMime(m) : '';
        push(entries, [disp.name, blobs.newFile(body, disp.filename, type)]);
      }
      at = bodyEnd + 2;
    }
  };

  return { isToken, extractMime, serializeMime, param, encodeMultipart, decodeMultipart, decodeUrlencoded: shared.decodeUrlencoded };
}
