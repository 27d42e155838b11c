/**
 * Notebooks with the same locked tree share one built tree: `<cache>/trees/<key>/node_modules`, keyed by every
 * package's location and integrity (treeKey), its files hard links into the content store (contentStore.ts). A
 * notebook's store holds only its own files and a `node_modules` symlink to its tree, so ten notebooks with the same
 * packages cost one tree, and a new notebook with a known lock costs one link (pnpm's global virtual store, for whole
 * trees: Node, Deno, Bun and TypeScript resolve a package's own dependencies from its real path, inside the tree).
 * Only trees whose every package is in the content store are shared, and only those built without install scripts
 * (the fast path, installer/materializeTree.ts); everything else stays inside its notebook's store.
 * Every read of a shared tree checks it first (verifiedTree): complete, built the same way, and each package's files
 * the very files linked from its content store entry (checked against the entry's hashes then), unchanged since. A
 * tree that fails is built again from the content store, whose entries are checked on that read.
 * A tree no store links to is pruned (cachePrune.ts) once it has not been used for ten minutes.
 */
import { createHash } from 'node:crypto';
import { lstatSync, symlinkSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, readlink, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { COMPLETE_MARKER, discardStaging, isLeftoverName, storeFacts } from './atomicStore';
import type { DependencyLock } from '../../protocol';
import { entryDir, packageFiles } from './contentStore';

/** The name of the package.json a store holds (arborist's root; the installer writes the same). */
export const STORE_NAME = 'codajs-notebook-store';

/** One package of a tree: where it sits and what it is. */
export interface TreePackage {
  location: string;
  integrity?: string | null;
}

/** The folder of shared trees beside the content store (`<cache>/cacache` -> `<cache>/trees`). */
export function treesRootFor(cacheDir: string): string {
  return join(dirname(cacheDir), 'trees');
}

/** The key of a tree whose every package can be shared, or undefined (a package without a sha512 keeps its files). */
export function treeKey(packages: Iterable<TreePackage>): string | undefined {
  const lines: string[] = [];
  for (const p of packages) {
    if (!p.location || !entryDir('/', p.integrity)) return undefined;
    lines.push(`${p.location}\0${p.integrity}`);
  }
  if (!lines.length) return undefined;
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

/** A lock's packages, as a tree holds them. */
export function lockPackages(lock: DependencyLock): TreePackage[] {
  return Object.entries(lock).map(([location, e]) => ({ location, integrity: e.integrity }));
}

export function treeDirFor(cacheDir: string, key: string): string {
  return join(treesRootFor(cacheDir), key);
}

/** A file of a shared tree as it was linked: its path in its package, inode, size and modification time. */
export type LinkedFile = [rel: string, ino: number, size: number, mtimeMs: number];
/** Each package's files in a shared tree as they were linked. */
type Manifest = Record<string, { integrity: string; files: LinkedFile[] }>;
const MANIFEST = '.coda-tree.json';

/**
 * Records what a freshly built tree's files are (written into it before it is committed): its packages, and each
 * file's inode (the content store entry's file, linked), size and modification time. `linked`: the files of packages
 * as the installer's file threads linked them, by location (each stated right after its link); the files of any
 * other package are listed and stated here.
 */
export async function describeTree(built: string, packages: TreePackage[], linked: Record<string, LinkedFile[]> = {}): Promise<void> {
  const manifest: Manifest = {};
  for (const p of packages) {
    const at = join(built, p.location);
    // (synchronous stats: thousands of them cost less in a row than as promises through the thread pool)
    const files =
      linked[p.location] ??
      (await packageFiles(at)).map((rel): LinkedFile => {
        const st = lstatSync(join(at, rel));
        return [rel, st.ino, st.size, st.mtimeMs];
      });
    manifest[p.location] = { integrity: p.integrity!, files };
  }
  await writeFile(join(built, MANIFEST), JSON.stringify(manifest));
}

/**
 * True when the tree at `dir` can be read: complete, built with install scripts run as `scripts` says, holding
 * exactly `packages`, and every file still the file that was linked from the content store when the tree was built
 * (same inode, size and modification time: pnpm's check of its store; a write changes the time unless the writer sets
 * it back). A tree that is read is marked used now (the prune keeps a tree used in the last minutes).
 */
export async function verifiedTree(dir: string, packages: TreePackage[], scripts: string): Promise<boolean> {
  const facts = await storeFacts(dir);
  if (!facts || facts.scripts !== scripts) return false;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as Manifest;
  } catch {
    return false;
  }
  if (Object.keys(manifest).length !== packages.length) return false;
  for (const p of packages) {
    const m = manifest[p.location];
    if (!m || m.integrity !== p.integrity) return false;
    const at = `${dir}/${p.location}/`;
    for (const [rel, ino, size, mtimeMs] of m.files) {
      const st = lstatSync(at + rel, { throwIfNoEntry: false });
      if (!st || st.ino !== ino || st.size !== size || st.mtimeMs !== mtimeMs) return false;
    }
  }
  const now = new Date();
  await utimes(join(dir, COMPLETE_MARKER), now, now).catch(() => undefined);
  return true;
}

/**
 * Puts a tree built in `built` (a staging folder beside `dir`, see atomicStore.stagingDirFor) in place, its folders
 * read-only (no notebook's code adds, removes or renames a file another notebook reads; the files are read-only
 * already). When another install put the same tree there meanwhile and it reads well, that one stays and `built` is
 * dropped; a tree there that fails its check is replaced whole.
 */
export async function commitTree(
  built: string,
  dir: string,
  packages: TreePackage[],
  scripts: string,
  linked: Record<string, LinkedFile[]> = {},
): Promise<void> {
  const aside = `${built}.old`;
  try {
    await describeTree(built, packages, linked);
    await writeFile(join(built, COMPLETE_MARKER), `${JSON.stringify({ completedAt: new Date().toISOString(), scripts })}\n`);
    await setFolderModes(built, SEALED_MODE);
    await mkdir(dirname(dir), { recursive: true });
    for (let attempt = 1; ; attempt++) {
      try {
        await rename(built, dir);
        return;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (attempt > 2 || (code !== 'ENOTEMPTY' && code !== 'EEXIST')) throw err;
      }
      if (await verifiedTree(dir, packages, scripts)) return;
      await rename(dir, aside).catch(() => undefined);
    }
  } finally {
    await removeTree(built);
    await removeTree(aside);
    await discardStaging(built);
  }
}

/** Folder mode of a committed tree: readable, never writable. */
const SEALED_MODE = 0o555;
const OPEN_MODE = 0o755;

/** Sets the mode of every folder of a tree (not its files, read-only from the content store). */
async function setFolderModes(dir: string, mode: number): Promise<void> {
  // a sealed folder must be opened before its contents can be listed for writing: parents first when opening
  if (mode === OPEN_MODE) await chmod(dir, mode).catch(() => undefined);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  await Promise.all(entries.filter((d) => d.isDirectory()).map((d) => setFolderModes(join(dir, d.name), mode)));
  if (mode !== OPEN_MODE) await chmod(dir, mode);
}

/** Removes a tree (sealed or not); a missing one is fine. */
export async function removeTree(dir: string): Promise<void> {
  await setFolderModes(dir, OPEN_MODE);
  await rm(dir, { recursive: true, force: true }).catch(() => undefined);
}

/** Makes `store/node_modules` the tree's (a relative link: the cache folder can move as a whole). */
export function linkToTree(store: string, dir: string): void {
  symlinkSync(relative(store, join(dir, 'node_modules')), join(store, 'node_modules'), 'dir');
}

/** The package.json of a store (arborist's root when the installer builds it, the same when the host links a tree). */
export async function writeStorePackage(store: string, dependencies: Record<string, string>): Promise<void> {
  await writeFile(join(store, 'package.json'), `${JSON.stringify({ name: STORE_NAME, private: true, dependencies }, null, 2)}\n`);
}

/** A store for `dependencies` built from a verified tree: its package.json and the link (committed by the caller). */
export async function storeFromTree(staging: string, dir: string, dependencies: Record<string, string>): Promise<void> {
  await mkdir(staging, { recursive: true });
  await writeStorePackage(staging, dependencies);
  linkToTree(staging, dir);
}

/** The trees under `<cache>/trees` (not the folders of installs under way) and the ones the given stores link to. */
export async function treesInUse(cacheRoot: string, storeDirs: string[]): Promise<{ all: string[]; linked: Set<string> }> {
  const root = join(cacheRoot, 'trees');
  const all = (await readdir(root).catch(() => [] as string[])).filter((n) => !isLeftoverName(n)).map((n) => join(root, n));
  const linked = new Set<string>();
  for (const store of storeDirs) {
    const target = await readlink(join(store, 'node_modules')).catch(() => undefined);
    if (target) linked.add(basename(dirname(target)));
  }
  return { all, linked };
}
