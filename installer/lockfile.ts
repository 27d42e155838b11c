/** The notebook's dependency lock <-> the store's package-lock.json (so a re-run installs exactly that). Pure. */
import type { DependencyLock, LockEntry } from '../protocol';

interface TreeNode {
  location: string;
  /** The name in the package's own package.json (differs from the folder's under an `npm:` alias). */
  packageName?: string;
  version?: string;
  resolved?: string | null;
  integrity?: string | null;
  isRoot?: boolean;
  isLink?: boolean;
  package?: Pick<LockEntry, 'dependencies' | 'optionalDependencies' | 'peerDependencies' | 'peerDependenciesMeta'>;
}

/** The lock of an installed tree (every package, by node_modules path). */
export function lockFromTree(nodes: Iterable<TreeNode>): DependencyLock {
  const lock: DependencyLock = {};
  for (const n of nodes) {
    if (n.isRoot || n.isLink || !n.location || !n.version) continue;
    const entry: DependencyLock[string] = { version: n.version, resolved: n.resolved ?? '', integrity: n.integrity ?? '' };
    const folderName = n.location.slice(n.location.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (n.packageName && n.packageName !== folderName) entry.name = n.packageName;
    if (n.package?.dependencies && Object.keys(n.package.dependencies).length) entry.dependencies = n.package.dependencies;
    if (n.package?.optionalDependencies && Object.keys(n.package.optionalDependencies).length) entry.optionalDependencies = n.package.optionalDependencies;
    if (n.package?.peerDependencies && Object.keys(n.package.peerDependencies).length) {
      entry.peerDependencies = n.package.peerDependencies;
      if (n.package.peerDependenciesMeta && Object.keys(n.package.peerDependenciesMeta).length) entry.peerDependenciesMeta = n.package.peerDependenciesMeta;
    }
    lock[n.location] = entry;
  }
  return Object.fromEntries(Object.entries(lock).sort(([a], [b]) => a.localeCompare(b)));
}

/** A package-lock.json (v3) that makes arborist install exactly the locked tree. */
export function packageLockFor(name: string, dependencies: Record<string, string>, lock: DependencyLock): object {
  const packages: Record<string, unknown> = { '': { name, dependencies } };
  for (const [location, e] of Object.entries(lock)) packages[location] = { ...e };
  return { name, lockfileVersion: 3, requires: true, packages };
}

/** True when every direct dependency is in the lock with a version its range accepts (checked by the caller). */
export function lockCovers(dependencies: Record<string, string>, lock: DependencyLock | undefined): boolean {
  return !!lock && Object.keys(dependencies).every((name) => lock[`node_modules/${name}`]);
}
