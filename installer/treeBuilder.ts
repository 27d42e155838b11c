/**
 * One install's tree, built in the staging folder: arborist resolves it (on the fast path without a lock, from the
 * lock of the tree leanResolve.ts placed, when it could), then either CodaJS builds it from the shared
 * content store (materializeTree.ts: the fast path, for trees whose install scripts do not run, off Windows) or
 * arborist's reify extracts it (everything else: scripts, links, bundled dependencies, shrinkwraps, and a package the
 * fast path cannot store). Before arborist has resolved anything, the builder runs ahead of it: every packument the
 * tree is likely to need is requested at once (prefetchPackuments.ts) and, on the fast path, each likely package's
 * tarball is written into the content store as soon as its version is known (entryWriter.ts), so that downloading
 * and writing files overlap resolving.
 */
import Arborist from '@npmcli/arborist';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pacote from 'pacote';
import type { DependencyLock } from '../protocol';
import { contentRootFor } from '../host/deps/contentStore';
import { stagingDirFor } from '../host/deps/atomicStore';
import { commitTree, linkToTree, STORE_NAME, treeDirFor, treeKey, verifiedTree, writeStorePackage } from '../host/deps/sharedTree';
import { nameAt } from '../host/deps/lockPolicy';
import { hasOwnTypes, type PackageLook } from './acquireTypes';
import { EntryWriter, UnsupportedTarball, type TarballSource } from './entryWriter';
import { leanResolve, type LeanManifest } from './leanResolve';
import { packageLockFor } from './lockfile';
import { fastPathProblem, materializeTree, registryResolved, type Tree } from './materializeTree';
import type { PhaseClock } from './phaseClock';
import { isRegistrySpec, packumentAhead, prefetchPackuments } from './prefetchPackuments';

const HAS_SHA512 = /(^|\s)sha512-/;

/** Packuments remembered across installs (the in-memory tier of the installer process). */
const packumentCache = new Map<string, unknown>();

export interface BuildContext {
  staging: string;
  cacheDir: string;
  /** The npm config as fetch options (registry, scoped registries, auth, TLS). */
  opts: Record<string, unknown>;
  lock: DependencyLock | undefined;
  /** The lock covers every direct dependency: arborist installs exactly it. */
  locked: boolean;
  /** The fast path may build the tree (no install scripts will run, not Windows). */
  fast: boolean;
  /** How install scripts run for this install (installAccess.scriptMode), recorded with a shared tree. */
  scripts: string;
  /**
   * A tree this install builds may be shared (sharedTree.ts). Only an install that looked for the editor's types
   * shares one: a notebook's lock comes from such an install, and the tree of exactly that lock is taken to hold the
   * types it needs (storeReuse.ts). One without the types still links a shared tree that is there.
   */
  share: boolean;
  clock: PhaseClock;
  progress: (message: string) => void;
}

export interface BuiltTree {
  tree: Tree;
  /** Built by the fast path: every package is linked from the content store except these locations (own files). */
  own?: string[];
}

export class TreeBuilder {
  private writers = new Map<boolean, EntryWriter>();
  /** HTTP cache writes of packuments fetched ahead, still going on. */
  private readonly cacheWrites: Promise<void>[] = [];
  /** pacote's picks online, by `name@spec`: the walk ahead and the lean resolution ask for the same ones. */
  private readonly picks = new Map<string, Promise<unknown>>();

  constructor(private readonly ctx: BuildContext) {}

  /** Waits for the HTTP cache writes of the packuments fetched ahead (so the cache holds what the install used). */
  async cached(): Promise<void> {
    await Promise.all(this.cacheWrites);
  }

  /** Stops what the install started (the file thread; fetches ahead of arborist that are still running fail quietly). */
  dispose(): void {
    for (const w of this.writers.values()) w.dispose();
  }

  /** Types can be decided before the tree is built: from the lock, or (fast path) from the tarballs fetched ahead. */
  get guessesTypes(): boolean {
    return this.ctx.fast || this.ctx.locked;
  }

  /** What arborist hands pacote, here for the packuments and tarballs fetched ahead of it. */
  fetchOpts(offline: boolean): Record<string, unknown> {
    return { ...this.ctx.opts, cache: this.ctx.cacheDir, offline, preferOffline: this.ctx.locked };
  }

  /** The options of a pacote call that reads packuments the way arborist does (from the same in-memory tier). */
  packumentOpts(offline: boolean): Record<string, unknown> {
    return { ...this.fetchOpts(offline), fullMetadata: true, packumentCache };
  }

  private writer(offline: boolean): EntryWriter {
    let w = this.writers.get(offline);
    if (!w) this.writers.set(offline, (w = new EntryWriter(contentRootFor(this.ctx.cacheDir), this.fetchOpts(offline))));
    return w;
  }

  /**
   * Starts fetching ahead of arborist: with a lock, every locked tarball (on the fast path); without one, every
   * likely packument, and on the fast path the tarball of each likely version. Never fails an install.
   */
  runAhead(dependencies: Record<string, string>): void {
    const { fast, locked, lock } = this.ctx;
    const writer = this.writer(false);
    const speculate = (source: TarballSource) => {
      if (!fast || !HAS_SHA512.test(source.integrity) || !/^https?:\/\//.test(source.resolved)) return;
      writer.ensure({ ...source, resolved: registryResolved(source.resolved, this.ctx.opts) }).stored.catch(() => undefined);
    };
    if (locked) {
      for (const [location, e] of Object.entries(lock!)) {
        const name = e.name ?? nameAt(location);
        if (name) speculate({ name, resolved: e.resolved, integrity: e.integrity });
      }
      return;
    }
    // the first level's packuments come first (the largest are there, and the whole tree waits for them): the tarballs
    // below it start when they are in
    let firstLevelIn = () => undefined as void;
    const firstLevel = new Promise<void>((resolve) => (firstLevelIn = resolve));
    void prefetchPackuments(
      dependencies,
      this.fetchOpts(false),
      packumentCache,
      {
        manifest: (m, direct) => {
          if (!m._resolved || !m._integrity) return;
          const source = { name: m.name, resolved: m._resolved, integrity: m._integrity };
          if (direct) speculate(source);
          else void firstLevel.then(() => speculate(source));
        },
        firstLevel: firstLevelIn,
        cached: (done) => this.cacheWrites.push(done),
      },
      (name, range) => this.pick(name, range, true),
    );
  }

  /**
   * pacote's pick of `name@spec` online, once per install. Its packument is fetched as the walk ahead fetches it
   * (over HTTP/2 when the registry speaks it) unless it is on its way: the lean resolution, which may ask before the
   * walk reached a package, never makes pacote fetch it through npm's fetch layer as well. A failure is not kept: the
   * next ask fetches again and hears the error itself.
   */
  private pick(name: string, spec: string, fetched = false): Promise<unknown> {
    const id = `${name}@${spec || '*'}`;
    let picked = this.picks.get(id);
    if (!picked) {
      // (`fetched`: the walk ahead, which asks once the packument is in the cache)
      const ahead = !fetched && isRegistrySpec(name, spec) ? this.packumentAhead(name) : Promise.resolve();
      const p = ahead.then(() => pacote.manifest(id, this.packumentOpts(false) as pacote.Options & { fullMetadata: true }));
      this.picks.set(id, (picked = p));
      p.catch(() => this.picks.get(id) === p && this.picks.delete(id));
    }
    return picked;
  }

  /** One packument on its way into the packument cache, as the walk ahead fetches them (a failure is left to the next ask). */
  packumentAhead(name: string): Promise<void> {
    return packumentAhead(name, this.fetchOpts(false), packumentCache, (done) => this.cacheWrites.push(done)).then(
      () => undefined,
      () => undefined,
    );
  }

  /**
   * A direct dependency as its range resolves now, for guessing its types before the install: the package.json and
   * files of that version (fields first: a package that names its types needs no tarball). Undefined when unknown.
   */
  async look(name: string, range: string, offline: boolean): Promise<PackageLook | undefined> {
    if (!isRegistrySpec(name, range)) return undefined;
    try {
      const m = (await pacote.manifest(`${name}@${range}`, this.packumentOpts(offline) as pacote.Options & { fullMetadata: true })) as unknown as {
        version: string;
        _resolved?: string;
        _integrity?: string;
      } & PackageLook['pkg'];
      if (hasOwnTypes(m ?? {}, () => false)) return { pkg: m, files: new Set() };
      if (!this.ctx.fast || !m._resolved || !m._integrity || !HAS_SHA512.test(m._integrity)) return undefined;
      const listing = await this.writer(offline).ensure({ name, resolved: registryResolved(m._resolved, this.ctx.opts), integrity: m._integrity }, true)
        .listing;
      return listing && { pkg: listing.pkg as PackageLook['pkg'], files: listing.files };
    } catch {
      return undefined;
    }
  }

  /**
   * Builds the tree of `dependencies` in staging. `fresh`: from an empty staging folder; otherwise over the tree
   * arborist's reify left there (only the difference is extracted).
   */
  async build(dependencies: Record<string, string>, offline: boolean, fresh = true): Promise<BuiltTree> {
    const { clock } = this.ctx;
    await this.prepare(dependencies, fresh);
    // the fast path builds in an empty folder only
    if (!this.ctx.fast || !fresh) return { tree: (await clock.time('arborist reify', () => this.arborist(offline).reify({ save: false }))) as unknown as Tree };
    // without a lock, the tree CodaJS places is the lock arborist loads (and checks)
    if (!this.ctx.locked) await clock.time('resolve', () => this.resolveLean(dependencies, offline));
    let arb = this.arborist(offline);
    const ideal = (await arb.buildIdealTree()) as unknown as Tree;
    const problem = fastPathProblem(ideal);
    if (!problem) {
      try {
        const { own } = await clock.time('build from the content store', () => this.materialize(ideal, offline));
        return { tree: ideal, own };
      } catch (err) {
        if (!(err instanceof UnsupportedTarball)) throw err;
        this.ctx.progress(`arborist installs this tree: ${err.message}`);
        // the half-built folder and the tree it changed are dropped: arborist starts again
        await this.prepare(dependencies, true);
        arb = this.arborist(offline);
      }
    } else this.ctx.progress(`arborist installs this tree: ${problem}`);
    return { tree: (await clock.time('arborist reify', () => arb.reify({ save: false }))) as unknown as Tree };
  }

  /**
   * The fast path's tree: shared with every notebook whose tree is the same (sharedTree.ts) when all its packages are
   * in the content store, linked into staging (built first unless a verified one is there); else built in staging.
   */
  private async materialize(ideal: Tree, offline: boolean): Promise<{ own: string[] }> {
    const { staging, cacheDir, scripts, clock } = this.ctx;
    const packages = [...ideal.inventory.values()].filter((n) => !n.isRoot && !n.inert);
    const key = treeKey(packages);
    if (!key) return materializeTree(ideal, this.writer(offline), this.fetchOpts(offline));
    const dir = treeDirFor(cacheDir, key);
    const there = await verifiedTree(dir, packages, scripts);
    if (!there && !this.ctx.share) return materializeTree(ideal, this.writer(offline), this.fetchOpts(offline));
    if (!there) {
      const built = stagingDirFor(dir);
      await mkdir(built, { recursive: true });
      const { linked } = await clock.time('(build) packages linked', () => materializeTree(ideal, this.writer(offline), this.fetchOpts(offline), built));
      await clock.time('(build) tree described and sealed', () => commitTree(built, dir, packages, scripts, linked));
    }
    await rm(join(staging, 'node_modules'), { recursive: true, force: true });
    linkToTree(staging, dir);
    return { own: [] };
  }

  /**
   * Resolves the tree without arborist's ideal-tree build (leanResolve.ts) and leaves it in staging as the lock arborist
   * then loads and checks; a tree that needs arborist's own resolution is left to it.
   */
  private async resolveLean(dependencies: Record<string, string>, offline: boolean): Promise<void> {
    const opts = this.packumentOpts(offline) as pacote.Options & { fullMetadata: true };
    const pick = (name: string, spec: string) => (offline ? pacote.manifest(`${name}@${spec || '*'}`, opts) : this.pick(name, spec)) as Promise<LeanManifest>;
    const result = await leanResolve(dependencies, pick, this.ctx.opts.nodeVersion as string | undefined).catch((err: unknown) => ({
      problem: `CodaJS's own resolution failed (${(err as Error)?.message ?? String(err)})`,
    }));
    if ('problem' in result) {
      this.ctx.progress(`arborist resolves this tree: ${result.problem}`);
      return;
    }
    const lock = packageLockFor(STORE_NAME, dependencies, result.lock);
    await writeFile(join(this.ctx.staging, 'package-lock.json'), JSON.stringify(lock, null, 2));
  }

  private async prepare(dependencies: Record<string, string>, fresh: boolean): Promise<void> {
    const { staging, locked, lock } = this.ctx;
    if (fresh) {
      // each attempt starts from an empty staging folder: a failed one may have left files behind
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
    }
    await writeStorePackage(staging, dependencies);
    if (locked) await writeFile(join(staging, 'package-lock.json'), JSON.stringify(packageLockFor(STORE_NAME, dependencies, lock!), null, 2));
  }

  private arborist(offline: boolean): Arborist {
    return new Arborist({
      path: this.ctx.staging,
      cache: this.ctx.cacheDir,
      ...this.ctx.opts,
      packumentCache,
      // scripts run after the tree is extracted and checked, confined (runInstallScripts), never inside arborist
      ignoreScripts: true,
      audit: false,
      fund: false,
      save: false,
      offline,
      preferOffline: this.ctx.locked,
    } as ConstructorParameters<typeof Arborist>[0]);
  }
}
