/**
 * A package's files as npm's extraction names them (pacote, and bin-links after it): pure functions over a tarball's
 * paths and its package.json.
 */
import { posix } from 'node:path';

/** bin-links reads this much of a bin to find a `#!` line ending in `\r\n`. */
const HASHBANG_BYTES = 2048;

/**
 * A tarball path inside the package (first component stripped, `/`-separated, normalized), null for what is not a
 * package file (the top folder itself), undefined for a path pacote would clean up or refuse (`..`, absolute).
 */
export function packagePath(path: string): string | null | undefined {
  const parts = path.split('/');
  if (parts.length < 2) return null;
  const rel = posix.normalize(parts.slice(1).join('/'));
  if (rel === '.' || rel === '') return null;
  if (rel === '..' || rel.startsWith('../') || rel.startsWith('/') || rel.includes('\\') || rel.includes('\0')) return undefined;
  return rel.replace(/\/$/, '');
}

export function packageJsonOf(data: Buffer | undefined): Record<string, unknown> | undefined {
  if (!data) return undefined;
  try {
    const pkg: unknown = JSON.parse(data.toString('utf8'));
    return pkg && typeof pkg === 'object' ? (pkg as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The files a package's `bin` names (as npm normalizes them: inside the package, `/`-separated). */
export function binPaths(pkg: Record<string, unknown> | undefined): string[] {
  const bin = pkg?.bin;
  const targets = typeof bin === 'string' ? [bin] : bin && typeof bin === 'object' ? Object.values(bin as Record<string, unknown>) : [];
  return targets.filter((t): t is string => typeof t === 'string').map((t) => posix.join('/', t.replace(/\\/g, '/')).slice(1));
}

/** bin-links' fix: a `#!` line ending in `\r\n` ends in `\n` (the same buffer when there is nothing to fix). */
export function unixHashbang(data: Buffer): Buffer {
  const head = data.subarray(0, HASHBANG_BYTES).toString();
  if (!/^#![^\n]+\r\n/.test(head)) return data;
  return Buffer.from(data.toString('utf8').replace(/^(#![^\n]+)\r\n/, '$1\n'));
}
