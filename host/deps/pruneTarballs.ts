/**
 * Keeps the download cache (`<cache>/cacache`, npm's cacache format, written by the installer through pacote) bounded:
 * an index entry is kept while a store's tree holds its package (its integrity is in a store's hidden lockfile) or
 * while it is younger than `maxAgeDays`; content that no kept entry names is then removed. Read-only of the
 * cacache format, without the library: index buckets are lines of `<sha1 of json>\t<json>` where a later line for a
 * key shadows an earlier one (a null integrity deletes); content lives at `content-v2/<algorithm>/<hex in 2/2/rest>`.
 * An installer may be writing while this runs: nothing touched within SETTLE_MS is removed or rewritten (cacache
 * writes content first, then appends the index line), and a bucket is replaced by a rename, never edited in place.
 */
import { createHash, randomBytes } from 'node:crypto';
import { lstat, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const INDEX_DIR = 'index-v5';
const CONTENT_DIR = 'content-v2';
/** Files changed more recently than this may belong to an install in progress. */
export const SETTLE_MS = 60 * 60_000;

export interface TarballPrune {
  /** Index entries removed. */
  entries: number;
  /** Content files removed. */
  files: number;
}

interface IndexLine {
  key: string;
  integrity: string | null;
  time: number;
  line: string;
}

/**
 * Removes the cacache entries no store holds that are older than `maxAgeMs`, then the content no remaining entry
 * names. `held` holds the integrities (`sha512-…`) of every package in the stores that remain.
 */
export async function pruneTarballs(cacacheDir: string, held: ReadonlySet<string>, maxAgeMs: number, now = Date.now()): Promise<TarballPrune> {
  const result: TarballPrune = { entries: 0, files: 0 };
  const heldDigests = new Set([...held].flatMap(digestsOf));
  const named = new Set<string>();
  for (const bucket of await filesUnder(join(cacacheDir, INDEX_DIR))) {
    const lines = parseBucket(await readFile(bucket, 'utf8').catch(() => ''));
    const latest = new Map<string, IndexLine>();
    for (const l of lines) latest.set(l.key, l);
    const kept = [...latest.values()].filter(
      (l) => l.integrity !== null && (now - l.time < maxAgeMs || digestsOf(l.integrity).some((d) => heldDigests.has(d))),
    );
    const settled = now - ((await lstat(bucket).catch(() => undefined))?.mtimeMs ?? now) > SETTLE_MS;
    const dropped = [...latest.values()].filter((l) => l.integrity !== null).length - kept.length;
    if (!settled || dropped === 0) {
      // a bucket that may be being written keeps every entry it has
      for (const l of latest.values()) if (l.integrity) digestsOf(l.integrity).forEach((d) => named.add(d));
      continue;
    }
    result.entries += dropped;
    if (kept.length === 0) await rm(bucket, { force: true });
    else {
      const tmp = `${bucket}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(tmp, kept.map((l) => `\n${l.line}`).join(''));
      await rename(tmp, bucket);
    }
    for (const l of kept) digestsOf(l.integrity!).forEach((d) => named.add(d));
  }
  const content = join(cacacheDir, CONTENT_DIR);
  for (const algorithm of await readdir(content).catch(() => [] as string[])) {
    for (const file of await filesUnder(join(content, algorithm))) {
      const digest = `${algorithm}-${file.slice(join(content, algorithm).length).replace(/[\\/]/g, '')}`;
      if (named.has(digest)) continue;
      const st = await lstat(file).catch(() => undefined);
      if (!st || now - st.mtimeMs <= SETTLE_MS) continue;
      await rm(file, { force: true });
      result.files++;
    }
  }
  await removeEmptyDirs(join(cacacheDir, INDEX_DIR));
  await removeEmptyDirs(content);
  return result;
}

/** The lines of a bucket whose checksum holds (cacache drops the others as corrupt too). */
export function parseBucket(text: string): IndexLine[] {
  const out: IndexLine[] = [];
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const json = line.slice(tab + 1);
    if (createHash('sha1').update(json).digest('hex') !== line.slice(0, tab)) continue;
    try {
      const e = JSON.parse(json) as { key?: unknown; integrity?: unknown; time?: unknown };
      if (typeof e.key !== 'string') continue;
      out.push({ key: e.key, integrity: typeof e.integrity === 'string' && e.integrity ? e.integrity : null, time: Number(e.time) || 0, line });
    } catch {
      // not JSON: corrupt
    }
  }
  return out;
}

/** `sha512-<base64>` (one or more, space separated) → `sha512-<hex>` as the content folder names them. */
export function digestsOf(integrity: string): string[] {
  return integrity
    .split(/\s+/)
    .map((sri) => /^([a-z0-9]+)-([A-Za-z0-9+/=]+)/.exec(sri))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => `${m[1]}-${Buffer.from(m[2]!, 'base64').toString('hex')}`);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, d.name);
    if (d.isDirectory()) out.push(...(await filesUnder(path)));
    else if (d.isFile() && !d.name.endsWith('.tmp')) out.push(path);
  }
  return out;
}

async function removeEmptyDirs(dir: string): Promise<void> {
  for (const d of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!d.isDirectory()) continue;
    await removeEmptyDirs(join(dir, d.name));
    await rmdir(join(dir, d.name)).catch(() => undefined); // not empty: kept
  }
}
