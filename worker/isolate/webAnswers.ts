/**
 * The answers the Sandbox's web APIs (prelude/makeWebApis.ts) need from the host: random bytes for `crypto`, a URL
 * parsed by Node's WHATWG parser for `URL`, the monotonic time for `performance.now()`, and a digest for
 * `crypto.subtle.digest`. What the isolate sends is untrusted (a cell can call the prelude's
 * bridge with anything it can shape): only a size and strings are read, both bounded, and nothing but plain strings
 * goes back. Neither touches the network, the file system or anything outside this function.
 */
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { isRecord } from './bridgeChecks';

/** The most bytes one `crypto.getRandomValues` may ask for (the Web Crypto quota). */
export const MAX_RANDOM_BYTES = 65_536;
/** The longest URL or base the host parses for the isolate. */
export const MAX_URL_CHARS = 100_000;

/** `n` random bytes as base64, or nothing for a size out of range. */
export function randomAnswer(n: unknown): { b64?: string } {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1 || n > MAX_RANDOM_BYTES) return {};
  return { b64: randomBytes(n).toString('base64') };
}

const PARTS = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'] as const;
/** The setters the isolate's URL may apply (every WHATWG URL setter but `searchParams`, which it keeps itself). */
const SETTERS = new Set(['href', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash']);

/** `input` parsed against `base`, with the setter `key` given `value`, as its parts; `{ ok: false }` when invalid. */
export function urlAnswer(msg: unknown): Record<string, string | boolean> {
  if (!isRecord(msg)) return { ok: false };
  // own keys only (the request is JSON the isolate wrote, so it has no others; kept so if that changes)
  const own = (k: string): unknown => (Object.hasOwn(msg, k) ? msg[k] : undefined);
  const [input, base, key, value] = [own('input'), own('base'), own('key'), own('value')];
  const short = (v: unknown) => typeof v === 'string' && v.length <= MAX_URL_CHARS;
  if (!short(input) || (base !== undefined && !short(base))) return { ok: false };
  if (key !== undefined && (typeof key !== 'string' || !SETTERS.has(key) || !short(value))) return { ok: false };
  let url: URL;
  try {
    url = new URL(input as string, base as string | undefined);
    if (key !== undefined) (url as unknown as Record<string, string>)[key as string] = value as string;
  } catch {
    return { ok: false };
  }
  const out: Record<string, string | boolean> = { ok: true };
  for (const part of PARTS) out[part] = url[part];
  return out;
}

/** The digests `crypto.subtle.digest` names, as Node's hash names. */
const DIGESTS = new Map([
  ['SHA-1', 'sha1'],
  ['SHA-256', 'sha256'],
  ['SHA-384', 'sha384'],
  ['SHA-512', 'sha512'],
]);
/** The most bytes one digest may hash (the prelude's own bound: 8 MiB). */
export const MAX_DIGEST_BYTES = 8 * 1024 * 1024;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The digest of base64 bytes as base64, or nothing for an unknown algorithm, text that is no base64 or too many bytes. */
export function digestAnswer(msg: unknown): { b64?: string } {
  if (!isRecord(msg)) return {};
  const algorithm = Object.hasOwn(msg, 'algorithm') ? msg.algorithm : undefined;
  const b64 = Object.hasOwn(msg, 'b64') ? msg.b64 : undefined;
  const hash = typeof algorithm === 'string' ? DIGESTS.get(algorithm) : undefined;
  if (!hash || typeof b64 !== 'string' || b64.length % 4 !== 0 || b64.length > (MAX_DIGEST_BYTES / 3) * 4 + 4 || !BASE64.test(b64)) return {};
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length > MAX_DIGEST_BYTES) return {};
  return { b64: createHash(hash).update(bytes).digest('base64') };
}

/** How finely the isolate sees the time, in ms: 0.1, as browsers give pages that are not cross-origin isolated. */
export const CLOCK_STEP_MS = 0.1;

/** The host's monotonic clock, in whole steps of CLOCK_STEP_MS. */
export function nowAnswer(): { ms: number } {
  const steps = 1 / CLOCK_STEP_MS;
  return { ms: Math.floor(performance.now() * steps) / steps };
}
