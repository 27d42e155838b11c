/**
 * One redirect hop of the sandbox's fetch, taken as the Fetch standard (and Node's fetch) takes it, so a token
 * meant for one server never reaches another:
 * - only 301, 302, 303, 307 and 308 redirect; any other status is the answer;
 * - 303 (any method but GET and HEAD), and 301/302 after POST, become GET without a body or body headers;
 *   307 and 308 keep the method and the body;
 * - a hop to another origin (scheme, host or port) drops Authorization, Cookie, Proxy-Authorization and Host,
 *   whatever their case, for the rest of the chain (coming back to the first origin does not restore them);
 * - the next URL must be http or https and carry no credentials (`user:pass@`).
 * Pure: the caller checks the `net` grant for the new URL before connecting.
 */
import type { SerializedError } from '../../protocol';

/** Statuses that redirect (Fetch standard); a 300 or 304 with a Location is a plain answer. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Request headers that must not follow a redirect to another origin. */
export const CROSS_ORIGIN_DROPPED: ReadonlySet<string> = new Set(['authorization', 'cookie', 'proxy-authorization', 'host']);
/** Headers that describe a request body (Fetch's request-body-header names), dropped with the body. */
export const BODY_HEADERS: ReadonlySet<string> = new Set(['content-encoding', 'content-language', 'content-location', 'content-type', 'content-length']);

export interface Hop {
  url: URL;
  method: string;
  headers: [string, string][];
  body?: Buffer;
}

const fail = (message: string): SerializedError => ({ name: 'TypeError', message });

/** The request for the next hop, or the error the fetch fails with. */
export function redirectHop(from: Hop, status: number, location: string): Hop | SerializedError {
  let url: URL;
  try {
    url = new URL(location, from.url);
  } catch {
    return fail(`fetch: ${from.url.href} redirected to an invalid URL ${JSON.stringify(location.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return fail(`fetch: ${from.url.href} redirected to an unsupported URL ${url.protocol} (the sandbox follows only http and https)`);
  if (url.username || url.password)
    return fail(`fetch: ${from.url.href} redirected to a URL with credentials (user:password@), which the sandbox does not follow`);
  let { method, headers, body } = from;
  if ((status === 303 && method !== 'GET' && method !== 'HEAD') || ((status === 301 || status === 302) && method === 'POST')) {
    method = 'GET';
    body = undefined;
    headers = headers.filter(([name]) => !BODY_HEADERS.has(name.toLowerCase()));
  }
  if (url.origin !== from.url.origin) headers = headers.filter(([name]) => !CROSS_ORIGIN_DROPPED.has(name.toLowerCase()));
  return { url, method, headers, body };
}
