/**
 * The host half of the sandbox's `fetch`: the request comes in as data, every URL (the first and each redirect
 * hop) is checked against the notebook's `net` grant before any connection, redirects are followed here by hand
 * (`redirect: 'manual'` underneath, each hop shaped by redirectHop: credentials stay with their origin, methods
 * and bodies change as the Fetch standard says), the body is read up to a bound and handed back as base64.
 */
import { allowsHost, permissionDenied, type Permissions, type SerializedError } from '../../protocol';
import { isRecord, text } from './bridgeChecks';
import { REDIRECT_STATUSES, redirectHop, type Hop } from './redirectHop';

/** Bytes of a response body the sandbox may receive. */
export const MAX_FETCH_BODY_BYTES = 10 * 1024 * 1024;
/** Bytes of a request body the sandbox may send. */
export const MAX_FETCH_REQUEST_BYTES = 10 * 1024 * 1024;
/** Characters of a URL the sandbox may fetch. */
export const MAX_FETCH_URL_CHARS = 64 * 1024;
/** Request headers of one fetch, and the characters of a header's name and value. */
export const MAX_FETCH_HEADERS = 200;
export const MAX_FETCH_HEADER_NAME_CHARS = 1000;
export const MAX_FETCH_HEADER_VALUE_CHARS = 16 * 1024;
/** Wall-clock limit of one fetch, redirects included. */
export const FETCH_TIMEOUT_MS = 30_000;
/** Redirect hops followed before giving up (the Fetch standard's limit, as Node's fetch). */
export const MAX_REDIRECTS = 20;
/** Fetches in flight at once. */
export const MAX_PENDING_FETCHES = 64;

export interface FetchRequest {
  url: URL;
  method: string;
  headers: [string, string][];
  body?: Buffer;
  redirect: 'follow' | 'manual' | 'error';
}

export interface FetchResponse {
  status: number;
  statusText: string;
  url: string;
  redirected: boolean;
  headers: [string, string][];
  bodyBase64: string;
}

const fail = (message: string, name = 'TypeError'): SerializedError => ({ name, message });

/** Parses and checks the request the prelude sent; a denied or malformed one becomes the error to throw inside. */
export function checkFetchRequest(raw: unknown, permissions: Permissions): FetchRequest | SerializedError {
  if (!isRecord(raw)) return fail('fetch: malformed request');
  // refused, never cut: a URL cut short is another URL
  if (typeof raw.url === 'string' && raw.url.length > MAX_FETCH_URL_CHARS) return fail(`fetch: the URL is over ${MAX_FETCH_URL_CHARS} characters`);
  let url: URL;
  try {
    url = new URL(text(raw.url, MAX_FETCH_URL_CHARS));
  } catch {
    return fail(`fetch: invalid URL ${JSON.stringify(text(raw.url, 200))} (the sandbox needs an absolute http or https URL)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(`fetch: only http and https URLs are supported in the sandbox, not ${url.protocol}`);
  // as Node's fetch: a password in the URL would otherwise travel as Basic credentials to wherever it points
  if (url.username || url.password) return fail(`fetch: the URL includes credentials (user:password@); send them in an Authorization header instead`);
  const denied = deniedHost(url, permissions);
  if (denied) return denied;
  const method = text(raw.method, 20).toUpperCase() || 'GET';
  if (!/^[A-Z]+$/.test(method)) return fail(`fetch: invalid method ${JSON.stringify(method)}`);
  // refused, never cut: a header list cut short drops what came last (a FormData body's content-type, an Authorization)
  const pairs: unknown[] = Array.isArray(raw.headers) ? raw.headers : [];
  if (pairs.length > MAX_FETCH_HEADERS) return fail(`fetch: more than ${MAX_FETCH_HEADERS} request headers`, 'RangeError');
  const headers: [string, string][] = [];
  for (const pair of pairs) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') continue;
    if (pair[0].length > MAX_FETCH_HEADER_NAME_CHARS || pair[1].length > MAX_FETCH_HEADER_VALUE_CHARS)
      return fail(
        `fetch: the request header ${JSON.stringify(pair[0].slice(0, 100))} is over ${MAX_FETCH_HEADER_NAME_CHARS} characters of name or ${MAX_FETCH_HEADER_VALUE_CHARS} of value`,
        'RangeError',
      );
    headers.push([pair[0], pair[1]]);
  }
  let body: Buffer | undefined;
  if (isRecord(raw.body)) {
    const tooBig = fail(`fetch: the request body is over ${MAX_FETCH_REQUEST_BYTES} bytes`, 'RangeError');
    // sizes checked before anything is decoded; a text body is refused, never cut, when it is too long
    const { base64, text: bodyText } = raw.body;
    if (typeof base64 === 'string') {
      if (base64.length > Math.ceil(MAX_FETCH_REQUEST_BYTES / 3) * 4 + 4) return tooBig;
      body = Buffer.from(base64, 'base64');
    } else {
      if (typeof bodyText === 'string' && bodyText.length > MAX_FETCH_REQUEST_BYTES) return tooBig;
      body = Buffer.from(text(bodyText, MAX_FETCH_REQUEST_BYTES), 'utf8');
    }
    if (body.length > MAX_FETCH_REQUEST_BYTES) return tooBig;
  }
  const redirect = raw.redirect === 'manual' || raw.redirect === 'error' ? raw.redirect : 'follow';
  return { url, method, headers, body, redirect };
}

function deniedHost(url: URL, permissions: Permissions): SerializedError | undefined {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return allowsHost(permissions, url.hostname, port) ? undefined : permissionDenied('net', url.hostname.replace(/^\[|\]$/g, ''));
}

/**
 * Takes `bytes` more of a response body into the host's keeping (IsolateRuntime's budget of what its fetches hold), or
 * says why not: the fetch then fails with that error, its body no longer read.
 */
export type HoldBytes = (bytes: number) => SerializedError | undefined;

/** Performs the request; resolves with the response or with the error to throw inside the sandbox. */
export async function sandboxFetch(
  req: FetchRequest,
  permissions: Permissions,
  signal: AbortSignal,
  hold: HoldBytes = () => undefined,
): Promise<{ response: FetchResponse } | { error: SerializedError }> {
  const timeout = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  const both = AbortSignal.any([signal, timeout]);
  let hop: Hop = { url: req.url, method: req.method, headers: req.headers, body: req.body };
  try {
    for (let n = 0; ; n++) {
      const url = hop.url;
      const denied = deniedHost(url, permissions);
      if (denied) return { error: denied };
      const res = await fetch(url, { method: hop.method, headers: hop.headers, body: hop.body, redirect: 'manual', signal: both });
      const location = res.headers.get('location');
      if (REDIRECT_STATUSES.has(res.status) && location !== null && req.redirect !== 'manual') {
        await res.body?.cancel();
        if (req.redirect === 'error') return { error: fail(`fetch: ${url.href} redirected to ${location} and redirect is "error"`) };
        if (n >= MAX_REDIRECTS) return { error: fail(`fetch: more than ${MAX_REDIRECTS} redirects from ${req.url.href}`) };
        const next = redirectHop(hop, res.status, location);
        if ('name' in next) return { error: next };
        hop = next;
        continue;
      }
      const bytes = await readBounded(res, hold);
      if ('error' in bytes) return bytes;
      const headers: [string, string][] = [];
      res.headers.forEach((v, k) => headers.push([k, v]));
      return {
        response: { status: res.status, statusText: res.statusText, url: url.href, redirected: n > 0, headers, bodyBase64: bytes.data.toString('base64') },
      };
    }
  } catch (err) {
    if (timeout.aborted) return { error: fail(`fetch: no complete answer from ${hop.url.host} within ${FETCH_TIMEOUT_MS} ms`) };
    if (signal.aborted) return { error: { name: 'AbortError', message: 'fetch: aborted (the cell was interrupted)' } };
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { error: fail(`fetch failed: ${hop.url.href}: ${cause?.code ?? cause?.message ?? (err as Error).message}`) };
  }
}

async function readBounded(res: Response, hold: HoldBytes): Promise<{ data: Buffer } | { error: SerializedError }> {
  const chunks: Buffer[] = [];
  let size = 0;
  if (!res.body) return { data: Buffer.alloc(0) };
  // leaving the loop early (a return) cancels the body: nothing more of it is read
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_FETCH_BODY_BYTES) {
      return {
        error: fail(`fetch: the response body of ${res.url || 'the request'} is over ${MAX_FETCH_BODY_BYTES} bytes (the sandbox's limit)`, 'RangeError'),
      };
    }
    const refused = hold(chunk.byteLength);
    if (refused) return { error: refused };
    chunks.push(Buffer.from(chunk));
  }
  return { data: Buffer.concat(chunks) };
}
