/**
 * Which name of a relative import the kernel's resolve hook loads: the name as written when it is a file, else the
 * first of the editor's ways that is one (modulePathCandidates: `./util` is util.ts, or util/index.ts when util is a
 * folder). A folder is never the answer: Node does not import one. Used where the kernel must agree with that hook
 * without loading anything (import.meta.resolve, the search for a module's syntax error).
 */
import { candidates } from '../modulePathCandidates';
import { isFile } from './isFile';

/** The name (`spec` or a candidate, `?query` kept) whose path, as `path` finds it, is a file; undefined when none is. */
export function importedFile(spec: string, path: (name: string) => string): string | undefined {
  return [spec, ...candidates(spec)].find((name) => isFile(path(name)));
}
