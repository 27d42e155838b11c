/**
 * The fastest tiers, checked by the host before any installer process starts: the store already holds the
 * locked tree (arborist's hidden lockfile says so), or another notebook's store holds exactly that tree and is
 * copied. Both compare versions and integrity hashes of every locked package.
 */
import { cp, readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { DependencyLock, InstallParams, InstallResult } from '../../protocol';

type Hidden = { packages?: Record<string, { version?: string; integrity?: string }> };

async function installedTree(storeDir: string): Promise<Hidden['packages'] | undefined> {
  try {
    return (JSON.parse(await readFile(join(storeDir, 'node_modules', '.package-lock.json'), 'utf8')) as Hidden).packages;
  } catch {
    return undefined;
  }
}

/** True when the store's installed tree is exactly the lock, and holds every direct dependency. */
export async function storeMatches(storeDir: string, dependencies: Record<string, string>, lock: DependencyLock): Promise<boolean> {
  const tree = await installedTree(storeDir);
  if (!tree) return false;
  const locked = Object.entries(lock);
  const installed = Object.keys(tree).filter((k) => k.startsWith('node_modules/'));
  if (installed.length !== locked.length) return false;
  if (!Object.keys(dependencies).every((name) => lock[`node_modules/${name}`])) return false;
  return locked.every(([location, e]) => tree[location]?.version === e.version && (!e.integrity || tree[location]?.integrity === e.integrity));
}

/** Serves an install from the stores on disk, or undefined when the installer must run. */
export async function installFromStores(params: InstallParams): Promise<InstallResult | undefined> {
  const started = performance.now();
  const { lock, dependencies, storeDir } = params;
  if (!lock) return undefined;
  const done = (): InstallResult => ({
    lock,
    modulePath: join(storeDir, 'node_modules'),
    installed: Object.fromEntries(Object.keys(dependencies).map((n) => [n, lock[`node_modules/${n}`]!.version])),
    fetched: 0,
    durationMs: performance.now() - started,
    offline: false,
  });
  if (await storeMatches(storeDir, dependencies, lock)) return done();
  const storesRoot = dirname(storeDir);
  let siblings: string[] = [];
  try {
    siblings = (await readdir(storesRoot)).map((d) => join(storesRoot, d)).filter((d) => d !== storeDir);
  } catch {
    return undefined;
  }
  for (const other of siblings) {
    if (!(await storeMatches(other, dependencies, lock))) continue;
    await cp(join(other, 'node_modules'), join(storeDir, 'node_modules'), { recursive: true, force: true, verbatimSymlinks: true });
    if (await storeMatches(storeDir, dependencies, lock)) return done();
  }
  return undefined;
}
