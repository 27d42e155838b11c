/**
 * The HTTP cache written behind an install. A response the cache has never held (a packument or tarball of a cold
 * install) is fetched without it and kept in memory; once the install has answered, it is written into the cache as
 * npm's fetch layer would have written it while it streamed (make-fetch-happen's own cache entry, so offline installs,
 * revalidation and `npm cache` read it as theirs). Writing the cache while the install ran cost a cold install ~20% of
 * its time (`npm run bench`, docs/dependencies.md): its CPU competed with the install's own on small machines.
 *
 * Nothing is lost that an install needs: the tarballs held are read from here (by their integrity) until written, the
 * packuments from the installer's in-memory packument cache, and the installer process writes everything it holds
 * before it exits (main.ts). The writes give way to installs: one that starts (the editor's types, just after the
 * packages) pauses them between two responses until no install runs. Past HOLD_BYTES, or when someone waits for them
 * (the installer stopping, `writeCache`, pacote about to read the cache), they go on regardless. A response the cache
 * already holds an entry for is fetched through the cache as before (revalidated, served while fresh).
 */
import { existsSync } from 'node:fs';
import cacache from 'cacache';
import { bucketPath } from 'cacache/lib/entry-index.js';
import { Minipass } from 'minipass';
import { Request, Response, type Headers } from 'minipass-fetch';
import CacheEntry from 'make-fetch-happen/lib/cache/entry.js';
import cacheKey from 'make-fetch-happen/lib/cache/key.js';

/** Bytes held before the writes start during the install. */
export const HOLD_BYTES = 256 * 1024 * 1024;

/** One response as it came, to be written into the HTTP cache. */
export interface HeldResponse {
  /** The URL the body came from (after redirects). */
  url: string;
  /** The request's headers (those make-fetch-happen keeps in its entry: accept, and any the response varies on). */
  requestHeaders: Record<string, string>;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** A tarball's integrity (the cache checks the body against it and files the content under it). */
  integrity?: string;
}

/** The responses waiting for one cache folder. */
class Held {
  private readonly waiting: HeldResponse[] = [];
  private readonly tarballs = new Map<string, Buffer>();
  private bytes = 0;
  private writing: Promise<void> | undefined;
  /** Someone waits for the writes (or memory does): they do not give way to installs. */
  private urgent = false;

  constructor(private readonly cachePath: string) {}

  hold(r: HeldResponse): void {
    this.waiting.push(r);
    this.bytes += r.body.length;
    if (r.integrity) this.tarballs.set(r.integrity, r.body);
    if (this.bytes > HOLD_BYTES) void this.write(true);
  }

  /**
   * A response fetched around the cache, with the headers it was requested with, its body read whole: held when it is
   * one make-fetch-happen stores with its body (200).
   */
  holdResponse(res: Response, requestHeaders: Record<string, string>, body: Buffer, integrity?: string): void {
    if (res.status !== 200) return;
    this.hold({ url: res.url, requestHeaders, status: res.status, headers: plainHeaders(res.headers), body, ...(integrity && { integrity }) });
  }

  /** A tarball held (not yet in the cache), by its integrity. */
  tarball(integrity: string): Buffer | undefined {
    return this.tarballs.get(integrity);
  }

  /**
   * Writes what is held, one response at a time (never rejects). `urgent`: until nothing is left; otherwise until an
   * install runs.
   */
  write(urgent: boolean): Promise<void> {
    if (urgent) this.urgent = true;
    if (!this.writing && this.waiting.length) this.writing = this.drain();
    return this.writing ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    // never settles within `write`: `writing` is set before it is cleared
    await Promise.resolve();
    try {
      for (let r = this.waiting.shift(); r; r = this.waiting.shift()) {
        if (installs > 0 && !this.urgent) {
          this.waiting.unshift(r);
          break;
        }
        // a write that fails costs a later download, never an install
        await storeResponse(this.cachePath, r).catch(() => undefined);
        this.bytes -= r.body.length;
        if (r.integrity) this.tarballs.delete(r.integrity);
      }
    } finally {
      this.writing = undefined;
      this.urgent = false;
    }
  }

  /** Nothing is waiting or being written. */
  get idle(): boolean {
    return !this.waiting.length && !this.writing;
  }
}

const held = new Map<string, Held>();
/** Installs running in this process. */
let installs = 0;

/** An install starts; the function it returns says it ended (the writes behind go on once no install runs). */
export function installRunning(): () => void {
  installs++;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    if (--installs === 0) setImmediate(() => void writeHeld(false));
  };
}

/** The responses held for `cachePath` (a cacache folder). */
export function cacheBehind(cachePath: string): Held {
  let h = held.get(cachePath);
  if (!h) held.set(cachePath, (h = new Held(cachePath)));
  return h;
}

/**
 * Writes what every cache folder holds (never rejects). Urgent (the default): resolves once all is written, whatever
 * installs run. Otherwise the writes start, and give way to the next install.
 */
export async function writeHeld(urgent = true): Promise<void> {
  if (!urgent) {
    for (const h of held.values()) void h.write(false);
    return;
  }
  while ([...held.values()].some((h) => !h.idle)) await Promise.all([...held.values()].map((h) => h.write(true)));
}

/** One response into make-fetch-happen's cache, through its own cache entry (the index metadata, the content, the policy). */
async function storeResponse(cachePath: string, r: HeldResponse): Promise<void> {
  const request = new Request(r.url, { headers: r.requestHeaders });
  const body = new Minipass<Buffer>();
  body.end(r.body);
  const response = new Response(body, { url: r.url, status: r.status, headers: r.headers });
  const options = { cachePath, cacheAdditionalHeaders: [], algorithms: ['sha512'], ...(r.integrity && { integrity: r.integrity }) };
  const stored = await new CacheEntry({ request, response, options }).store('miss');
  // the cache is written as the body is read (and the body ends once it is written)
  await stored.buffer();
}

/** The HTTP cache's key for a GET of `url` (make-fetch-happen's). */
export const httpCacheKey = (url: string): string => cacheKey({ url });

/**
 * The cache holds an entry for this URL (a request for it goes through the cache). A key whose index file (bucket) is
 * not there has none, as cacache would find: that is said at once, with a synchronous look, and most of a cold
 * install's lookups are those. cacache's own lookup reads through the thread pool, where the install's file work
 * queues: it held each packument's request back 17-118 ms (a third of a level of the tree's resolution).
 */
export async function inHttpCache(cachePath: string, url: string): Promise<boolean> {
  const key = httpCacheKey(url);
  if (!existsSync(bucketPath(cachePath, key))) return false;
  return !!(await cacache.get.info(cachePath, key).catch(() => null));
}

/** A response's headers as a plain object. */
function plainHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => (out[name] = value));
  return out;
}
