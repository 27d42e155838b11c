/**
 * A package's tarball as bytes checked against its sha512, for the content store (entryWriter.ts): held from this
 * install (cacheBehind.ts), else the tarball cache by its integrity (as pacote reads it first; a corrupted entry is
 * removed and the tarball fetched again), else the registry, with the request pacote makes (npm-registry-fetch: the
 * install's registry, auth, proxy and TLS options). A tarball fetched from the registry is written into the cache behind
 * the install. Offline, only the cache answers (`ENOTCACHED` as npm's fetch layer says it). A tarball that is not on
 * the web (a `file:` spec) is read by pacote.
 */
import { createHash } from 'node:crypto';
import cacache from 'cacache';
import fetch from 'npm-registry-fetch';
import pacote from 'pacote';
import { cacheBehind } from './cacheBehind';
import { pacoteHeaders } from './pacoteHeaders';
import { getOverHttp2 } from './registryAgents';

export interface TarballRequest {
  name: string;
  /** The tarball URL. */
  resolved: string;
  /** Its integrity, with a sha512 (the content store's address). */
  integrity: string;
}

export async function fetchTarball(source: TarballRequest, opts: Record<string, unknown>): Promise<Buffer> {
  // a tarball on disk (a `file:` spec) is pacote's to read (and check)
  if (!/^https?:\/\//.test(source.resolved)) {
    return pacote.tarball(`${source.name}@${source.resolved}`, { ...opts, resolved: source.resolved, integrity: source.integrity } as pacote.Options);
  }
  const cachePath = String(opts.cache);
  const behind = cacheBehind(cachePath);
  const held = behind.tarball(source.integrity);
  if (held) return held;
  try {
    // cacache checks what it reads against the integrity
    return await cacache.get.byDigest(cachePath, source.integrity);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EINTEGRITY') await cacache.rm.content(cachePath, source.integrity).catch(() => undefined);
    else if (code !== 'ENOENT') throw err;
  }
  const headers = pacoteHeaders(opts, 'tarball', `remote:${source.name}@${source.resolved}`, { 'pacote-integrity': source.integrity });
  const spec = `${source.name}@${source.resolved}`;
  // over HTTP/2 when the registry speaks it, else (and for anything but a whole 200) as npm fetches
  const fast = await getOverHttp2(source.resolved, { ...opts, spec }, headers);
  if (fast) {
    checkSha512(source, fast.body);
    behind.hold({ url: fast.url, requestHeaders: headers, status: fast.status, headers: fast.headers, body: fast.body, integrity: source.integrity });
    return fast.body;
  }
  // offline, through the cache (which has no entry for it: npm's `ENOTCACHED`); online, around it
  const res = await fetch(source.resolved, {
    ...opts,
    ...(!opts.offline && { cache: undefined }),
    headers,
    spec,
    integrity: undefined,
  } as fetch.Options);
  const body = await res.buffer();
  checkSha512(source, body);
  behind.holdResponse(res, headers, body, source.integrity);
  return body;
}

/** Throws npm's EINTEGRITY unless the bytes match the source's sha512. */
function checkSha512(source: TarballRequest, body: Buffer): void {
  if (!matchesSha512(body, source.integrity)) {
    throw Object.assign(new Error(`Integrity check failed for ${source.name} (${source.resolved}): the tarball does not match ${source.integrity}`), {
      code: 'EINTEGRITY',
    });
  }
}

/** The bytes match one of the integrity's sha512 hashes (the store is addressed by it; other algorithms are not enough). */
export function matchesSha512(data: Buffer, integrity: string): boolean {
  const hashes = integrity
    .split(/\s+/)
    .filter((h) => h.startsWith('sha512-'))
    .map((h) => h.slice('sha512-'.length).replace(/\?.*$/, ''));
  if (!hashes.length) return false;
  const digest = createHash('sha512').update(data).digest('base64');
  return hashes.includes(digest);
}
