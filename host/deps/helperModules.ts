/**
 * The modules of the notebook's folder that its cells import (`import { f } from './lib/util.ts'`, `require('./x')`),
 * and those these import in turn, read for the packages they import: a helper file's `import _ from 'lodash'` installs
 * lodash as a cell's own import would, and an install that fails names the helper file and fails the cell that
 * imports it. Only JavaScript and TypeScript files outside node_modules are read, at most MAX_FILES of at most
 * MAX_BYTES each; a path that names no such file is left to the kernel, whose import says what is missing. A notebook
 * that declares permissions has only the helpers its `read` grants cover read: the packages another file names would
 * otherwise show up in its store, telling it what that file imports.
 */
import { realpathSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, relative, resolve, sep } from 'node:path';
import { ANY, type Permissions } from '../../protocol';
import { candidates, inNodeModules } from '../../common/modulePathCandidates';
import { analyzeDependencies, localSpecifiers, type AnalyzedCell } from './analyzeDependencies';

/** Helper files read at the most for one notebook. */
export const MAX_FILES = 200;
/** A larger file is no helper (a bundle or data): not read. */
export const MAX_BYTES = 2 * 1024 * 1024;

const CODE = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.jsx', '.tsx']);

/** The cells and the helper modules they reach, as analyzeDependencies reads them. */
export async function analyzeNotebook(cells: AnalyzedCell[], folder: string | undefined, permissions?: Permissions) {
  return analyzeDependencies([...cells, ...(await helperModules(cells, folder, permissions))]);
}

/**
 * The helper modules the cells reach, each as the first cell (in order) that reaches it imports it: that cell is the
 * one an install failure of its packages fails (the cells run in order, and it is the first to need them).
 */
export async function helperModules(cells: AnalyzedCell[], folder: string | undefined, permissions?: Permissions): Promise<AnalyzedCell[]> {
  if (!folder) return [];
  const readable = readableBy(permissions, folder);
  const seen = new Set<string>();
  const out: AnalyzedCell[] = [];
  for (const cell of cells) {
    const queue = [{ from: folder, code: cell.code }];
    while (queue.length && seen.size < MAX_FILES) {
      const { from, code } = queue.shift()!;
      for (const spec of await localSpecifiers(code)) {
        const file = await helperFile(from, spec);
        if (!file || seen.has(file) || seen.size >= MAX_FILES || !readable(file)) continue;
        seen.add(file);
        const text = await readFile(file, 'utf8').catch(() => undefined);
        if (text === undefined) continue;
        out.push({ cellId: cell.cellId, code: text, file: relative(folder, file) });
        queue.push({ from: dirname(file), code: text });
      }
    }
  }
  return out;
}

/** The code file an import names, as the kernel finds it (the name as written, then the editor's ways), if any. */
async function helperFile(from: string, spec: string): Promise<string | undefined> {
  for (const candidate of [spec, ...candidates(spec)]) {
    const path = resolve(from, candidate.replace(/[?#].*$/, ''));
    if (inNodeModules(path) || !CODE.has(extname(path))) continue;
    const s = await stat(path).catch(() => undefined);
    if (s?.isFile()) return s.size <= MAX_BYTES ? path : undefined;
  }
  return undefined;
}

/** What a notebook's `read` grants cover (relative ones from its folder, links followed); everything without permissions. */
function readableBy(permissions: Permissions | undefined, folder: string): (file: string) => boolean {
  if (!permissions || permissions.read?.includes(ANY)) return () => true;
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  const roots = (permissions.read ?? []).map((grant) => real(resolve(folder, grant)));
  return (file) => {
    const path = real(file);
    return roots.some((root) => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep));
  };
}
