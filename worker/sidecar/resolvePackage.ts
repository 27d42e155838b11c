/**
 * Node-style resolution of a bare specifier (`pkg`, `@scope/pkg/sub`) to a file, for runtimes whose own loader
 * does not look in node_modules folders the way Node does (Deno) or should not be asked to (Bun's auto-install).
 * Walks up from each root's node_modules, honours package.json `exports` (with conditions and `*` patterns),
 * then `main`, then index files.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Extensions tried for a path without one (package `main`, deep imports without `exports`). */
export const PROBED_EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.json'];

type ExportsValue = string | null | ExportsValue[] | { [key: string]: ExportsValue };

export function splitSpecifier(spec: string): { name: string; subpath: string } {
  const parts = spec.split('/');
  const count = spec.startsWith('@') ? 2 : 1;
  const rest = parts.slice(count).join('/');
  return { name: parts.slice(0, count).join('/'), subpath: rest ? `./${rest}` : '.' };
}

/** The file `spec` resolves to from the first root that has it, or undefined. */
export function resolvePackage(spec: string, roots: string[], conditions: string[]): string | undefined {
  const { name, subpath } = splitSpecifier(spec);
  for (const root of roots) {
    for (let dir = root; ; dir = dirname(dir)) {
      const pkgDir = dir.endsWith('node_modules') ? join(dir, name) : join(dir, 'node_modules', name);
      if (existsSync(pkgDir)) {
        const file = resolveInPackage(pkgDir, subpath, conditions);
        if (file) return file;
      }
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

function resolveInPackage(pkgDir: string, subpath: string, conditions: string[]): string | undefined {
  const manifest = readManifest(join(pkgDir, 'package.json'));
  if (manifest?.exports !== undefined && manifest.exports !== null) {
    const target = exportTarget(manifest.exports as ExportsValue, subpath, conditions);
    return target ? existing(join(pkgDir, target)) : undefined;
  }
  if (subpath === '.') {
    const main = typeof manifest?.main === 'string' ? manifest.main : 'index.js';
    return probe(join(pkgDir, main)) ?? probe(join(pkgDir, 'index'));
  }
  return probe(join(pkgDir, subpath));
}

function readManifest(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function exportTarget(exports: ExportsValue, subpath: string, conditions: string[]): string | undefined {
  const isSubpathMap = typeof exports === 'object' && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
  const map: Record<string, ExportsValue> = isSubpathMap ? (exports as Record<string, ExportsValue>) : { '.': exports };
  if (Object.hasOwn(map, subpath)) return conditional(map[subpath]!, conditions);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star === -1) continue;
    const before = key.slice(0, star);
    const after = key.slice(star + 1);
    if (subpath.length >= key.length - 1 && subpath.startsWith(before) && subpath.endsWith(after)) {
      const middle = subpath.slice(before.length, subpath.length - after.length);
      return conditional(value, conditions)?.split('*').join(middle);
    }
  }
  return undefined;
}

function conditional(value: ExportsValue, conditions: string[]): string | undefined {
  if (typeof value === 'string') return value;
  if (value === null) return undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const r = conditional(v, conditions);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  for (const [key, v] of Object.entries(value)) {
    if (!conditions.includes(key)) continue;
    const r = conditional(v, conditions);
    if (r !== undefined) return r;
  }
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function existing(path: string): string | undefined {
  return isFile(path) ? path : undefined;
}

function probe(base: string): string | undefined {
  for (const ext of PROBED_EXTENSIONS) if (isFile(base + ext)) return base + ext;
  for (const ext of PROBED_EXTENSIONS.slice(1)) if (isFile(join(base, `index${ext}`))) return join(base, `index${ext}`);
  return undefined;
}
