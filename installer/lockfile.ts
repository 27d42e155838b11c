/** The notebook's dependency lock <-> the store's package-lock.json (so a re-run installs exactly that). Pure. */
import type { DependencyLock } from '../protocol';

interface TreeNode {
  location: string;
  /** The name in the package's own package.json (differs from the folder's under an `npm:` alias). */
  packageName?: string;
  version?: string;
  resolved?: string | null;
  integrity?: string | null;
  isRoot?: boolean;
  isLink?: boolean;
  package?: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
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
    lock[n.location] = entry;
  }
  return Object.fromEntries(Object.entries(lock).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * A package-lock.json (v3) that makes arborist install exactly the locked tree; `more`: fields of a package-lock entry
 * the lock does not keep (a package's peers), by location.
 */
export function packageLockFor(name: string, dependencies: Record<string, string>, lock: DependencyLock, more: Record<string, object> = {}): object {
  const packages: Record<string, unknown> = { '': { name, dependencies } };
  for (const [location, e] of Object.entries(lock)) packages[location] = { ...e, ...more[location] };
  return { name, lockfileVersion: 3, requires: true, packages };
}

/** True when every direct dependency is in the lock with a version its range accepts (checked by the caller). */
export function lockCovers(dependencies: Record<string, string>, lock: DependencyLock | undefined): boolean {
  return !!lock && Object.keys(dependencies).every((name) => lock[`node_modules/${name}`]);
}
