/**
 * A notebook's tree resolved without arborist's ideal-tree build. With every packument at hand (a new notebook whose
 * packages another notebook already fetched), arborist took 150–210 ms of the installer's main thread to build the
 * tree of the six packages issue 17 measures; this places the same packages in ~40 ms, and a new notebook's install
 * without a lock went from 329 to 247 ms (medians of 7 interleaved pairs). A cold install is bounded by the packuments'
 * arrival instead, and is unchanged. It places the versions pacote picks (the pick arborist makes: `latest` when it
 * fits, else the highest that does, engines and `before` respected) as npm's hoisting does, and hands the result to
 * arborist as a lock: arborist loads it, checks every edge of it (a wrong one it resolves again itself) and the
 * platform of every package, so npm's semantics stay arborist's.
 *
 * Only what npm's hoisting decides plainly is resolved here: registry ranges, versions and tags, prod, optional and
 * peer dependencies. Anything else (an alias, git, file or URL spec, bundled dependencies, a shrinkwrap, a bin folder,
 * a package without a sha512, a peer that cannot sit where its dependent sees it) is a `problem`, and arborist
 * resolves the whole tree as before. Pure but for `manifestOf`.
 */
import npa from 'npm-package-arg';
import { checkEngine, checkPlatform } from 'npm-install-checks';
import semver from 'semver';
import type { DependencyLock } from '../protocol';
import { lockFromTree } from './lockfile';

/** The fields of a picked version this reads (pacote's manifest). */
export interface LeanManifest {
  name: string;
  version: string;
  _resolved?: string;
  _integrity?: string;
  _hasShrinkwrap?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  acceptDependencies?: Record<string, string>;
  bundleDependencies?: unknown;
  bundledDependencies?: unknown;
  directories?: { bin?: unknown };
}

/** The version of `name` that `spec` picks (pacote.manifest with the install's options); rejects when there is none. */
export type ManifestOf = (name: string, spec: string) => Promise<LeanManifest>;

export type LeanResult = { lock: DependencyLock } | { problem: string };

type EdgeType = 'prod' | 'optional' | 'peer' | 'peerOptional';

interface Edge {
  name: string;
  spec: string;
  type: EdgeType;
  /** The spec as npm reads it, once read (null: not a registry spec). */
  parsed?: npa.Result | null;
}

interface LeanNode {
  location: string;
  depth: number;
  parent?: LeanNode;
  children: Map<string, LeanNode>;
  manifest?: LeanManifest;
  edges: Edge[];
}

/** What made the resolution stop: arborist resolves the tree instead. */
class Problem extends Error {}

const HAS_SHA512 = /(^|\s)sha512-/;
// arborist orders its work with this collation (@isaacs/string-locale-compare 'en')
const compare = new Intl.Collator('en').compare;

/**
 * Resolves `dependencies` (the store's package.json) into the lock of a hoisted tree, or says why it leaves the tree
 * to arborist. Packages for another platform, and what only they need, are left out, as arborist's install leaves them.
 */
export async function leanResolve(dependencies: Record<string, string>, manifestOf: ManifestOf, nodeVersion = process.version): Promise<LeanResult> {
  const picks = new Map<string, Promise<{ m: LeanManifest } | { err: unknown }>>();
  const pick = (edge: Edge) => {
    const key = `${edge.name}@${edge.spec}`;
    let p = picks.get(key);
    if (!p) {
      p = manifestOf(edge.name, edge.spec).then(
        (m) => ({ m }),
        (err: unknown) => ({ err }),
      );
      picks.set(key, p);
    }
    return p;
  };
  // every registry edge of a node is asked for as soon as the node is placed, so the picks run in parallel (any other
  // spec ends the resolution when its turn comes: it is never fetched here)
  const askAhead = (node: LeanNode) => node.edges.filter((e) => e.type !== 'peerOptional' && registrySpec(e)).forEach((e) => void pick(e));

  const root: LeanNode = { location: '', depth: 0, children: new Map(), edges: edgesOf({ dependencies }, false) };
  const placed: LeanNode[] = [];
  try {
    askAhead(root);
    const queue = [root];
    while (queue.length) {
      queue.sort((a, b) => a.depth - b.depth || compare(a.location, b.location));
      const node = queue.shift()!;
      for (const edge of [...node.edges].sort((a, b) => compare(a.name, b.name))) {
        // arborist leaves a missing optional peer out, and keeps an invalid one when it is not saving (a notebook's store)
        if (edge.type === 'peerOptional') continue;
        parse(edge);
        const found = resolve(node, edge.name);
        if (found && valid(found, edge)) continue;
        const picked = await pick(edge);
        if ('err' in picked) {
          if (edge.type === 'optional') continue;
          throw new Problem(`${edge.name}@${edge.spec || '*'} could not be resolved here`);
        }
        const m = picked.m;
        if (edge.type === 'optional' && !installableHere(m, nodeVersion)) continue;
        checkStorable(m, edge);
        const child = place(node, edge, found, m);
        placed.push(child);
        queue.push(child);
        askAhead(child);
      }
    }
    checkEdges(root, placed);
  } catch (err) {
    if (err instanceof Problem) return { problem: err.message };
    throw err;
  }
  return { lock: lockOf(placed) };
}

/** A node's edges as arborist makes them: peers first, then dependencies and optional ones, a later kind replacing an earlier. */
function edgesOf(m: Pick<LeanManifest, 'dependencies' | 'optionalDependencies' | 'peerDependencies' | 'peerDependenciesMeta'>, peers = true): Edge[] {
  const edges = new Map<string, Edge>();
  const add = (deps: Record<string, string> | undefined, type: (name: string) => EdgeType) => {
    for (const [name, spec] of Object.entries(deps ?? {})) edges.set(name, { name, spec: typeof spec === 'string' ? spec : '', type: type(name) });
  };
  if (peers) add(m.peerDependencies, (name) => (m.peerDependenciesMeta?.[name]?.optional ? 'peerOptional' : 'peer'));
  add(m.dependencies, () => 'prod');
  add(m.optionalDependencies, () => 'optional');
  return [...edges.values()];
}

/** The node `name` resolves to from `node` (its own node_modules first, then each folder above), as Node's require finds it. */
function resolve(node: LeanNode, name: string): LeanNode | undefined {
  for (let at: LeanNode | undefined = node; at; at = at.parent) {
    const hit = at.children.get(name);
    if (hit) return hit;
  }
  return undefined;
}

/** arborist's depValid for the registry specs this resolves (any other spec is a problem). */
function valid(node: LeanNode, edge: Edge): boolean {
  return acceptsVersion(edge, node.manifest!.version);
}

/** The edge's spec when it is a registry range, version or tag (the only ones resolved here). */
function registrySpec(edge: Edge): npa.Result | undefined {
  if (edge.parsed === undefined) {
    try {
      const spec = npa.resolve(edge.name, edge.spec || '*');
      edge.parsed = spec.type === 'range' || spec.type === 'version' || spec.type === 'tag' ? spec : null;
    } catch {
      edge.parsed = null;
    }
  }
  return edge.parsed ?? undefined;
}

function parse(edge: Edge): npa.Result {
  const spec = registrySpec(edge);
  if (!spec) throw new Problem(`${edge.name}@${edge.spec} is not a registry range, version or tag`);
  return spec;
}

/**
 * npm-install-checks' engines, os, cpu and libc rules, checked as arborist checks an optional package (against the Node
 * the packages will run on, InstallParams.nodeVersion): it leaves one out that fails them.
 */
function installableHere(m: LeanManifest, nodeVersion: string): boolean {
  try {
    checkEngine(m, undefined, nodeVersion, false);
    checkPlatform(m, false);
    return true;
  } catch {
    return false;
  }
}

/** A package whose install is arborist's alone (the fast path would hand its tree to arborist's reify anyway). */
function checkStorable(m: LeanManifest, edge: Edge): void {
  const what = `${m.name}@${m.version}`;
  if (m.name !== edge.name) throw new Problem(`${edge.name} resolves to a package named ${m.name}`);
  const bundled = m.bundleDependencies ?? m.bundledDependencies;
  if (bundled === true || (Array.isArray(bundled) && bundled.length)) throw new Problem(`${what} bundles dependencies`);
  if (m._hasShrinkwrap) throw new Problem(`${what} has a shrinkwrap`);
  if (m.directories?.bin) throw new Problem(`${what} names a bin folder`);
  if (m.acceptDependencies && Object.keys(m.acceptDependencies).length) throw new Problem(`${what} accepts other dependencies`);
  if (!m._resolved || !/^https?:\/\//.test(m._resolved)) throw new Problem(`${what} is not a registry tarball`);
  if (!m._integrity || !HAS_SHA512.test(m._integrity)) throw new Problem(`${what} has no sha512 integrity`);
}

/**
 * Places `m` for `edge` of `from` as high as npm's hoisting would: the highest folder on the way up from `from` (for a
 * peer, from its parent) that holds no package of that name, below the one whose copy does not fit (`found`), where
 * no package that already sees another copy from there would then see one it does not accept, and where the new
 * package's own peers, if already there, fit.
 */
function place(from: LeanNode, edge: Edge, found: LeanNode | undefined, m: LeanManifest): LeanNode {
  const chain: LeanNode[] = [];
  for (let at: LeanNode | undefined = edge.type === 'peer' ? from.parent : from; at; at = at.parent) chain.unshift(at);
  const start = found ? chain.indexOf(found.parent!) + 1 : 0;
  if (found && start === 0) throw new Problem(`${edge.name}@${edge.spec}: the copy in the way is not above its dependent`);
  const newEdges = edgesOf(m);
  for (const target of chain.slice(start)) {
    if (target.children.has(edge.name)) continue;
    if (!shadowsNothing(target, edge.name, m.version)) continue;
    if (!peersFit(target, newEdges)) continue;
    const location = `${target.location ? `${target.location}/` : ''}node_modules/${edge.name}`;
    const node: LeanNode = { location, depth: target.depth + 1, parent: target, children: new Map(), manifest: m, edges: newEdges };
    target.children.set(edge.name, node);
    return node;
  }
  throw new Problem(`no place in the tree fits ${m.name}@${m.version} for ${from.location || 'the notebook'}`);
}

/** Every package under `target` (and `target` itself) that sees another copy of `name` from above accepts `version`. */
function shadowsNothing(target: LeanNode, name: string, version: string): boolean {
  const walk = (node: LeanNode): boolean => {
    if (node !== target && node.children.has(name)) return true; // sees its own copy below the new one
    for (const edge of node.edges) {
      if (edge.name !== name || edge.type === 'peerOptional') continue;
      if (resolve(node, name) && !acceptsVersion(edge, version)) return false;
    }
    for (const child of node.children.values()) if (!walk(child)) return false;
    return true;
  };
  return walk(target);
}

/** Any registry copy for a tag, anything for `*`, else what the range accepts (loosely, as npm reads it). */
function acceptsVersion(edge: Edge, version: string): boolean {
  const spec = parse(edge);
  if (spec.type === 'tag' || (spec.type === 'range' && spec.fetchSpec === '*')) return true;
  return semver.satisfies(version, spec.fetchSpec!, true);
}

/** The new package's peers, seen from where it would sit, fit when they are there already. */
function peersFit(target: LeanNode, edges: Edge[]): boolean {
  for (const edge of edges) {
    if (edge.type !== 'peer') continue;
    const there = resolve(target, edge.name);
    if (there && !valid(there, edge)) return false;
  }
  return true;
}

/** Every edge of the finished tree resolves to a package it accepts (the lock arborist loads must need no repair). */
function checkEdges(root: LeanNode, placed: LeanNode[]): void {
  for (const node of [root, ...placed]) {
    for (const edge of node.edges) {
      if (edge.type === 'peerOptional') continue;
      const to = resolve(node, edge.name);
      if (!to) {
        if (edge.type === 'optional') continue;
        throw new Problem(`${node.location || 'the notebook'} does not see ${edge.name}`);
      }
      if (!valid(to, edge)) throw new Problem(`${node.location || 'the notebook'} sees ${edge.name}@${to.manifest!.version}, not ${edge.spec}`);
    }
  }
}

/** The lock, written by the same code as the lock of arborist's tree (lockfile.ts). */
function lockOf(placed: LeanNode[]): DependencyLock {
  return lockFromTree(
    placed.map(({ location, manifest: m }) => ({ location, version: m!.version, resolved: m!._resolved, integrity: m!._integrity, package: m })),
  );
}
