/**
 * What a cell's `import.meta` holds (the transform makes it read META_HOOK): the notebook as the module, the way Node
 * describes a module file: `url`, `filename` and `dirname` (the folder relative paths resolve from), and `resolve`; on
 * Bun also Bun's `path`, `dir` and `file`.
 */
import { isBuiltin } from 'node:module';
import { basename, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importedFile } from '../../common/node/importedFile';

/** A specifier or path that is a URL (a scheme, then `:`): a cell's import of it goes to the runtime as it is. */
export const URL_LIKE = /^[a-z][a-z0-9+.-]*:/i;

export interface CellImportMeta {
  /** The notebook's URL: a file: URL, or the editor's own URI for a notebook not saved yet. */
  url: string;
  /** The notebook's path; undefined for a notebook not saved yet, as for a module that is not a file. */
  filename: string | undefined;
  /** The folder relative paths, `require` and `import` resolve from. */
  dirname: string;
  /** A specifier's URL as a cell's import would find it: relative to `dirname`; a package through `resolvePackage`. */
  resolve(specifier: string): string;
  /** Bun's names: the notebook's path, its folder and its file name (on Bun only). */
  path?: string;
  dir?: string;
  file?: string;
}

export function importMeta(cwd: string, documentPath: string, resolvePackage: (specifier: string) => string, bun = false): CellImportMeta {
  const filename = isAbsolute(documentPath) ? documentPath : undefined;
  const url = filename ? pathToFileURL(filename).href : URL_LIKE.test(documentPath) ? documentPath : pathToFileURL(join(cwd, documentPath)).href;
  const folder = pathToFileURL(join(cwd, '/')).href;
  return {
    url,
    filename,
    dirname: cwd,
    // Bun's own names for the same (`import.meta.path`, `.dir`, `.file`), which Bun code reads
    ...(bun && { path: filename, dir: cwd, file: filename === undefined ? undefined : basename(filename) }),
    resolve(specifier: string): string {
      const spec = String(specifier);
      if (isBuiltin(spec)) return spec.startsWith('node:') ? spec : `node:${spec}`;
      if (spec.startsWith('.') || spec.startsWith('/')) {
        // the file an import of it loads: `./util` names util.ts, or util/index.js for a folder, as the resolve hook finds them
        return new URL(importedFile(spec, (name) => fileURLToPath(new URL(name, folder))) ?? spec, folder).href;
      }
      if (URL_LIKE.test(spec)) return spec;
      return pathToFileURL(resolvePackage(spec)).href;
    },
  };
}
