/**
 * Runs INSIDE the isolate (stringified into the prelude): self-contained, ECMAScript built-ins only.
 * The isolate has no TextEncoder, TextDecoder, atob or btoa: bytes cross the bridge as base64 text, and the bridge's
 * messages are written by `toJson`, which ignores toJSON methods and inherited properties (a cell that pollutes
 * Object.prototype or Array.prototype cannot reshape what the host receives).
 */
/* eslint-disable */
export function makeCodec(): any {
  'use strict';
  const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const U8 = Uint8Array;
  const fromCharCode = String.fromCharCode;
  const stringify = JSON.stringify;
  const keysOf = Object.keys;
  const gOPD = Object.getOwnPropertyDescriptor;
  const isArray = Array.isArray;
  const apply = Reflect.apply;
  const charCodeAt = String.prototype.charCodeAt;
  const codePointAt = String.prototype.codePointAt;
  const lookup = new U8(128);
  const codes = new U8(64);
  // the chunk bytesToBase64 fills: made now, before any cell runs, with its own elements (a setter a cell puts on
  // Array.prototype is never reached), and read by apply as a real array (no length getter a cell could replace)
  const CHUNK = 16384;
  const chunk: number[] = new Array(CHUNK).fill(0);
  const define = Object.defineProperty;
  const floor = Math.floor;
  // a typed array's length through the getter captured now (a cell may redefine it later)
  const lengthGet = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), 'length')!.get!;
  for (let i = 0; i < 64; i++) {
    lookup[apply(charCodeAt, ALPHABET, [i])] = i;
    codes[i] = apply(charCodeAt, ALPHABET, [i]);
  }

  /**
   * Base64 in chunks of 16,384 characters: appending four characters at a time would make a string of millions of
   * pieces, several times the size of the text (a 10 MB body would not fit in the sandbox's memory).
   */
  function bytesToBase64(bytes: Uint8Array): string {
    let out = '';
    let k = 0;
    let i = 0;
    const length = apply(lengthGet, bytes, []) as number;
    for (; i + 2 < length; i += 3) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      chunk[k++] = codes[(n >> 18) & 63]!;
      chunk[k++] = codes[(n >> 12) & 63]!;
      chunk[k++] = codes[(n >> 6) & 63]!;
      chunk[k++] = codes[n & 63]!;
      if (k === CHUNK) {
        out += apply(fromCharCode, null, chunk);
        k = 0;
      }
    }
    if (k) {
      const tail: number[] = [];
      // (the descriptor without a prototype: a `get` a cell put on Object.prototype never sees the bytes)
      for (let j = 0; j < k; j++)
        define(tail, j, { __proto__: null, value: chunk[j], writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
      out += apply(fromCharCode, null, tail);
    }
    if (i < length) {
      const n = (bytes[i]! << 16) | ((i + 1 < length ? bytes[i + 1]! : 0) << 8);
      out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + (i + 1 < length ? ALPHABET[(n >> 6) & 63]! : '=') + '=';
    }
    return out;
  }

  function base64ToBytes(text: string): Uint8Array {
    const clean = text.length && text[text.length - 1] === '=' ? (text[text.length - 2] === '=' ? text.length - 2 : text.length - 1) : text.length;
    const size = floor((clean * 3) / 4);
    const out = new U8(size);
    let o = 0;
    for (let i = 0; i < clean; i += 4) {
      const n =
        (lookup[apply(charCodeAt, text, [i]) & 127]! << 18) |
        (lookup[apply(charCodeAt, text, [i + 1]) & 127]! << 12) |
        (lookup[apply(charCodeAt, text, [i + 2]) & 127]! << 6) |
        lookup[apply(charCodeAt, text, [i + 3]) & 127]!;
      if (o < size) out[o++] = (n >> 16) & 255;
      if (o < size) out[o++] = (n >> 8) & 255;
      if (o < size) out[o++] = n & 255;
    }
    return out;
  }

  function utf8Decode(bytes: Uint8Array): string {
    let out = '';
    let chunk: number[] = [];
    const flush = () => {
      out += apply(fromCharCode, null, chunk);
      chunk = [];
    };
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i]!;
      let cp = 0xfffd;
      let n = 1;
      if (b < 0x80) cp = b;
      else if (b >= 0xc2 && b < 0xe0 && i + 1 < bytes.length) ((cp = ((b & 0x1f) << 6) | (bytes[i + 1]! & 0x3f)), (n = 2));
      else if (b >= 0xe0 && b < 0xf0 && i + 2 < bytes.length) ((cp = ((b & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f)), (n = 3));
      else if (b >= 0xf0 && b < 0xf5 && i + 3 < bytes.length)
        ((cp = ((b & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f)), (n = 4));
      i += n;
      if (cp > 0xffff) {
        cp -= 0x10000;
        chunk[chunk.length] = 0xd800 + (cp >> 10);
        chunk[chunk.length] = 0xdc00 + (cp & 0x3ff);
      } else chunk[chunk.length] = cp;
      if (chunk.length > 8192) flush();
    }
    flush();
    return out;
  }

  function utf8Encode(text: string): Uint8Array {
    const bytes: number[] = [];
    for (let i = 0; i < text.length; i++) {
      const cp = apply(codePointAt, text, [i])!;
      if (cp > 0xffff) i++;
      if (cp < 0x80) bytes[bytes.length] = cp;
      else if (cp < 0x800) ((bytes[bytes.length] = 0xc0 | (cp >> 6)), (bytes[bytes.length] = 0x80 | (cp & 63)));
      else if (cp < 0x10000)
        ((bytes[bytes.length] = 0xe0 | (cp >> 12)), (bytes[bytes.length] = 0x80 | ((cp >> 6) & 63)), (bytes[bytes.length] = 0x80 | (cp & 63)));
      else
        ((bytes[bytes.length] = 0xf0 | (cp >> 18)),
          (bytes[bytes.length] = 0x80 | ((cp >> 12) & 63)),
          (bytes[bytes.length] = 0x80 | ((cp >> 6) & 63)),
          (bytes[bytes.length] = 0x80 | (cp & 63)));
    }
    return new U8(bytes);
  }

  /** JSON of plain data built by the prelude: own enumerable data properties only, no toJSON, no getters. */
  function toJson(value: unknown, depth = 0): string {
    if (depth > 64) return 'null';
    switch (typeof value) {
      case 'string':
        return stringify(value);
      case 'number':
        return value === value && value !== Infinity && value !== -Infinity ? stringify(value) : 'null';
      case 'boolean':
        return value ? 'true' : 'false';
      case 'object': {
        if (value === null) return 'null';
        if (isArray(value)) {
          let out = '[';
          for (let i = 0; i < value.length; i++) {
            const d = gOPD(value, i);
            out += (i ? ',' : '') + (d && 'value' in d && d.value !== undefined ? toJson(d.value, depth + 1) : 'null');
          }
          return out + ']';
        }
        let out = '{';
        let first = true;
        const keys = keysOf(value);
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!;
          const d = gOPD(value, k);
          if (!d || !('value' in d) || d.value === undefined || typeof d.value === 'function' || typeof d.value === 'symbol') continue;
          out += (first ? '' : ',') + stringify(k) + ':' + toJson(d.value, depth + 1);
          first = false;
        }
        return out + '}';
      }
      default:
        return 'null';
    }
  }

  return { bytesToBase64, base64ToBytes, utf8Decode, utf8Encode, toJson };
}
