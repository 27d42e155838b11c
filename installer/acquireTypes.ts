/**
 * `@types/<name>` for the notebook's direct dependencies that ship no types of their own (as VS Code's automatic
 * type acquisition does), so the editor (tsplugin/) has their types from the notebook's store. Decided after the
 * packages are extracted (a package's own `types`, `typings`, an `exports` `types` condition or an `index.d.ts` beside
 * its entry), resolved through pacote with the install's options (same registry, .npmrc, integrity-checked cache):
 * the version whose major.minor matches the installed package (so a `// @coda-dep` pin gets the types of that
 * version), else its major, else the latest; a version the notebook's lock names wins. A package without an
 * `@types` package, or a registry that cannot say, gets none: types never fail an install.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pacote from 'pacote';
import type { DependencyLock } from '../protocol';

/** At most this many `@types` packages are looked up per install (each is one packument request). */
export const MAX_TYPE_LOOKUPS = 32;

/** DefinitelyTyped's name for a package: `@types/lodash`, `@types/babel__core` for `@babel/core`. */
export function typesPackageName(name: string): string {
  return `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;
}

export interface PackageJson {
  version?: string;
  main?: string;
  types?: unknown;
  typings?: unknown;
  exports?: unknown;
}

/** Whether an installed package brings its own declarations. */
export function hasOwnTypes(pkg: PackageJson, fileExists: (relative: string) => boolean): boolean {
  if (typeof pkg.types === 'string' || typeof pkg.typings === 'string') return true;
  if (JSON.stringify(pkg.exports ?? null).includes('"types"')) return true;
  const main = (typeof pkg.main === 'string' ? pkg.main : 'index.js').replace(/^\.\//, '').replace(/\.[cm]?js$/, '');
  return fileExists(`${main}.d.ts`) || fileExists('index.d.ts');
}

/** The direct dependencies that may get `@types` packages (not types themselves, no types package asked for). */
function typeCandidates(dependencies: Record<string, string>): string[] {
  return Object.keys(dependencies).filter((name) => !name.startsWith('@types/') && !(typesPackageName(name) in dependencies));
}

/**
 * The `@types` packages to add to `dependencies` (name → exact version) for the packages extracted under
 * `<root>/node_modules`.
 */
export async function typesToAcquire(
  root: string,
  dependencies: Record<string, string>,
  lock: DependencyLock | undefined,
  opts: Record<string, unknown>,
): Promise<Record<string, string>> {
  const wanted: [string, string][] = [];
  for (const name of typeCandidates(dependencies)) {
    const dir = join(root, 'node_modules', name);
    const pkg = await readFile(join(dir, 'package.json'), 'utf8').then(
      (t) => JSON.parse(t) as PackageJson,
      () => undefined,
    );
    if (!pkg?.version || hasOwnTypes(pkg, (f) => existsSync(join(dir, f)))) continue;
    wanted.push([typesPackageName(name), pkg.version]);
  }
  return lookUpTypes(wanted, lock, opts);
}

/** What `guessTypes` needs to know of a package's version before it is installed. */
export interface PackageLook {
  /** The package.json of the version its range gives (the tarball's own). */
  pkg: PackageJson | undefined;
  files: ReadonlySet<string>;
}

/**
 * The same decision before the tree is built, so that the types join the one install: from the lock when there is
 * one (the types it holds for the direct dependencies), else from `hooks.look` (the version its range gives and that
 * version's own files, or undefined when they cannot be known). The install checks the guess against typesToAcquire
 * on the installed tree and installs again when they differ: a guess only saves time.
 */
export interface GuessHooks {
  /** The package's version its range gives now, with its own package.json and files; undefined when unknown. */
  look: (name: string, range: string) => Promise<PackageLook | undefined>;
  /** A types package is about to be looked up (its packument can be on its way). */
  lookingUp?: (types: string) => void;
  /** A types package was chosen. */
  found?: (types: string, version: string) => void;
}

/**
 * `lockKnowsTypes`: the lock comes from an install that looked for the types (a notebook's); false for the lock of an
 * install without them (InstallParams.addsTypesTo), where a package with no `@types` in it is looked at as without a
 * lock, at its locked version.
 */
export async function guessTypes(
  dependencies: Record<string, string>,
  lock: DependencyLock | undefined,
  opts: Record<string, unknown>,
  hooks: GuessHooks,
  lockKnowsTypes = true,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of typeCandidates(dependencies)) {
    const locked = lock?.[`node_modules/${typesPackageName(name)}`]?.version;
    if (locked) out[typesPackageName(name)] = locked;
  }
  if (lock && lockKnowsTypes) return out;
  // each package on its own: the types of one are known (and fetched ahead) while another's packument still comes
  await Promise.all(
    typeCandidates(dependencies)
      .filter((name) => !(typesPackageName(name) in out))
      .slice(0, MAX_TYPE_LOOKUPS)
      .map(async (name) => {
        const seen = await hooks.look(name, lock?.[`node_modules/${name}`]?.version ?? dependencies[name]!);
        if (!seen?.pkg?.version || hasOwnTypes(seen.pkg, (f) => seen.files.has(f))) return;
        const types = typesPackageName(name);
        hooks.lookingUp?.(types);
        const v = await resolveTypes(types, candidates(seen.pkg.version), opts);
        if (!v) return;
        out[types] = v;
        hooks.found?.(types, v);
      }),
  );
  return out;
}

/** The version of each wanted `@types` package: the lock's, else the closest to the package's version. */
async function lookUpTypes(wanted: [string, string][], lock: DependencyLock | undefined, opts: Record<string, unknown>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await Promise.all(
    wanted.slice(0, MAX_TYPE_LOOKUPS).map(async ([types, version]) => {
      const locked = lock?.[`node_modules/${types}`]?.version;
      const v = await resolveTypes(types, locked ? [locked] : candidates(version), opts);
      if (v) out[types] = v;
    }),
  );
  return out;
}

/** `~4.17.0`, `4`, `latest` for 4.17.21: the closest types first. */
function candidates(version: string): string[] {
  const [major, minor] = version.split('.');
  return [`~${major}.${minor}.0`, `${major}`, 'latest'];
}

async function resolveTypes(name: string, ranges: string[], opts: Record<string, unknown>): Promise<string | undefined> {
  for (const range of ranges) {
    try {
      const m = (await pacote.manifest(`${name}@${range}`, opts)) as { version?: string };
      if (m.version) return m.version;
    } catch (err) {
      // no version in this range: try a wider one; no such package, or no answer: no types
      if ((err as { code?: string }).code !== 'ETARGET') return undefined;
    }
  }
  return undefined;
}
