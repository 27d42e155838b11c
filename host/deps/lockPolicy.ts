/**
 * Which lock entries CodaJS installs without the notebook's say-so: a package at a plain `node_modules/…` path,
 * with a sha512 integrity, from a tarball URL of the registry the user's npm config names for that package, in
 * npm's layout (`<registry><name>/-/<name without scope>-<version>.tgz`). Anything else (no integrity, sha1 only,
 * `file:`, git, another host, another package's tarball, a path that climbs out of the store) could install bytes
 * nobody checked, so it is refused unless the notebook's metadata says `"allowUnverifiedLock": true`.
 * The same check runs on the lock a notebook brings and on the tree an install produced. Pure.
 */
import type { DependencyLock, LockEntry } from '../../protocol';
import { printable } from './printable';

/** One package name segment (optionally scoped); never `.` or `..`. */
const NAME = String.raw`(?:@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*`;
const LOCATION = new RegExp(String.raw`^node_modules\/${NAME}(?:\/node_modules\/${NAME})*$`, 'i');
/** A sha512 digest is 64 bytes: 88 characters of base64. */
const SHA512 = /^sha512-[A-Za-z0-9+/]{86}==$/;
/** Fields of a lock entry that reach package-lock.json; anything else in a notebook's lock is dropped. */
export const LOCK_FIELDS = [
  'name',
  'version',
  'resolved',
  'integrity',
  'dependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
] as const;

/** The registry URL (ending in `/`) npm fetches a package from: its scope's registry, else the default one. */
export type RegistryFor = (name: string) => string;

export function registryFrom(fetchOpts: Record<string, unknown>): RegistryFor {
  return (name) => {
    const scope = name.startsWith('@') ? name.slice(0, name.indexOf('/')) : undefined;
    const scoped = scope ? fetchOpts[`${scope}:registry`] : undefined;
    const url = typeof scoped === 'string' && scoped ? scoped : String(fetchOpts.registry);
    return url.endsWith('/') ? url : `${url}/`;
  };
}

/** The package name of a lock location (`node_modules/a/node_modules/@s/b` -> `@s/b`), or undefined if malformed. */
export function nameAt(location: string): string | undefined {
  if (!LOCATION.test(location)) return undefined;
  return location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** Locations that would put a package outside the store: refused even when the notebook allows unverified entries. */
export function badLocations(lock: DependencyLock): string[] {
  return Object.keys(lock)
    .filter((location) => !nameAt(location))
    .map((location) => `"${location}" is not a package folder inside the store`);
}

/** `folder name -> package name` for every `npm:` alias a locked package declares (`"x": "npm:y@^1"`). */
export function declaredAliases(lock: DependencyLock): Set<string> {
  const out = new Set<string>();
  for (const entry of Object.values(lock)) {
    for (const deps of [entry?.dependencies, entry?.optionalDependencies]) {
      for (const [folder, spec] of Object.entries(deps ?? {})) {
        const m = typeof spec === 'string' ? /^npm:((?:@[^/@]+\/)?[^@]+)(?:@|$)/.exec(spec) : null;
        if (m) out.add(`${folder} -> ${m[1]}`);
      }
    }
  }
  return out;
}

/**
 * Why an entry cannot be verified, in words for the cell's error; undefined when it can. An entry whose package has
 * another name than its folder is accepted only as an alias some locked package declares (`aliases`).
 */
export function lockEntryProblem(
  location: string,
  entry: Partial<LockEntry> | undefined,
  registryFor: RegistryFor,
  aliases: Set<string> = new Set(),
): string | undefined {
  const folder = nameAt(location);
  if (!folder) return `"${location}" is not a package folder inside the store`;
  if (!entry || typeof entry !== 'object') return `${location} is not a lock entry`;
  const name = typeof entry.name === 'string' && entry.name ? entry.name : folder;
  if (name !== folder && !aliases.has(`${folder} -> ${name}`)) return `${location} holds ${name}, an alias no locked package declares`;
  const integrity = typeof entry.integrity === 'string' ? entry.integrity.trim() : '';
  if (!integrity) return `${name} has no integrity checksum`;
  if (!integrity.split(/\s+/).some((h) => SHA512.test(h))) return `${name} has only a weak checksum (${integrity.split('-')[0]}), not sha512`;
  const resolved = typeof entry.resolved === 'string' ? entry.resolved : '';
  const registry = registryFor(name);
  if (!resolved) return `${name} has no tarball URL`;
  if (!/^https?:\/\//i.test(resolved)) return `${name} comes from ${resolved.split(/[#?]/)[0]}, not from a registry`;
  if (!resolved.startsWith(registry))
    return `${name} is downloaded from ${safeOrigin(resolved)}, not from ${registry} (the registry your npm config names for it)`;
  if (!isTarballOf(resolved.slice(registry.length), name, String(entry.version))) {
    return `${name}@${entry.version} would be downloaded from ${resolved}, which is not that package's tarball`;
  }
  return undefined;
}

/**
 * npm's layout (`<name>/-/<name without scope>-<version>.tgz`, the scope's slash possibly encoded), or a layout that
 * names the package and then its version as whole path segments (GitHub Packages: `download/@s/n/<version>/<hash>`).
 */
function isTarballOf(path: string, name: string, version: string): boolean {
  let segments: string[];
  try {
    segments = path
      .split(/[?#]/)[0]!
      .split('/')
      .map((s) => decodeURIComponent(s).toLowerCase());
  } catch {
    return false;
  }
  const want = name.toLowerCase().split('/');
  const v = version.toLowerCase();
  // npm's `@scope%2fname` is the one segment that may hold a slash
  if (segments[0] === want.join('/')) segments = [...want, ...segments.slice(1)];
  if (segments.some((s) => s === '.' || s === '..' || s.includes('/'))) return false;
  const npm = [...want, '-', `${want[want.length - 1]}-${v}.tgz`];
  if (segments.length === npm.length && npm.every((w, i) => segments[i] === w)) return true;
  for (let i = 0; i + want.length < segments.length; i++) {
    if (want.every((w, j) => segments[i + j] === w) && segments[i + want.length] === v) return true;
  }
  return false;
}

/** Every problem of a lock (empty when all of it can be verified). */
export function lockProblems(lock: DependencyLock, registryFor: RegistryFor): string[] {
  const aliases = declaredAliases(lock);
  return Object.entries(lock).flatMap(([location, entry]) => {
    const p = lockEntryProblem(location, entry, registryFor, aliases);
    return p ? [p] : [];
  });
}

/** The cell's error text for refused entries. */
export function lockRefusedMessage(problems: string[], where: 'lock' | 'tree'): string {
  const shown = printable(problems.slice(0, 3).join('; ')) + (problems.length > 3 ? `; and ${problems.length - 3} more` : '');
  const what = where === 'lock' ? "The notebook's dependency lock" : 'The installed dependency tree';
  return `${what} has packages CodaJS cannot verify: ${shown}. Nothing was installed. Remove the "lock" metadata to resolve from the registry again, or set "allowUnverifiedLock": true in the notebook's metadata if you trust these sources.`;
}

/** Only the known fields of each entry (a notebook's lock must not smuggle `link`, `bin` or install flags into arborist). */
export function sanitizeLock(lock: DependencyLock): DependencyLock {
  const out: DependencyLock = {};
  for (const [location, entry] of Object.entries(lock)) {
    const clean: Record<string, unknown> = {};
    for (const f of LOCK_FIELDS) if (entry?.[f] !== undefined) clean[f] = entry[f];
    // the peers as arborist reads them: names to specs, and to `{ optional: true }` (nothing else of a notebook's text)
    if (clean.peerDependencies !== undefined) clean.peerDependencies = stringsOnly(clean.peerDependencies);
    if (clean.peerDependenciesMeta !== undefined) clean.peerDependenciesMeta = optionalFlags(clean.peerDependenciesMeta);
    out[location] = clean as unknown as LockEntry;
  }
  return out;
}

function stringsOnly(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

function optionalFlags(value: unknown): Record<string, { optional: true }> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => (v as { optional?: unknown } | null)?.optional === true)
      .map(([k]) => [k, { optional: true as const }]),
  );
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
