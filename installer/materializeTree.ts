/**
 * The fast path of an install. arborist resolves the tree (buildIdealTree: npm's semantics, peer and optional
 * dependencies, the platform checks that leave an optional package out, the registries and auth of the npm config);
 * CodaJS builds it instead of arborist's reify, because a notebook's store needs less than a project: every package
 * is linked from its content store entry (entryWriter.ts writes it from the tarball in one pass), nothing is extracted
 * twice, and arborist's hidden lockfile is written as reify writes it. Not done: `node_modules/.bin` links (only
 * install scripts use them, and a tree whose scripts run is built by arborist) and reify's bookkeeping for trees that
 * already exist (staging is always new).
 *
 * Trees outside what this builds exactly as arborist would are left to arborist's reify (`fastPathProblem`).
 */
import { mkdir } from 'node:fs/promises';
import type { LinkedFile } from '../host/deps/sharedTree';
import type { EntryWriter } from './entryWriter';
import pacote from 'pacote';

/** Packages linked at the same time (each links its files several at a time). */
const PACKAGES_AT_ONCE = 32;
/** The lockfile version arborist writes (its Shrinkwrap default). */
const LOCKFILE_VERSION = 3;
const HAS_SHA512 = /(^|\s)sha512-/;

/** What this module needs of an arborist node. */
export interface TreeNode {
  name: string;
  location: string;
  path: string;
  isRoot?: boolean;
  isLink?: boolean;
  inBundle?: boolean;
  hasShrinkwrap?: boolean;
  inert?: boolean;
  resolved?: string | null;
  integrity?: string | null;
  parent: TreeNode | null;
  package: { bundleDependencies?: unknown; bundledDependencies?: unknown; directories?: { bin?: unknown } };
}

export interface Tree extends TreeNode {
  realpath: string;
  inventory: Map<string, TreeNode>;
  meta?: { filename: string | null; hiddenLockfile: boolean; lockfileVersion: number; save(): Promise<unknown> };
}

/** Why arborist's reify must build this tree (undefined: the fast path builds it). */
export function fastPathProblem(tree: Tree): string | undefined {
  for (const node of tree.inventory.values()) {
    if (node.isRoot || node.inert) continue;
    const what = `${node.location}`;
    if (node.isLink) return `${what} is a link`;
    if (node.inBundle || bundles(node)) return `${what} bundles dependencies`;
    if (node.hasShrinkwrap) return `${what} has a shrinkwrap`;
    if (!node.resolved || !/^https?:\/\//.test(node.resolved)) return `${what} is not a registry tarball`;
    if (!node.integrity) return `${what} has no integrity`;
    if (node.package.directories?.bin) return `${what} names a bin folder`;
  }
  return undefined;
}

function bundles(node: TreeNode): boolean {
  const b = node.package.bundleDependencies ?? node.package.bundledDependencies;
  return b === true || (Array.isArray(b) && b.length > 0);
}

/**
 * Builds `tree` at `root` (an empty folder: the staging folder, or a shared tree's, sharedTree.ts) and writes its
 * hidden lockfile. Returns the locations of the packages with their own files (not shared: no sha512 to store them
 * by), and the files of the others as they were linked, by location (a shared tree's manifest). Throws
 * UnsupportedTarball when a package cannot be built this way (the caller leaves the tree to arborist).
 */
export async function materializeTree(
  tree: Tree,
  writer: EntryWriter,
  fetchOpts: Record<string, unknown>,
  root = tree.path,
): Promise<{ own: string[]; linked: Record<string, LinkedFile[]> }> {
  // arborist leaves out inert packages (an optional dependency for another platform), and drops them from the tree
  for (const node of [...tree.inventory.values()]) if (node.inert && !node.isRoot) node.parent = null;
  const nodes = [...tree.inventory.values()].filter((n) => !n.isRoot);
  const at = (node: TreeNode) => `${root}/${node.location}`;
  const source = (node: TreeNode) => ({ name: node.name, resolved: registryResolved(node.resolved!, fetchOpts), integrity: node.integrity! });
  // first, one at a time and parents first, the few old packages with only a sha1: their own files, extracted as arborist
  // extracts them (pacote empties the folder it extracts into); strengthenIntegrity gives them a sha512 afterwards
  const own = nodes.filter((n) => !HAS_SHA512.test(n.integrity!)).sort((a, b) => a.location.length - b.location.length);
  for (const node of own) {
    const { name, resolved, integrity } = source(node);
    await mkdir(at(node), { recursive: true });
    await pacote.extract(`${name}@${resolved}`, at(node), { ...fetchOpts, resolved, integrity } as pacote.Options);
  }
  // then every other package from its entry, several at a time
  const shared = nodes.filter((n) => HAS_SHA512.test(n.integrity!));
  const linked: Record<string, LinkedFile[]> = {};
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (next < shared.length && failed === undefined) {
      const node = shared[next++]!;
      try {
        const { entry, index } = await writer.ensure(source(node)).stored;
        linked[node.location] = await writer.link(entry, index, at(node));
      } catch (err) {
        failed ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PACKAGES_AT_ONCE, shared.length) }, worker));
  if (failed !== undefined) throw failed;
  await mkdir(`${root}/node_modules`, { recursive: true });
  if (tree.meta) {
    // as reify saves it: the tree's meta as node_modules/.package-lock.json
    tree.meta.filename = `${root}/node_modules/.package-lock.json`;
    tree.meta.hiddenLockfile = true;
    tree.meta.lockfileVersion = LOCKFILE_VERSION;
    await tree.meta.save();
  }
  return { own: own.map((n) => n.location), linked };
}

/**
 * The URL arborist asks pacote for (reify's #registryResolved with its default `replaceRegistryHost`): a tarball on
 * registry.npmjs.org is fetched from the configured registry.
 */
export function registryResolved(resolved: string, opts: Record<string, unknown>): string {
  try {
    const url = new URL(resolved);
    const registry = new URL(String(opts.registry));
    if (url.hostname !== 'registry.npmjs.org') return resolved;
    const registryPath = registry.pathname.replace(/\/$/, '');
    url.protocol = registry.protocol;
    url.hostname = registry.hostname;
    url.port = registry.port;
    if (registryPath && url.pathname !== registryPath && !url.pathname.startsWith(`${registryPath}/`)) url.pathname = registryPath + url.pathname;
    return url.toString();
  } catch {
    return resolved;
  }
}
