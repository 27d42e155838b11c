/**
 * `require` and `import` for cells in a Deno or Bun sidecar. Bare specifiers resolve from the notebook folder,
 * then the dependency store (InitParams.modulePaths), to a file whose URL the agent imports; relative ones
 * resolve against the notebook folder. On Deno, a bare specifier found nowhere falls back to `npm:<spec>`, and
 * `npm:`, `jsr:`, `https:` specifiers pass through to Deno's loader. `node:` built-ins work on both, and Bun's own
 * modules (`bun`, `bun:sqlite`) on Bun.
 */
import { createRequire, isBuiltin } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { URL_LIKE } from '../node/importMeta';
import { LocalModules } from '../node/LocalModules';
import { createModuleSupport, type ModuleSupport } from '../node/moduleLoader';
import { resolvePackage } from './resolvePackage';

export type SidecarKind = 'deno' | 'bun';
/** A module Bun provides itself: `bun` and the `bun:` scheme. */
const BUN_MODULE = /^bun(?::|$)/;
/** The agent's own dynamic import (a real ES module import of the runtime), with the cell's import attributes. */
export type ImportUrl = (url: string, options?: ImportCallOptions) => Promise<unknown>;

export function createSidecarModules(kind: SidecarKind, importUrl: ImportUrl) {
  return (cwd: string, modulePaths: string[] = []): ModuleSupport => {
    const roots = [cwd, ...modulePaths.map((p) => (p.endsWith('node_modules') ? join(p, '..') : p))];
    const conditions = [kind, 'import', 'module', 'node', 'default'];
    // a helper file edited while the kernel runs is loaded again (LocalModules)
    const local = new LocalModules(createRequire(join(cwd, 'x.js')).cache, kind === 'bun' ? 'cache' : 'direct');
    const importLocal = async (url: string, options?: ImportCallOptions): Promise<unknown> => {
      try {
        return await importUrl(local.beforeImport(url), options);
      } finally {
        local.afterLoad();
      }
    };
    const importSpec = async (spec: string, options?: ImportCallOptions): Promise<unknown> => {
      // Bun's own modules (`bun`, `bun:sqlite`, `bun:test`…) are built-ins there, never `node:` ones
      if (kind === 'bun' && BUN_MODULE.test(spec)) return importUrl(spec, options);
      if (isBuiltin(spec)) return importUrl(spec.startsWith('node:') ? spec : `node:${spec}`);
      if (spec.startsWith('.') || isAbsolute(spec)) return importLocal(fileUrl(cwd, spec), options);
      if (spec.startsWith('file:')) return importLocal(spec, options);
      if (URL_LIKE.test(spec)) return importUrl(spec, options);
      const file = resolvePackage(spec, roots, conditions);
      if (file) return importUrl(pathToFileURL(file).href, options);
      if (kind === 'deno') return importUrl(`npm:${spec}`, options);
      const err = new Error(
        `Cannot find package '${spec}' in ${cwd} or the notebook's dependency store. Add it to the notebook's dependencies (an import in a cell installs it on the next run) or install it in the notebook's folder.`,
      );
      Object.assign(err, { code: 'ERR_MODULE_NOT_FOUND' });
      throw err;
    };
    return { require: createModuleSupport(cwd, modulePaths, local).require, import: importSpec };
  };
}

/**
 * A relative or absolute module path as a file URL; a `?query` or `#fragment` stays one (a cache-busting
 * `./lib.js?v=2` loads lib.js), rather than being escaped into the file name.
 */
export function fileUrl(cwd: string, spec: string): string {
  const at = spec.search(/[?#]/);
  const path = at === -1 ? spec : spec.slice(0, at);
  return pathToFileURL(resolve(cwd, path)).href + (at === -1 ? '' : spec.slice(at));
}
