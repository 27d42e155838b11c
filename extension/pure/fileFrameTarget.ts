/**
 * Where a file frame of an output may lead (issue 19): the path is made absolute (`~` is how saved outputs write the
 * home folder; a `file:` URL is read as its path), symlinks and `..` are resolved, and only then is it compared with
 * the notebook's folder and the workspace folders. Inside one of them it opens; elsewhere the user is asked first,
 * shown the path; any other scheme (`command:`, `vscode:`, `http:`, `node:`), a network path, a relative path, something
 * that is not a regular file or is not there is refused.
 */
import { realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export type FileFrameTarget =
  { kind: 'open'; path: string } | { kind: 'ask'; path: string } | { kind: 'refused'; reason: 'scheme' | 'network' | 'relative' | 'missing' | 'not a file' };

/** A URI scheme: two characters or more (a drive letter such as `C:` is part of a path). */
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]+):/;

export async function fileFrameTarget(file: string, roots: readonly string[], home = homedir()): Promise<FileFrameTarget> {
  let path = file;
  const scheme = SCHEME.exec(file)?.[1]?.toLowerCase();
  if (scheme === 'file') {
    try {
      path = fileURLToPath(file);
    } catch {
      return { kind: 'refused', reason: 'scheme' };
    }
  } else if (scheme !== undefined) return { kind: 'refused', reason: 'scheme' };
  // a UNC path (\\host\share, //host/share) would make Windows connect to that host, and send the user's credentials
  if (/^[\\/]{2}/.test(path)) return { kind: 'refused', reason: 'network' };
  if (path === '~' || path.startsWith('~/') || path.startsWith(`~${sep}`)) path = join(home, path.slice(1));
  if (!isAbsolute(path)) return { kind: 'refused', reason: 'relative' };
  let real: string;
  try {
    real = await realpath(path);
    if (!(await stat(real)).isFile()) return { kind: 'refused', reason: 'not a file' };
  } catch {
    return { kind: 'refused', reason: 'missing' };
  }
  const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => undefined)));
  return realRoots.some((root) => root !== undefined && inside(root, real)) ? { kind: 'open', path: real } : { kind: 'ask', path: real };
}

export function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
