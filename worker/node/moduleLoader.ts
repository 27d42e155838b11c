/**
 * `require` and `import` for cells, resolving like a script saved in the notebook's folder, then from the
 * dependency store folders (InitParams.modulePaths). ESM resolution uses Node's own loader with the right
 * referrer: a tiny script compiled with a filename inside the folder to resolve from.
 */
import { createRequire, isBuiltin } from 'node:module';
import { join } from 'node:path';
import type { ScriptOptions } from 'node:vm';
import { codaErrorMessage } from '../../protocol';
import { getBuiltin } from '../runtime/getBuiltin';
import { LocalModules, isLocalSpecifier } from './LocalModules';
import { findSyntaxError, siteOf, withSite } from './moduleSyntaxSite';

const vm = getBuiltin('node:vm') as typeof import('node:vm');

/** Node's main-context loader for vm scripts (Node >= 20.12 / 21.7). */
export const importOptions: Pick<ScriptOptions, 'importModuleDynamically'> = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER
  ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }
  : {};

/** `import(specifier, options)` as a cell wrote it: options carry its import attributes (`{ with: { type: 'json' } }`). */
export type Importer = (specifier: string, options?: ImportCallOptions) => Promise<unknown>;

function importerFrom(folder: string): Importer {
  const script = new vm.Script('(specifier, options) => import(specifier, options)', { filename: join(folder, IMPORT_FILE), ...importOptions });
  return script.runInThisContext() as Importer;
}

/** A TypeScript module's path (a query or fragment after it too). */
const TS_FILE = /\.(?:ts|mts|cts|tsx)(?:[?#].*)?$/i;

/**
 * A `require` of a `.ts` module on a runtime that cannot strip types (`process.features.typescript`: Node 20 has none,
 * Node 24 strips them, Deno and Bun transform them) fails here in words: Node 20 said "Unknown file extension", and a
 * `require` after that "not yet fully loaded … a bug in Node.js". An `import` of one loads (localModuleHooks.ts).
 */
function refuseTypeScriptFile(spec: string): void {
  if (!TS_FILE.test(spec) || (process.features as { typescript?: unknown }).typescript) return;
  const err = new Error(codaErrorMessage('TypeScriptFileUnsupported', { runtime: `Node ${process.version}`, spec: JSON.stringify(spec) }));
  // the name as an Error's own is: not listed among the error's properties
  Object.defineProperty(err, 'name', { value: 'ImportError', enumerable: false, configurable: true, writable: true });
  throw Object.assign(err, { code: 'TypeScriptFileUnsupported' });
}

/** A helper that does not parse, where the error says neither which file nor where (Node's ES modules, Deno's require). */
function withSyntaxSite(err: unknown, cwd: string, spec: string): unknown {
  if (!(err instanceof SyntaxError) || siteOf(err as unknown as Record<string, unknown>)) return err;
  const site = findSyntaxError(cwd, spec);
  if (site) err.stack = withSite(err.stack ?? `${err.name}: ${err.message}`, site);
  return err;
}

const isBare = (spec: string) => !spec.startsWith('.') && !spec.startsWith('/') && !/^[a-z]+:/i.test(spec) && !isBuiltin(spec);
const REQUIRE_FILE = '__coda_require__.js';
const IMPORT_FILE = '__coda_import__.js';
/** The files cells' require and import resolve from (never there): frames in them are the kernel's, not the user's. */
export const RESOLVER_FILE = /[\\/]__coda_(?:require|import)__\.js$/;

/**
 * Whether `id` itself is missing from where it was looked up — not a module that `id` itself requires or imports
 * (a package whose own loading fails must show that error, not "Cannot find module '<the package>'").
 */
function missingItself(err: unknown): boolean {
  const e = err as { code?: unknown; requireStack?: unknown; message?: unknown } | null;
  if (e?.code === 'MODULE_NOT_FOUND') {
    const stack = Array.isArray(e.requireStack) ? (e.requireStack as unknown[]) : [];
    return stack.length === 1 && String(stack[0]).endsWith(REQUIRE_FILE);
  }
  // "Cannot find package 'x' imported from <folder>/__coda_import__.js": our importer asked for it
  if (e?.code === 'ERR_MODULE_NOT_FOUND') return typeof e.message === 'string' && e.message.trimEnd().endsWith(IMPORT_FILE);
  return false;
}

export interface ModuleSupport {
  require: NodeJS.Require;
  import: Importer;
}

export function createModuleSupport(cwd: string, modulePaths: string[] = [], localModules?: LocalModules): ModuleSupport {
  // a node_modules folder's parent is where resolution starts for the store
  const roots = [cwd, ...modulePaths.map((p) => (p.endsWith('node_modules') ? join(p, '..') : p))];
  const requires = roots.map((r) => createRequire(join(r, REQUIRE_FILE)));
  const importers = new Map<string, Importer>();
  const importer = (root: string) => {
    let imp = importers.get(root);
    if (!imp) importers.set(root, (imp = importerFrom(root)));
    return imp;
  };

  /** `load` from the notebook's folder, then, for a package found nowhere there, from each store folder. */
  const fromRoots = <T>(id: string, load: (r: NodeJS.Require) => T): T => {
    try {
      return load(requires[0]!);
    } catch (err) {
      if (!missingItself(err) || !isBare(id)) throw err;
      for (const r of requires.slice(1)) {
        try {
          return load(r);
        } catch (inner) {
          if (!missingItself(inner)) throw inner;
        }
      }
      throw err;
    }
  };
  const base = requires[0]!;
  // a helper file edited while the kernel runs is loaded again (LocalModules)
  const local = localModules ?? new LocalModules(base.cache, 'hooks', base, roots.slice(1));
  const userRequire = function require(id: string) {
    refuseTypeScriptFile(String(id));
    if (!isLocalSpecifier(String(id))) return fromRoots(id, (r) => r(id));
    local.beforeRequire();
    try {
      return fromRoots(id, (r) => r(id));
    } catch (err) {
      throw withSyntaxSite(err, cwd, String(id));
    } finally {
      local.afterLoad();
    }
  } as NodeJS.Require;
  // require.resolve finds what require loads (a package of the store too); with `paths`, only where they say
  userRequire.resolve = Object.assign(
    (id: string, options?: { paths?: string[] }) => (options?.paths ? base.resolve(id, options) : fromRoots(id, (r) => r.resolve(id))),
    {
      paths: base.resolve.paths,
    },
  );
  userRequire.cache = base.cache;
  userRequire.main = undefined;
  userRequire.extensions = base.extensions;

  const userImport: Importer = async (spec, options) => {
    // a local TypeScript module loads through the resolve hook's own type stripping (localModuleHooks.ts), on any Node
    if (isLocalSpecifier(String(spec))) {
      try {
        return await importer(roots[0]!)(local.beforeImport(String(spec)), options);
      } catch (err) {
        throw withSyntaxSite(err, cwd, String(spec));
      } finally {
        local.afterLoad();
      }
    }
    try {
      return await importer(roots[0]!)(spec, options);
    } catch (err) {
      if (!missingItself(err) || !isBare(spec)) throw err;
      for (const root of roots.slice(1)) {
        try {
          return await importer(root)(spec, options);
        } catch (inner) {
          if (!missingItself(inner)) throw inner;
        }
      }
      throw err;
    }
  };
  return { require: userRequire, import: userImport };
}
