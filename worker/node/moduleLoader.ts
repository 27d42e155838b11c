/**
 * `require` and `import` for cells, resolving like a script saved in the notebook's folder, then from the
 * dependency store folders (InitParams.modulePaths). ESM resolution uses Node's own loader with the right
 * referrer: a tiny script compiled with a filename inside the folder to resolve from.
 */
import { createRequire, isBuiltin } from 'node:module';
import { join } from 'node:path';
import vm from 'node:vm';

/** Node's main-context loader for vm scripts (Node >= 20.12 / 21.7). */
export const importOptions: Pick<vm.ScriptOptions, 'importModuleDynamically'> = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER
  ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER }
  : {};

type Importer = (specifier: string) => Promise<unknown>;

function importerFrom(folder: string): Importer {
  const script = new vm.Script('(specifier) => import(specifier)', { filename: join(folder, '__coda_import__.js'), ...importOptions });
  return script.runInThisContext() as Importer;
}

const isBare = (spec: string) => !spec.startsWith('.') && !spec.startsWith('/') && !/^[a-z]+:/i.test(spec) && !isBuiltin(spec);
const notFound = (err: unknown) => {
  const code = (err as { code?: string })?.code;
  return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND';
};

export interface ModuleSupport {
  require: NodeJS.Require;
  import: Importer;
}

export function createModuleSupport(cwd: string, modulePaths: string[] = []): ModuleSupport {
  // a node_modules folder's parent is where resolution starts for the store
  const roots = [cwd, ...modulePaths.map((p) => (p.endsWith('node_modules') ? join(p, '..') : p))];
  const requires = roots.map((r) => createRequire(join(r, '__coda_require__.js')));
  const importers = new Map<string, Importer>();
  const importer = (root: string) => {
    let imp = importers.get(root);
    if (!imp) importers.set(root, (imp = importerFrom(root)));
    return imp;
  };

  const userRequire = function require(id: string) {
    try {
      return requires[0]!(id);
    } catch (err) {
      if (!notFound(err) || !isBare(id)) throw err;
      for (const r of requires.slice(1)) {
        try {
          return r(id);
        } catch (inner) {
          if (!notFound(inner)) throw inner;
        }
      }
      throw err;
    }
  } as NodeJS.Require;
  const base = requires[0]!;
  userRequire.resolve = base.resolve;
  userRequire.cache = base.cache;
  userRequire.main = undefined;
  userRequire.extensions = base.extensions;

  const userImport: Importer = async (spec) => {
    try {
      return await importer(roots[0]!)(spec);
    } catch (err) {
      if (!notFound(err) || !isBare(spec)) throw err;
      for (const root of roots.slice(1)) {
        try {
          return await importer(root)(spec);
        } catch (inner) {
          if (!notFound(inner)) throw inner;
        }
      }
      throw err;
    }
  };
  return { require: userRequire, import: userImport };
}
