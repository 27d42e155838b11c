/**
 * Keeps the cache bounded (`coda cache`, the `codajs.pruneCache` command, and a daily prune on activation): the
 * stores of notebooks not used for `maxAgeDays` are removed unless a running kernel holds them (storeLease.ts), then
 * the shared trees no remaining store links to (sharedTree.ts), then every content store entry no store links to any more (all its files have a single link), leftovers of
 * interrupted writes, and the downloads (tarballs, package metadata) no remaining store holds once they are as old. Sizes count each file once however many notebooks link it.
 */
import { lstat, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { COMPLETE_MARKER, isLeftoverName } from './atomicStore';
import { pruneCodeCaches } from '../codeCacheFile';
import { pruneTarballs } from './pruneTarballs';
import { liveLeases } from './storeLease';
import { STORE_RECORD } from './storeRecord';
import { removeTree, treesInUse } from './sharedTree';

export const DEFAULT_MAX_AGE_DAYS = 30;
const DAY_MS = 24 * 60 * 60_000;
/** A shared tree no store links to is kept this long after its last use (an install may be about to link it). */
export const TREE_GRACE_MS = 10 * 60_000;
/** A content entry being written (`<hex>.<pid>.<random>.tmp`) older than this was abandoned. */
const ABANDONED_MS = DAY_MS;

export interface StoreInfo {
  key: string;
  dir: string;
  lastUsed: Date;
  inUse: boolean;
  /** Bytes only this store holds (its own files; shared files are counted under the content store). */
  ownBytes: number;
  /** The packages the notebook asked for, `name@version` (the version when its record says), sorted. */
  packages: string[];
}

/**
 * A store's direct packages: the names in its package.json, each with the version its record locked. A store being
 * written or damaged lists what can be read: names without versions, or none.
 */
async function storePackages(dir: string): Promise<string[]> {
  const object = async (file: string): Promise<Record<string, unknown>> => {
    try {
      const value: unknown = JSON.parse(await readFile(join(dir, file), 'utf8'));
      return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  const deps = (await object('package.json')).dependencies;
  const names = deps && typeof deps === 'object' ? Object.keys(deps) : [];
  const lock = ((await object(STORE_RECORD)).lock ?? {}) as Record<string, { version?: unknown } | undefined>;
  const version = (n: string) => lock[`node_modules/${n}`]?.version;
  return names.map((n) => (typeof version(n) === 'string' ? `${n}@${version(n) as string}` : n)).sort();
}

export interface PruneResult {
  stores: string[];
  /** Shared trees (sharedTree.ts) no store links to any more. */
  trees: number;
  entries: number;
  /** Downloaded tarballs and package metadata removed from the download cache (pruneTarballs.ts). */
  downloads: number;
  /** Kernel worker code caches built more than maxAgeDays ago (host/kernel/workerCodeCache.ts). */
  codeCaches: number;
  freedBytes: number;
}

/** Every store under `<cache>/stores`, least recently used first. */
export async function listStores(cacheRoot: string): Promise<StoreInfo[]> {
  const root = join(cacheRoot, 'stores');
  const { live } = await liveLeases(cacheRoot);
  const out: StoreInfo[] = [];
  for (const key of await readdir(root).catch(() => [] as string[])) {
    if (isLeftoverName(key)) continue;
    const dir = join(root, key);
    const used = await stat(join(dir, COMPLETE_MARKER)).catch(() => stat(dir));
    out.push({ key, dir, lastUsed: used.mtime, inUse: live.has(key), ownBytes: (await usage(dir, new Set(), true)).bytes, packages: await storePackages(dir) });
  }
  return out.sort((a, b) => a.lastUsed.getTime() - b.lastUsed.getTime());
}

/**
 * Bytes on disk under the cache, each file counted once (hard links share one inode). `stores` counts the notebooks'
 * stores and the shared trees they link to (their folders and own files; their packages' files are `content`).
 */
export async function cacheSize(cacheRoot: string): Promise<{ stores: number; content: number; tarballs: number; total: number }> {
  const seen = new Set<number>();
  const content = (await usage(join(cacheRoot, 'store'), seen)).bytes;
  const stores = (await usage(join(cacheRoot, 'stores'), seen)).bytes + (await usage(join(cacheRoot, 'trees'), seen)).bytes;
  const tarballs = (await usage(join(cacheRoot, 'cacache'), seen)).bytes;
  return { stores, content, tarballs, total: stores + content + tarballs };
}

/** `codeCacheDir`: where the kernel worker's code caches are (compileCacheDir()), pruned by the same age; none when omitted. */
export async function pruneCache(cacheRoot: string, maxAgeDays = DEFAULT_MAX_AGE_DAYS, now = Date.now(), codeCacheDir?: string): Promise<PruneResult> {
  const result: PruneResult = { stores: [], trees: 0, entries: 0, downloads: 0, codeCaches: 0, freedBytes: 0 };
  const before = (await cacheSize(cacheRoot)).total;
  const { stale } = await liveLeases(cacheRoot);
  for (const file of stale) await rm(file, { force: true });
  const kept: string[] = [];
  for (const s of await listStores(cacheRoot)) {
    if (s.inUse || now - s.lastUsed.getTime() < maxAgeDays * DAY_MS) {
      kept.push(s.dir);
      continue;
    }
    await rm(s.dir, { recursive: true, force: true });
    result.stores.push(s.key);
  }
  // trees before content entries: a tree's links are what keeps its packages' entries
  result.trees = await pruneTrees(cacheRoot, kept, now);
  const content = join(cacheRoot, 'store');
  for (const name of await readdir(content).catch(() => [] as string[])) {
    const entry = join(content, name);
    if (name.endsWith('.tmp')) {
      if (now - (await lstat(entry)).mtimeMs > ABANDONED_MS) await rm(entry, { recursive: true, force: true });
      continue;
    }
    if ((await usage(join(entry, 'files'), new Set(), false, true)).linked) continue;
    await rm(entry, { recursive: true, force: true });
    result.entries++;
  }
  // the download cache: what no remaining store holds, once it is older than the stores' limit (a store installed
  // meanwhile holds only downloads too recent to be touched)
  const held = new Set<string>();
  for (const dir of kept) for (const i of await heldIntegrities(dir)) held.add(i);
  result.downloads = (await pruneTarballs(join(cacheRoot, 'cacache'), held, maxAgeDays * DAY_MS, now)).entries;
  if (codeCacheDir) result.codeCaches = await pruneCodeCaches(codeCacheDir, maxAgeDays * DAY_MS, now);
  result.freedBytes = Math.max(0, before - (await cacheSize(cacheRoot)).total);
  return result;
}

/**
 * Removes the shared trees no kept store (nor an install under way) links to, unless one was used in the last
 * minutes (an install links a tree right after it builds or checks it, which marks it used), and the folders of tree
 * builds abandoned a day ago.
 */
async function pruneTrees(cacheRoot: string, kept: string[], now: number): Promise<number> {
  const storesRoot = join(cacheRoot, 'stores');
  const building = (await readdir(storesRoot).catch(() => [] as string[])).filter(isLeftoverName).map((n) => join(storesRoot, n));
  const { all, linked } = await treesInUse(cacheRoot, [...kept, ...building]);
  let removed = 0;
  for (const dir of all) {
    if (linked.has(basename(dir))) continue;
    const used = await stat(join(dir, COMPLETE_MARKER)).catch(() => lstat(dir).catch(() => undefined));
    if (used && now - used.mtimeMs < TREE_GRACE_MS) continue;
    await removeTree(dir);
    removed++;
  }
  const root = join(cacheRoot, 'trees');
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!isLeftoverName(name)) continue;
    const st = await lstat(join(root, name)).catch(() => undefined);
    if (st && now - st.mtimeMs > ABANDONED_MS) await removeTree(join(root, name));
  }
  return removed;
}

/** The integrities of the packages a store's tree holds (its hidden lockfile, written by the install). */
async function heldIntegrities(storeDir: string): Promise<string[]> {
  try {
    const lock = JSON.parse(await readFile(join(storeDir, 'node_modules', '.package-lock.json'), 'utf8')) as {
      packages?: Record<string, { integrity?: unknown }>;
    };
    return Object.values(lock.packages ?? {})
      .map((p) => p.integrity)
      .filter((i): i is string => typeof i === 'string');
  } catch {
    return [];
  }
}

/**
 * Bytes of the files under `dir` not yet `seen` (by inode); `ownOnly` skips files with more than one link;
 * `linked` says whether any file has another link (a store uses it).
 */
async function usage(dir: string, seen: Set<number>, ownOnly = false, stopAtLink = false): Promise<{ bytes: number; linked: boolean }> {
  let bytes = 0;
  let linked = false;
  for (const d of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, d.name);
    if (d.isDirectory()) {
      const sub = await usage(path, seen, ownOnly, stopAtLink);
      // a folder takes blocks too (each notebook's tree has its own folders)
      bytes += sub.bytes + ((await lstat(path).catch(() => undefined))?.blocks ?? 0) * 512;
      linked ||= sub.linked;
      if (linked && stopAtLink) break;
    } else {
      const st = await lstat(path).catch(() => undefined);
      if (!st) continue;
      if (st.nlink > 1) {
        linked = true;
        if (stopAtLink) break;
        if (ownOnly) continue;
      }
      if (seen.has(st.ino)) continue;
      seen.add(st.ino);
      bytes += st.blocks * 512;
    }
  }
  return { bytes, linked };
}
