/**
 * Jupyter MIME bundles (`{"text/html": "...", "text/plain": "..."}`) as the kernel's display data: one output with
 * one item per representation, the renderer picked by VS Code. Text stays text, JSON types are sent as JSON text,
 * binary types as base64 (Jupyter bundles already hold base64 strings; bytes are encoded here).
 */
import type { DisplayData } from '../../protocol';

/** Representations one bundle may carry. */
export const MAX_BUNDLE_MIMES = 16;
/** Characters one bundle may send, all representations together (a PNG of a few megabytes fits). */
export const MAX_BUNDLE_CHARS = 16 * 1024 * 1024;

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,127}$/i;
const isJsonMime = (mime: string) => /^application\/(?:.+\+)?json$/i.test(mime);
const isBinaryMime = (mime: string) => /^(?:image\/(?!svg\+xml$)|audio\/|video\/|application\/(?:pdf|octet-stream|zip)$)/i.test(mime);

export const JUPYTER_DISPLAY = Symbol.for('Jupyter.display');

/** A bundle as display data, checked: a bad MIME type or an oversized bundle throws a TypeError/RangeError in the cell. */
export function bundleToDisplayData(bundle: unknown, what = 'display'): DisplayData[] {
  if (bundle === null || typeof bundle !== 'object' || Array.isArray(bundle))
    throw new TypeError(`${what} expects a MIME bundle: an object like {"text/html": "<b>hi</b>"}`);
  const entries = Object.entries(bundle as Record<string, unknown>);
  if (entries.length > MAX_BUNDLE_MIMES) throw new RangeError(`${what}: ${entries.length} MIME types in one bundle; at most ${MAX_BUNDLE_MIMES}`);
  let chars = 0;
  const out: DisplayData[] = [];
  for (const [mime, value] of entries) {
    if (!MIME.test(mime)) throw new TypeError(`${what}: ${JSON.stringify(mime.slice(0, 80))} is not a MIME type`);
    const item = itemOf(mime, value, what);
    chars += item.data.length;
    if (chars > MAX_BUNDLE_CHARS) throw new RangeError(`${what}: the bundle is over ${MAX_BUNDLE_CHARS} characters`);
    out.push(item);
  }
  if (!out.length) throw new TypeError(`${what}: the MIME bundle is empty`);
  return out;
}

function itemOf(mime: string, value: unknown, what: string): DisplayData {
  if (isJsonMime(mime)) {
    const data = typeof value === 'string' ? value : JSON.stringify(value);
    if (data === undefined) throw new TypeError(`${what}: the ${mime} value cannot be written as JSON`);
    return { mime, data };
  }
  if (isBinaryMime(mime)) {
    if (value instanceof Uint8Array || value instanceof ArrayBuffer) return { mime, data: toBase64(value), encoding: 'base64' };
    if (typeof value === 'string') return { mime, data: value.replace(/\s+/g, ''), encoding: 'base64' };
    throw new TypeError(`${what}: ${mime} expects bytes (a Uint8Array) or a base64 string`);
  }
  if (Array.isArray(value) && value.every((l) => typeof l === 'string')) return { mime, data: value.join('') }; // nbformat's list of lines
  if (typeof value !== 'string') throw new TypeError(`${what}: ${mime} expects a string`);
  return { mime, data: value };
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 without Buffer or btoa, so the same code runs in every runtime. */
export function toBase64(bytes: Uint8Array | ArrayBuffer): string {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const parts: string[] = [];
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    parts.push(
      BASE64[(n >> 18) & 63]! + BASE64[(n >> 12) & 63]! + (i + 1 < b.length ? BASE64[(n >> 6) & 63]! : '=') + (i + 2 < b.length ? BASE64[n & 63]! : '='),
    );
  }
  return parts.join('');
}

/** Whether bytes start with a signature (PNG, JPEG, GIF). */
export function startsWith(bytes: unknown, signature: readonly number[]): bytes is Uint8Array {
  return bytes instanceof Uint8Array && signature.every((b, i) => bytes[i] === b);
}
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
export const JPEG_SIGNATURE = [0xff, 0xd8, 0xff] as const;
