/**
 * Node-style resolution of a bare specifier (`pkg`, `@scope/pkg/sub`) or a package import (`#internal`) to a
 * file, for runtimes whose own loader does not look in node_modules folders the way Node does (Deno) or should
 * not be asked to (Bun's auto-install). Walks up from each root's node_modules; the first folder that has the
 * package decides what it exports, as in Node: its package.json `exports`, else `main`, else index files. (One
 * leniency: when the file a target names is missing, the search goes on to the next folder; Node would stop.)
 *
 * `exports` and `imports` follow Node's documented algorithm (PACKAGE_IMPORTS_EXPORTS_RESOLVE,
 * PATTERN_KEY_COMPARE, PACKAGE_TARGET_RESOLVE in the ESM resolution spec), checked against Node itself in
 * the tests. The resolve.exports library was tried and differs from Node in two ways that matter here: it
 * picks the longest matching pattern key rather than the longest text before the `*`, and it stops at the
 * first matching condition even when that condition's nested object matches nothing (Node goes on to the
 * next condition, e.g. `default`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isFile } from '../../common/node/isFile';

/** Extensions tried for a path without one (package `main`, deep imports without `exports`). */
export const PROBED_EXTENSIONS = ['', '.js', '.mjs', '.cjs', '.json'];

type ExportsValue = string | null | ExportsValue[] | { [key: string]: ExportsValue };
type Manifest = { main?: unknown; exports?: unknown; imports?: unknown };

/**
 * Node's test for a target or `*` match that would leave the package or reach into another one: a `.`, `..`
 * or `node_modules` segment, percent-encoded or not, `/` or `\` separated.
 */
const INVALID_SEGMENT =
  /(^|\\|\/)((\.|%2e)(\.|%2e)?|(n|%6e|%4e)(o|%6f|%4f)(d|%64|%44)(e|%65|%45)(_|%5f)(m|%6d|%4d)(o|%6f|%4f)(d|%64|%44)(u|%75|%55)(l|%6c|%4c)(e|%65|%45)(s|%73|%53))(\\|\/|$)/i;

export function splitSpecifier(spec: string): { name: string; subpath: string } {
  const parts = spec.split('/');
  const count = spec.startsWith('@') ? 2 : 1;
  const rest = parts.slice(count).join('/');
  return { name: parts.slice(0, count).join('/'), subpath: rest ? `./${rest}` : '.' };
}

/**
 * The file `spec` resolves to from the first root that has the package, or undefined. Throws with Node's
 * codes when the package found refuses the request (ERR_PACKAGE_PATH_NOT_EXPORTED: not listed in `exports`,
 * or listed as `null`; ERR_INVALID_PACKAGE_TARGET, ERR_INVALID_MODULE_SPECIFIER, ERR_PACKAGE_IMPORT_NOT_DEFINED)
 * rather than looking for another copy of it further up.
 */
/**
 * Whether a path exists where this kernel may read. Deno throws for a folder a notebook's permissions do not grant
 * (the walk up from the notebook folder passes its parents): not granted is not there, and the walk goes on to the
 * dependency store.
 */
function readable(path: string): boolean {
  try {
    return existsSync(path);
  } catch {
    return false;
  }
}

export function resolvePackage(spec: string, roots: string[], conditions: string[]): string | undefined {
  if (spec.startsWith('#')) return resolveImport(spec, roots, conditions);
  const { name, subpath } = splitSpecifier(spec);
  for (const root of roots) {
    for (let dir = root; ; dir = dirname(dir)) {
      const pkgDir = dir.endsWith('node_modules') ? join(dir, name) : join(dir, 'node_modules', name);
      if (readable(pkgDir)) {
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
    if (target === undefined)
      throw nodeError(
        'ERR_PACKAGE_PATH_NOT_EXPORTED',
        subpath === '.'
          ? `No "exports" main defined in ${join(pkgDir, 'package.json')}`
          : `Package subpath '${subpath}' is not defined by "exports" in ${join(pkgDir, 'package.json')}`,
      );
    return existing(join(pkgDir, target));
  }
  if (subpath === '.') {
    const main = typeof manifest?.main === 'string' ? manifest.main : 'index.js';
    return probe(join(pkgDir, main)) ?? probe(join(pkgDir, 'index'));
  }
  return probe(join(pkgDir, subpath));
}

/**
 * The target (`./…`, its `*` filled in) that `subpath` maps to under `exports`; undefined when the package
 * does not export it: not listed, listed as `null`, or no condition matches.
 */
export function exportTarget(exports: ExportsValue, subpath: string, conditions: string[]): string | undefined {
  const isSubpathMap = typeof exports === 'object' && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
  const map: Record<string, ExportsValue> = isSubpathMap ? (exports as Record<string, ExportsValue>) : { '.': exports };
  const entry = matchEntry(map, subpath);
  const resolved = entry && topTarget(map[entry.key]!, entry.match, conditions, false);
  return resolved && 'path' in resolved ? resolved.path : undefined;
}

/** `#name` from the `imports` of the package.json nearest to the first root (the notebook's folder). */
function resolveImport(spec: string, roots: string[], conditions: string[]): string | undefined {
  if (spec === '#' || spec.startsWith('#/'))
    throw nodeError('ERR_INVALID_MODULE_SPECIFIER', `Invalid module "${spec}": is not a valid internal imports specifier name`);
  const scope = packageScope(roots[0] ?? '.');
  const manifest = scope === undefined ? undefined : readManifest(join(scope, 'package.json'));
  const map = manifest?.imports;
  const entry = typeof map === 'object' && map !== null && !Array.isArray(map) ? matchEntry(map as Record<string, ExportsValue>, spec) : undefined;
  const resolved = entry && topTarget((map as Record<string, ExportsValue>)[entry.key]!, entry.match, conditions, true);
  if (!resolved)
    throw nodeError(
      'ERR_PACKAGE_IMPORT_NOT_DEFINED',
      `Package import specifier "${spec}" is not defined${scope === undefined ? '' : ` in package ${join(scope, 'package.json')}`}`,
    );
  // a bare target names a package, resolved from the scope as Node does
  if ('bare' in resolved) return resolvePackage(resolved.bare, [scope!, ...roots.slice(1)], conditions);
  return existing(join(scope!, resolved.path));
}

/** The folder of the nearest package.json at or above `from`, not past a node_modules folder. */
function packageScope(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (readable(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir || dir.endsWith('node_modules')) return undefined;
  }
}

interface Entry {
  key: string;
  /** What the key's `*` matched, for a pattern key. */
  match?: string;
}

/** The key `request` uses (PACKAGE_IMPORTS_EXPORTS_RESOLVE): the exact key, else the best pattern key. */
function matchEntry(map: Record<string, ExportsValue>, request: string): Entry | undefined {
  if (Object.hasOwn(map, request) && !request.includes('*')) return { key: request };
  let best: Entry | undefined;
  for (const key of Object.keys(map)) {
    const star = key.indexOf('*');
    if (star === -1 || key.indexOf('*', star + 1) !== -1) continue;
    const base = key.slice(0, star);
    const trailer = key.slice(star + 1);
    if (!request.startsWith(base) || request === base || request.length < key.length || !request.endsWith(trailer)) continue;
    if (!best || patternKeyCompare(best.key, key) === 1) best = { key, match: request.slice(base.length, request.length - trailer.length) };
  }
  return best;
}

/** PATTERN_KEY_COMPARE: -1 when a is more specific (longer text before the `*`, then longer), 1 when b is. */
function patternKeyCompare(a: string, b: string): -1 | 0 | 1 {
  const aStar = a.indexOf('*');
  const bStar = b.indexOf('*');
  const aBase = aStar === -1 ? a.length : aStar + 1;
  const bBase = bStar === -1 ? b.length : bStar + 1;
  if (aBase !== bBase) return aBase > bBase ? -1 : 1;
  if (aStar === -1) return 1;
  if (bStar === -1) return -1;
  if (a.length !== b.length) return a.length > b.length ? -1 : 1;
  return 0;
}

/** A resolved target: a path inside the package, or (for `imports` only) another package's specifier. */
type Resolved = { path: string } | { bare: string };

class InvalidTarget extends Error {}

/** targetResolve for an entry's whole value: an invalid target is an error with Node's code. */
function topTarget(target: ExportsValue, match: string | undefined, conditions: string[], isImports: boolean): Resolved | null | undefined {
  try {
    return targetResolve(target, match, conditions, isImports);
  } catch (err) {
    if (err instanceof InvalidTarget) throw nodeError('ERR_INVALID_PACKAGE_TARGET', err.message);
    throw err;
  }
}

/**
 * PACKAGE_TARGET_RESOLVE. undefined: nothing matched (a caller goes on to the next condition or array item);
 * null: excluded. Conditions are tried in the package's key order; `default` always matches.
 */
function targetResolve(target: ExportsValue, match: string | undefined, conditions: string[], isImports: boolean): Resolved | null | undefined {
  if (typeof target === 'string') return stringTarget(target, match, isImports);
  if (target === null) return null;
  if (Array.isArray(target)) {
    let last: null | undefined | InvalidTarget;
    for (const item of target) {
      let r: Resolved | null | undefined;
      try {
        r = targetResolve(item, match, conditions, isImports);
      } catch (err) {
        if (!(err instanceof InvalidTarget)) throw err;
        last = err;
        continue;
      }
      if (r === undefined) continue;
      if (r === null) {
        last = null;
        continue;
      }
      return r;
    }
    if (last instanceof InvalidTarget) throw last;
    return last;
  }
  if (typeof target !== 'object') throw new InvalidTarget(`Invalid package target ${JSON.stringify(target)}`);
  for (const [key, value] of Object.entries(target)) {
    if (key !== 'default' && !conditions.includes(key)) continue;
    const r = targetResolve(value, match, conditions, isImports);
    if (r !== undefined) return r;
  }
  return undefined;
}

function stringTarget(target: string, match: string | undefined, isImports: boolean): Resolved {
  const fill = (t: string) => (match === undefined ? t : t.split('*').join(match));
  if (!target.startsWith('./')) {
    if (isImports && !target.startsWith('../') && !target.startsWith('/') && !URL.canParse(target)) return { bare: fill(target) };
    throw new InvalidTarget(`Invalid package target "${target}"`);
  }
  if (INVALID_SEGMENT.test(target.slice(2))) throw new InvalidTarget(`Invalid package target "${target}"`);
  if (match !== undefined && INVALID_SEGMENT.test(match))
    throw nodeError('ERR_INVALID_MODULE_SPECIFIER', `Invalid module "${match}": a subpath may not contain ".", ".." or "node_modules" segments`);
  return { path: fill(target) };
}

function nodeError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function readManifest(file: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return undefined;
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
