/**
 * The notebook's own modules (local files outside node_modules), as cells import and require them: the hooks of
 * localModuleHooks.ts installed before the first one (their versions, the notebook's packages, TypeScript), and the
 * store's folders in CommonJS's global paths. As they are on disk now: a cell that imports or
 * requires a helper file edited since the kernel loaded it gets the new version, and so does a module that imports
 * it; unchanged modules stay the instances cells hold. ES modules are versioned by the resolve hook of
 * localModuleHooks.ts, installed before the first import of a local file (Node >= 22.15 on the main thread, older Node
 * in its hooks thread); CommonJS modules, which Node keeps in require.cache by file name, are dropped from it here
 * when their file, or a local module they require, changed. Packages are never reloaded.
 *
 * Bun keeps ES modules in require.cache too, without what they import: when any module a cell loaded changed, all of
 * them are dropped, and the next import loads each again. Deno has neither a resolve hook nor a way to drop an ES
 * module: the module a cell imports directly is loaded again under a URL of its own when its file changed, and what
 * that module imports stays the version first loaded (docs/runtimes.md).
 */
import type nodeModule from 'node:module';
import { statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inNodeModules } from '../../common/modulePathCandidates';
import { CHANGED_PARAM, VERSION_PARAM, decoratorsInUse, initialize, load as freshLoad, resolve as freshResolve, stampOf } from './localModuleHooks';
import { getBuiltin } from '../runtime/getBuiltin';

type ModuleApi = typeof nodeModule & {
  registerHooks?: (hooks: { resolve: typeof freshResolve; load: typeof freshLoad }) => unknown;
  register?: (specifier: string, options: { data: Parameters<typeof initialize>[0] }) => void;
  _initPaths?: () => void;
};
// taken before a notebook's permissions replace module.register for cells (realmGuards.ts)
const api = getBuiltin('node:module') as ModuleApi;
const registerHooks = api.registerHooks?.bind(api);
const register = api.register?.bind(api);

/** The hook as its own file (scripts/build.mjs), for a Node that runs hooks in a thread of their own. */
const HOOKS_FILE = join(__dirname, 'module-hooks.js');

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * CommonJS's own lookup for a package a local module requires that its folders lack: the store's node_modules folders,
 * as NODE_PATH names them for Node, read once into its global paths (the variable itself is left as it was, so cells
 * and the programs they start do not see it).
 */
function requireFromStores(folders: string[]): void {
  if (typeof api._initPaths !== 'function') return;
  const before = process.env.NODE_PATH;
  try {
    process.env.NODE_PATH = [...(before ? before.split(delimiter) : []), ...folders].join(delimiter);
    api._initPaths();
  } catch {
    // an environment the notebook's permissions guard: CommonJS helpers find the packages of their own folders only
  } finally {
    if (before === undefined) delete process.env.NODE_PATH;
    else process.env.NODE_PATH = before;
  }
}

/** A relative or absolute module path, or a file: URL: the notebook's own module, never a package. */
export const isLocalSpecifier = (spec: string) => spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('file:');

/**
 * How a runtime loads an ES module again: Node through the resolve hook, Bun by dropping it from require.cache,
 * Deno only for the module a cell imports directly (a URL of its own).
 */
export type Reload = 'hooks' | 'cache' | 'direct';

export class LocalModules {
  private hooked = false;
  /** Deno: the modules cells imported directly, by URL, with the stamp and version they were loaded at. */
  private readonly direct = new Map<string, { stamp: string; version: number }>();
  private lastVersion = 0;
  /** Deno: when a cell first imported a local module (what it imports may have been loaded from then on). */
  private firstImport: number | undefined;
  /** CommonJS modules cells loaded, by file name: the file's stamp when it was first seen loaded. */
  private readonly stamps = new Map<string, string>();
  /** What require.cache held before any cell ran (the kernel's own modules). */
  private readonly own: Set<string>;

  constructor(
    private readonly cache: NodeJS.Dict<NodeJS.Module>,
    private readonly reload: Reload = 'hooks',
    private readonly load: (file: string) => unknown = () => undefined,
    /** The dependency store folders: where a package a local module imports is looked up after its own folders. */
    private readonly packageRoots: string[] = [],
  ) {
    this.own = new Set(Object.keys(cache));
  }

  /**
   * The specifier to import for a cell's local `spec` (on Deno and Bun a file: URL): on Node, the hook in place and
   * the changed CommonJS modules dropped and named to it.
   */
  beforeImport(spec: string): string {
    if (this.reload === 'direct') return this.directVersion(spec);
    if (this.reload === 'cache') {
      if (this.dropChanged().length > 0) this.dropAll();
      return spec;
    }
    this.hook();
    const dropped = this.dropChanged();
    if (dropped.length === 0) return spec;
    // Node 22 and later give a CommonJS module an ES module imports a `require` of their ES module map, which holds
    // on to what it required first: loaded again here, those are what it finds
    for (const file of dropped) {
      try {
        this.load(file);
      } catch {
        delete this.cache[file]; // the cell's own import meets the error where it can show it
      }
    }
    this.afterLoad();
    const param = `${CHANGED_PARAM}=${encodeURIComponent(JSON.stringify(dropped))}`;
    const hash = spec.indexOf('#');
    const [path, fragment] = hash === -1 ? [spec, ''] : [spec.slice(0, hash), spec.slice(hash)];
    return `${path}${path.includes('?') ? '&' : '?'}${param}${fragment}`;
  }

  /** Before a cell's `require` of a local file: changed CommonJS modules dropped from require.cache. */
  beforeRequire(): void {
    if (this.reload === 'hooks') this.hook();
    this.dropChanged();
  }

  /** After a cell's import or require: the CommonJS modules it loaded are stamped. */
  afterLoad(): void {
    for (const file of Object.keys(this.cache)) {
      if (!this.stamps.has(file) && this.isCells(file)) this.stamps.set(file, stampOf(file));
    }
  }

  private isCells(file: string): boolean {
    return !this.own.has(file) && !inNodeModules(file) && isAbsolute(file);
  }

  private dropAll(): void {
    for (const file of this.stamps.keys()) delete this.cache[file];
    this.stamps.clear();
  }

  /** Deno: `url` again while its file is unchanged, else the next version of it (`?coda-v=N`). */
  private directVersion(url: string): string {
    this.dropChanged();
    let file: string;
    try {
      file = fileURLToPath(url);
    } catch {
      return url;
    }
    if (inNodeModules(file)) return url;
    const stamp = stampOf(file);
    const known = this.direct.get(url);
    // a file first imported directly now may have been loaded (imported by another) before it changed
    const changedSince = (this.firstImport ??= Date.now()) < mtimeOf(file);
    if (!known) this.direct.set(url, { stamp, version: changedSince ? ++this.lastVersion : 0 });
    else if (known.stamp !== stamp) this.direct.set(url, { stamp, version: ++this.lastVersion });
    const version = this.direct.get(url)!.version;
    if (version === 0) return url;
    const u = new URL(url);
    u.searchParams.set(VERSION_PARAM, String(version));
    return u.href;
  }

  private hook(): void {
    if (this.hooked) return;
    this.hooked = true;
    const data = { packageRoots: this.packageRoots, decorators: decoratorsInUse() };
    if (registerHooks) {
      initialize(data);
      registerHooks({ resolve: freshResolve, load: freshLoad });
    } else register?.(pathToFileURL(HOOKS_FILE).href, { data });
    if (this.packageRoots.length) requireFromStores(this.packageRoots.map((root) => join(root, 'node_modules')));
  }

  /** Drops every stamped CommonJS module whose file, or a local module it requires, changed; returns their files. */
  private dropChanged(): string[] {
    const dropped = new Set([...this.stamps].filter(([file, stamp]) => stamp !== stampOf(file)).map(([file]) => file));
    // then every module that requires one of them, to a fixed point (cycles included)
    for (let grew = dropped.size > 0; grew;) {
      grew = false;
      for (const file of this.stamps.keys()) {
        if (dropped.has(file) || !this.cache[file]?.children?.some((c) => dropped.has(c.filename))) continue;
        dropped.add(file);
        grew = true;
      }
    }
    for (const file of dropped) {
      this.stamps.delete(file);
      delete this.cache[file];
    }
    return [...dropped];
  }
}
