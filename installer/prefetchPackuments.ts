/**
 * Resolution that runs ahead of arborist. arborist resolves a tree level by level: a package's dependencies are
 * asked for only once the package itself is resolved, so a deep tree waits for one registry round trip per level.
 * This walks the same tree at once, every packument requested in parallel as soon as a parent's likely version
 * (pacote's own pick: the `latest` tag when it fits the range, else the highest that does) names it, and leaves
 * each one in the packument cache arborist reads, while it is still in flight, so arborist never asks twice and
 * waits for no level it does not have yet.
 *
 * It decides nothing: arborist still resolves the tree from these very packuments (fetched with its own options:
 * the registry and scoped registries of the user's npm config, their auth, the full documents it asks for), so the
 * tree is the one arborist would build alone. A guess that arborist does not follow costs one request. A failed
 * request is forgotten and left for arborist to make (and report) itself.
 */
import pacote from 'pacote';
import npa from 'npm-package-arg';
import { checkPlatform } from 'npm-install-checks';
import { fetchPackument } from './fetchPackument';

/** At most this many packuments are asked for ahead of arborist per install. */
export const MAX_PREFETCH = 600;

/** The fields of a picked version this reads. */
export interface PickedManifest {
  name: string;
  version: string;
  _resolved?: string;
  _integrity?: string;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bundleDependencies?: string[] | boolean;
  bundledDependencies?: string[] | boolean;
}

export interface PrefetchListener {
  /** A version picked on the way (`direct`: for a dependency of the root). */
  manifest?: (manifest: PickedManifest, direct: boolean) => void;
  /** Every direct dependency's packument has come (or failed). */
  firstLevel?: () => void;
  /** A packument's HTTP cache write, which goes on after its document is handed over. */
  cached?: (done: Promise<void>) => void;
}

/** pacote's registry fetcher: the packument URL it asks for a name (scoped registries included). */
type RegistryFetcher = new (spec: string, opts: Record<string, unknown>) => { packumentUrl: string };
const { RegistryFetcher } = pacote as unknown as { RegistryFetcher: RegistryFetcher };

/**
 * Starts fetching the packuments of `dependencies` and of everything they are likely to need into `cache` (the
 * `packumentCache` given to arborist, with the options given to it); `on` hears of each version picked on the way (to
 * fetch its tarball early) and of the first level's end. Resolves, never rejects, once the walk is done, with the number of packuments
 * it asked for.
 */
export async function prefetchPackuments(
  dependencies: Record<string, string>,
  opts: Record<string, unknown>,
  cache: Map<string, unknown>,
  on: PrefetchListener = {},
  /** Called once the packument is in `cache`. */
  pick?: (name: string, range: string) => Promise<unknown>,
): Promise<number> {
  // the documents arborist asks for (build-ideal-tree's #fetchManifest), so the cache keys are the ones it reads
  const fetchOpts = { ...opts, fullMetadata: true, packumentCache: cache };
  // pacote's pick from those documents (the caller's may remember them for the resolution after)
  const picked = pick ?? ((name: string, range: string) => pacote.manifest(`${name}@${range || '*'}`, fetchOpts as pacote.Options & { fullMetadata: true }));
  const requested = new Set<string>();
  const walked = new Set<string>();
  const walks: Promise<void>[] = [];

  const packument = (name: string): Promise<unknown> | undefined => {
    if (!requested.has(name) && requested.size >= MAX_PREFETCH) return undefined;
    requested.add(name);
    return packumentAhead(name, fetchOpts, cache, on.cached);
  };

  const walk = (name: string, range: string, direct = false): void => {
    const id = `${name}@${range}`;
    if (walked.has(id)) return;
    walked.add(id);
    if (!isRegistrySpec(name, range)) return;
    const doc = packument(name);
    if (!doc) return;
    walks.push(
      doc
        .then(() => picked(name, range))
        .then((m) => {
          const manifest = m as unknown as PickedManifest;
          // a package for another platform (an optional binary): arborist leaves it out, so nothing below it is needed
          if (!forThisPlatform(manifest)) return;
          on.manifest?.(manifest, direct);
          const bundled = new Set([manifest.bundleDependencies, manifest.bundledDependencies].flatMap((b) => (Array.isArray(b) ? b : [])));
          const optionalPeer = (n: string) => !!manifest.peerDependenciesMeta?.[n]?.optional;
          for (const [dep, r] of Object.entries({ ...manifest.peerDependencies, ...manifest.optionalDependencies, ...manifest.dependencies })) {
            if (bundled.has(dep) || (optionalPeer(dep) && !manifest.dependencies?.[dep] && !manifest.optionalDependencies?.[dep])) continue;
            walk(dep, r);
          }
        })
        .catch(() => undefined),
    );
  };

  for (const [name, range] of Object.entries(dependencies)) walk(name, range, true);
  void Promise.all(walks.slice()).then(() => on.firstLevel?.());
  // the walks grow while they run: wait until no new one was started
  for (let seen = 0; seen < walks.length;) {
    const batch = walks.slice(seen);
    seen = walks.length;
    await Promise.all(batch);
  }
  return requested.size;
}

/** A registry spec other than an alias: the specs fetched ahead (a git, file or URL spec, or an alias, is arborist's alone). */
export function isRegistrySpec(name: string, range: string): boolean {
  try {
    const spec = npa.resolve(name, range || '*');
    return !!spec.registry && spec.type !== 'alias';
  } catch {
    // an invalid spec: pacote or arborist says what is wrong with it
    return false;
  }
}

/**
 * One packument into `cache` (arborist's packument cache), fetched as arborist would (`opts`: the install's options)
 * unless it is there or on its way: the promise in the cache until the document comes, then the document; a failure
 * is forgotten (whoever asks next fetches it again, and hears the error itself).
 */
export function packumentAhead(
  name: string,
  opts: Record<string, unknown>,
  cache: Map<string, unknown>,
  cached?: (done: Promise<void>) => void,
): Promise<unknown> {
  const fetchOpts = { ...opts, fullMetadata: true, packumentCache: cache };
  const fetcher = new RegistryFetcher(name, { ...fetchOpts, packumentCache: undefined });
  const key = `full:${fetcher.packumentUrl}`;
  if (cache.has(key)) return Promise.resolve(cache.get(key));
  const fetched = fetchPackument(fetcher.packumentUrl, name, fetchOpts);
  cached?.(fetched.cached);
  const inFlight = fetched.doc;
  cache.set(key, inFlight);
  inFlight.then(
    (doc) => cache.get(key) === inFlight && cache.set(key, doc),
    () => cache.get(key) === inFlight && cache.delete(key),
  );
  return inFlight;
}

/** npm-install-checks' os, cpu and libc rules, as arborist applies them (a package they refuse is left out). */
function forThisPlatform(m: PickedManifest): boolean {
  try {
    checkPlatform(m, false);
    return true;
  } catch {
    return false;
  }
}
