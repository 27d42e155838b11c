/**
 * The fastest tiers, checked by the host before any installer process starts: the store already holds the
 * locked tree (arborist's hidden lockfile says so), or another notebook's store holds exactly that tree and is
 * rebuilt from links into the shared content store (linkStore.ts). Both compare versions and sha512 integrity hashes of every locked package, trust only complete stores
 * (atomicStore.ts: a copy is staged and renamed into place too), and leave a lock that cannot be verified
 * (lockPolicy.ts) to the installer, which refuses it with a clear error.
 */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DependencyLock, InstallParams, InstallResult } from '../../protocol';
import { commitStore, discardStaging, isLeftoverName, stagingDirFor, storeFacts } from './atomicStore';
import { scriptMode } from './installAccess';
import { contentRootFor } from './contentStore';
import { linkStore } from './linkStore';
import { lockPackages, storeFromTree, treeDirFor, treeKey, verifiedTree } from './sharedTree';
import { recordedLock } from './storeRecord';
import { badLocations, lockProblems, registryFrom } from './lockPolicy';
import { fetchOptions, loadNpmConfig } from './npmConfig';

type Hidden = { packages?: Record<string, { version?: string; integrity?: string }> };

/** The store's installed tree (arborist's hidden lockfile), read synchronously like its marker: one small file on every re-run. */
function installedTree(storeDir: string): Hidden['packages'] | undefined {
  try {
    return (JSON.parse(readFileSync(join(storeDir, 'node_modules', '.package-lock.json'), 'utf8')) as Hidden).packages;
  } catch {
    return undefined;
  }
}

/**
 * True when the store is complete, its installed tree is exactly the lock and holds every direct dependency, its
 * install looked for the editor's `@types` packages (unless `types` is false), and (when `scripts` is given) its
 * install scripts ran the way this install would run them (installAccess.scriptMode).
 */
export async function storeMatches(
  storeDir: string,
  dependencies: Record<string, string>,
  lock: DependencyLock,
  scripts?: string,
  types = true,
): Promise<boolean> {
  const facts = await storeFacts(storeDir);
  if (!facts || (types && !facts.types) || (scripts !== undefined && facts.scripts !== scripts)) return false;
  const tree = installedTree(storeDir);
  if (!tree) return false;
  const locked = Object.entries(lock);
  const installed = Object.keys(tree).filter((k) => k.startsWith('node_modules/'));
  if (installed.length !== locked.length) return false;
  if (!Object.keys(dependencies).every((name) => lock[`node_modules/${name}`])) return false;
  return locked.every(([location, e]) => tree[location]?.version === e.version && !!e.integrity && tree[location]?.integrity === e.integrity);
}

/** The store as a link to the shared tree of exactly this lock (sharedTree.ts), when there is one and it reads well. */
async function fromSharedTree(params: InstallParams, lock: DependencyLock, scripts: string): Promise<boolean> {
  const packages = lockPackages(lock);
  const key = treeKey(packages);
  if (!key) return false;
  const dir = treeDirFor(params.cacheDir, key);
  if (!(await verifiedTree(dir, packages, scripts))) return false;
  const staging = stagingDirFor(params.storeDir);
  try {
    await storeFromTree(staging, dir, params.dependencies);
    await commitStore(staging, params.storeDir, { scripts, own: [], types: true });
  } finally {
    await discardStaging(staging);
  }
  return storeMatches(params.storeDir, params.dependencies, lock, scripts);
}

/** The lock a reuse goes by (the notebook's, else the store's record for this set), when it is one to go by. */
async function reusableLock(params: InstallParams, scripts: string): Promise<DependencyLock | undefined> {
  // no lock in the notebook: the store's own record of what it was installed with for this dependency set
  const lock = params.lock ?? (await recordedLock(params.storeDir, params.dependencies, scripts));
  if (!lock || badLocations(lock).length) return undefined;
  if (params.allowUnverifiedLock) return lock;
  // the registries only: nothing connects here, so a cafile is not read (a system bundle costs a re-run ~2 ms)
  const config = await loadNpmConfig(params.npmrcFrom, process.env, { readCafile: false });
  return lockProblems(lock, registryFrom(fetchOptions(config))).length ? undefined : lock;
}

/**
 * Whether installFromStores would most likely serve this install without an installer process, found without writing
 * anything: the notebook's store, a complete shared tree or another notebook's store holds exactly its lock. A host warms the
 * installer when not (a wrong guess costs a process started early, or one started at the install as always).
 */
export async function storesServe(params: InstallParams): Promise<boolean> {
  const scripts = scriptMode(params);
  const types = params.editorTypes !== false;
  const lock = await reusableLock(params, scripts);
  if (!lock) return false;
  if (await storeMatches(params.storeDir, params.dependencies, lock, scripts, types)) return true;
  const packages = lockPackages(lock);
  const key = treeKey(packages);
  // a complete tree of this lock (not each of its files: a read checks those, and a guess needs no more)
  if (key && (await storeFacts(treeDirFor(params.cacheDir, key)))?.scripts === scripts) return true;
  const storesRoot = dirname(params.storeDir);
  const siblings = await readdir(storesRoot).catch(() => [] as string[]);
  for (const d of siblings) {
    const other = join(storesRoot, d);
    if (isLeftoverName(d) || other === params.storeDir) continue;
    if ((await storeFacts(other))?.own && (await storeMatches(other, params.dependencies, lock, scripts, types))) return true;
  }
  return false;
}

/**
 * Serves an install from the stores on disk, or undefined when the installer must run. The lock it goes by is the
 * notebook's or the store's record, both chosen by installs that looked for the editor's types, so a tree of exactly
 * that lock has them (the stores it builds say so); a store installed without them serves only an install that
 * does not ask for them (InstallParams.editorTypes).
 */
export async function installFromStores(params: InstallParams): Promise<InstallResult | undefined> {
  const started = performance.now();
  const { dependencies, storeDir } = params;
  const scripts = scriptMode(params);
  const types = params.editorTypes !== false;
  const lock = await reusableLock(params, scripts);
  if (!lock) return undefined;
  const done = (): InstallResult => ({
    lock,
    modulePath: join(storeDir, 'node_modules'),
    installed: Object.fromEntries(Object.keys(dependencies).map((n) => [n, lock[`node_modules/${n}`]!.version])),
    fetched: 0,
    durationMs: performance.now() - started,
    offline: false,
  });
  if (await storeMatches(storeDir, dependencies, lock, scripts, types)) return done();
  if (await fromSharedTree(params, lock, scripts)) return done();
  const storesRoot = dirname(storeDir);
  let siblings: string[];
  try {
    siblings = (await readdir(storesRoot))
      .filter((d) => !isLeftoverName(d))
      .map((d) => join(storesRoot, d))
      .filter((d) => d !== storeDir);
  } catch {
    return undefined;
  }
  for (const other of siblings) {
    if (!(await storeMatches(other, dependencies, lock, scripts, types))) continue;
    // a store from before the shared store does not say which packages keep their own files: it is not a model
    const own = (await storeFacts(other))?.own;
    if (!own) continue;
    const staging = stagingDirFor(storeDir);
    try {
      // shared packages are linked from the content store (checked on the way), never copied from the other store
      if (!(await linkStore(other, staging, lock, own, contentRootFor(params.cacheDir)))) continue;
      // the tree is complete only when it is renamed into place (commitStore writes the marker again)
      if (!(await storeMatches(staging, dependencies, lock, scripts, types))) continue;
      await commitStore(staging, storeDir, { scripts, own, types: true });
    } finally {
      await discardStaging(staging);
    }
    if (await storeMatches(storeDir, dependencies, lock, scripts, types)) return done();
  }
  return undefined;
}
