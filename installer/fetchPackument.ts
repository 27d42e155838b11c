/**
 * A packument fetched as pacote fetches it (npm-registry-fetch with the install's options: registry, auth, the HTTP
 * cache; the same request headers), handed over as soon as its JSON is whole. The response itself ends only once
 * make-fetch-happen has written it into the HTTP cache, which on a busy disk took seconds for the largest documents
 * (9 MB for @types/node, 4 MB for date-fns) while the install waited. The cache write goes on; `cached` says when it
 * is done (the install waits for it before it returns, so the cache holds what it used, for installs offline). A packument
 * the cache holds no entry for is fetched without it and written behind the install (cacheBehind.ts).
 */
import fetch from 'npm-registry-fetch';
import { cacheBehind, inHttpCache } from './cacheBehind';
import { pacoteHeaders } from './pacoteHeaders';
import { getOverHttp2 } from './registryAgents';

/** The document pacote asks for with `fullMetadata` (what arborist reads). */
const FULL_DOC = 'application/json';

export interface FetchedPackument {
  doc: Promise<unknown>;
  /** Settles (never rejects) when the response has ended: it is in the HTTP cache, or failed. */
  cached: Promise<void>;
}

export function fetchPackument(url: string, name: string, opts: Record<string, unknown>): FetchedPackument {
  let cachedDone = () => undefined as void;
  const cached = new Promise<void>((resolve) => (cachedDone = resolve));
  const doc = (async () => {
    const cachePath = typeof opts.cache === 'string' ? opts.cache : undefined;
    const behind = cachePath && !opts.offline && !(await inHttpCache(cachePath, url)) ? cacheBehind(cachePath) : undefined;
    const headers = pacoteHeaders(opts, 'packument', `registry:${name}`, { accept: FULL_DOC });
    // around the cache: over HTTP/2 when the registry speaks it, else (and for anything but a whole 200) as npm fetches
    const fast = behind && (await getOverHttp2(url, { ...opts, spec: name }, headers));
    if (fast) {
      const packument = parsePackument(fast.body, fast.headers['content-length']);
      behind.hold({ url: fast.url, requestHeaders: headers, status: fast.status, headers: fast.headers, body: fast.body });
      cachedDone();
      return packument;
    }
    const res = await fetch(url, {
      ...opts,
      ...(behind && { cache: undefined }),
      headers,
      spec: name,
      // packuments carry no integrity of their own
      integrity: undefined,
    } as fetch.Options);
    const length = res.headers.get('content-length');
    const body = res.body;
    if (!body) {
      cachedDone();
      return res.json();
    }
    // the body as sent (not compressed): whole when its length has come; else whole when its JSON closes. Watched only
    // for a body that streams through the HTTP cache (its end waits for the write); one fetched around the cache ends
    // with its last byte, and reading every byte for the JSON's close cost more than it saved (92 ms of a cold install's
    // main thread in a profile, the registry sending no length)
    const expected = length && !res.headers.get('content-encoding') ? Number(length) : undefined;
    return new Promise<unknown>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const end = new JsonEnd();
      let received = 0;
      let given = false;
      const give = (bytes: Buffer) => {
        if (given) return;
        given = true;
        try {
          resolve(parsePackument(bytes, length));
        } catch (err) {
          reject(err);
        }
      };
      body.on('data', (chunk: Buffer) => {
        // handed over while it streams through the cache: nothing more of it is needed here
        if (given) return;
        chunks.push(chunk);
        // fetched around the cache: whole at its end, and kept whole to be written behind the install
        if (behind) return;
        received += chunk.length;
        if (expected !== undefined ? received >= expected : end.whole(chunk)) give(Buffer.concat(chunks));
      });
      body.on('end', () => {
        if (!given) {
          const whole = Buffer.concat(chunks);
          give(whole);
          behind?.holdResponse(res, headers, whole);
        }
        cachedDone();
      });
      body.on('error', (err: Error) => {
        if (!given) {
          given = true;
          reject(err);
        }
        cachedDone();
      });
    });
  })();
  doc.catch(() => cachedDone());
  return { doc, cached };
}

/** A packument's JSON, with the length the registry sent it with (as pacote records it). */
function parsePackument(bytes: Buffer, contentLength: string | null | undefined): Record<string, unknown> {
  const packument = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  if (contentLength) packument._contentLength = Number(contentLength);
  return packument;
}

/** Reads JSON text as it comes and says when its top-level value has closed (strings and escapes followed). */
export class JsonEnd {
  private depth = 0;
  private started = false;
  private inString = false;
  private escaped = false;

  /** Feeds a chunk; true once the top-level object or array has closed. */
  whole(chunk: Uint8Array): boolean {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
      } else if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) {
        this.depth++;
        this.started = true;
      } else if (c === 0x7d || c === 0x5d) {
        if (--this.depth === 0 && this.started) return true;
      }
    }
    return false;
  }
}
