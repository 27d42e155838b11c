/**
 * The content-addressed store shared by every notebook: `<cache>/store/<sha512 hex of the package's integrity>/`
 * holds each package's files once (`files/…`, read-only) and an `index.json` with every file's sha256. A notebook's
 * `node_modules` is built from hard links to those files, never copies; where a hard link is impossible (another file
 * system) the file is copied and the caller is told so. Every read of an entry (building a notebook's tree from it)
 * hashes its files against the index first: a tampered entry is removed, and the package comes from the tarball cache
 * again (cacache, checked against the tarball's integrity). An entry is built in a staging folder and renamed into
 * place, so a half-written entry is never read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';

/** Mode of a shared file: nobody writes it in place (a write would change every notebook's copy). */
const SHARED_MODE = 0o444;
const SHARED_EXEC_MODE = 0o555;
const INDEX = 'index.json';
const FILES = 'files';

export interface EntryIndex {
  integrity: string;
  /** Per file: its hash, and the size and modification time it had when stored (a change means a re-hash). */
  files: Record<string, { sha256: string; size: number; mtimeMs: number; exec: boolean }>;
}

/** How a package's files landed in a notebook's tree. */
export type Landing = 'linked' | 'copied';

/** The shared store beside the tarball cache (`<cache>/cacache` -> `<cache>/store`). */
export function contentRootFor(cacheDir: string): string {
  return join(dirname(cacheDir), 'store');
}

/** The entry folder of a package, or undefined when its integrity has no sha512 (it is never shared). */
export function entryDir(root: string, integrity: string | null | undefined): string | undefined {
  const sha512 = integrity
    ?.split(/\s+/)
    .find((h) => h.startsWith('sha512-'))
    ?.slice('sha512-'.length);
  if (!sha512) return undefined;
  return join(root, Buffer.from(sha512, 'base64').toString('hex'));
}

/** Regular files of a package folder, relative, without its nested `node_modules` (other packages). */
export async function packageFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const d of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? join(prefix, d.name) : d.name;
    if (d.isDirectory()) {
      if (!prefix && d.name === 'node_modules') continue;
      out.push(...(await packageFiles(dir, rel)));
    } else if (d.isFile()) out.push(rel);
  }
  return out;
}

function readIndex(entry: string): EntryIndex | undefined {
  try {
    return JSON.parse(readFileSync(join(entry, INDEX), 'utf8')) as EntryIndex;
  } catch {
    return undefined;
  }
}

/**
 * The entry's index when every file is as it was stored; a tampered or incomplete entry is removed (undefined).
 * Every file is looked at: one whose size or modification time differs from the index is hashed, and must still
 * have its sha256 (the check pnpm makes of its store; a write changes the time unless the writer sets it back).
 */
export async function verifiedEntry(entry: string): Promise<EntryIndex | undefined> {
  const index = readIndex(entry);
  let ok = !!index;
  if (index) {
    // one package's files at once, synchronously: thousands of small stats cost far less as plain calls than as
    // promises through the thread pool (a package's check blocks for a few milliseconds; callers yield between)
    for (const [rel, f] of Object.entries(index.files)) {
      const file = `${entry}/${FILES}/${rel}`;
      const st = statSync(file, { throwIfNoEntry: false });
      if (st && st.size === f.size && st.mtimeMs === f.mtimeMs) continue;
      if (!st || st.size !== f.size || hashSync(file) !== f.sha256) {
        ok = false;
        break;
      }
    }
  }
  if (ok) return index;
  // (no entry at all is the usual case of a package stored for the first time)
  if (existsSync(entry)) await rm(entry, { recursive: true, force: true }).catch(() => undefined);
  return undefined;
}

function hashSync(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Builds a package folder (`dest`, emptied of its own files first unless `fresh`) from a verified entry's files. */
export async function linkEntry(entry: string, index: EntryIndex, dest: string, fresh = false): Promise<Landing> {
  await mkdir(dest, { recursive: true });
  if (!fresh) for (const rel of await packageFiles(dest)) await unlink(join(dest, rel));
  return linkFiles(entry, index, dest);
}

/**
 * Links an entry's files into `dest`, folders first. Synchronous on purpose, as storeFiles: links are quick metadata
 * calls, a thread-pool round trip each cost more than the call.
 */
function linkFiles(entry: string, index: EntryIndex, dest: string): Landing {
  const files = Object.entries(index.files);
  for (const dir of new Set(files.map(([rel]) => dirname(rel)).filter((d) => d !== '.'))) mkdirSync(`${dest}/${dir}`, { recursive: true });
  let landing: Landing = 'linked';
  for (const [rel, f] of files)
    if (placeSync(`${entry}/${FILES}/${rel}`, `${dest}/${rel}`, f.exec ? SHARED_EXEC_MODE : SHARED_MODE) === 'copied') landing = 'copied';
  return landing;
}

/**
 * Hashes each of a package's files and links it into a new entry folder (`staging`), read-only. Synchronous on
 * purpose: these are short metadata calls (no file is created), one thread-pool round trip each would cost more
 * than the call itself; the caller yields between packages.
 */
function storeFiles(pkgDir: string, files: string[], staging: string, integrity: string): { index: EntryIndex; landing: Landing } {
  const index: EntryIndex = { integrity, files: {} };
  let landing: Landing = 'linked';
  const made = new Set<string>();
  for (const rel of files) {
    const src = join(pkgDir, rel);
    const st = lstatSync(src);
    const exec = (st.mode & 0o111) !== 0;
    const mode = exec ? SHARED_EXEC_MODE : SHARED_MODE;
    index.files[rel.split(sep).join('/')] = { sha256: hashSync(src), size: st.size, mtimeMs: st.mtimeMs, exec };
    const dest = join(staging, FILES, rel);
    const dir = dirname(dest);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    chmodSync(src, mode);
    if (placeSync(src, dest, mode) === 'copied') landing = 'copied';
  }
  if (!files.length) mkdirSync(join(staging, FILES), { recursive: true });
  return { index, landing };
}

/** A hard link of `src` at `dest`, or a read-only copy when the two are on different file systems. */
export function placeSync(src: string, dest: string, mode: number): Landing {
  try {
    linkSync(src, dest);
    return 'linked';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw err;
    copyFileSync(src, dest);
    chmodSync(dest, mode);
    return 'copied';
  }
}

/**
 * Puts a freshly extracted package folder (checked against its tarball's integrity by the extraction) into the
 * shared store, then makes the folder's files links to the entry's. Returns undefined for a package that cannot be
 * shared (no sha512), leaving its files as they are.
 */
export async function adoptPackage(root: string, integrity: string | null | undefined, pkgDir: string): Promise<Landing | undefined> {
  const entry = entryDir(root, integrity);
  if (!entry) return undefined;
  const existing = await verifiedEntry(entry);
  if (existing) return linkEntry(entry, existing, pkgDir);
  const staging = `${entry}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const { index, landing } = storeFiles(pkgDir, await packageFiles(pkgDir), staging, integrity!);
    await writeFile(join(staging, INDEX), JSON.stringify(index));
    await mkdir(root, { recursive: true });
    try {
      await rename(staging, entry);
    } catch (err) {
      // another install stored the same package at the same moment: use that one (else the install fails with this)
      const other = await verifiedEntry(entry);
      if (other) return linkEntry(entry, other, pkgDir);
      throw err;
    }
    return landing;
  } finally {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
  }
}
