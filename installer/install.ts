/**
 * Installs a notebook's dependencies into its store with npm's own libraries (arborist over pacote).
 * Cache tiers: packuments kept in memory for the life of the installer process -> the content-addressed
 * cacache on disk (integrity checked on every read; a tampered entry fails, is evicted by `cacache.verify`, and
 * is fetched again) -> the registry. When the registry cannot be reached, the install is retried from the cache alone.
 * Every install builds a staging folder beside the store and renames it into place when complete (atomicStore.ts);
 * a lock, and the tree an install produces, must be verifiable (lockPolicy.ts); install scripts run only when the
 * notebook allows them, after extraction, confined as runInstallScripts.ts says.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CodaError, codaErrorObject, type DependencyLock, type InstallParams, type InstallResult } from '../protocol';
import { commitStore, discardStaging, removeLeftovers, stagingDirFor } from '../host/deps/atomicStore';
import { scriptMode } from '../host/deps/installAccess';
import { guessTypes, typesToAcquire } from './acquireTypes';
import { lockCovers, lockFromTree } from './lockfile';
import { badLocations, lockProblems, lockRefusedMessage, registryFrom, sanitizeLock } from '../host/deps/lockPolicy';
import { fetchOptions, loadNpmConfig } from '../host/deps/npmConfig';
import { withRegistryAgents } from './registryAgents';
import { installRunning } from './cacheBehind';
import { runInstallScripts, SCRIPT_SUPPORT_DIR, type ScriptTreeNode } from './runInstallScripts';
import { strengthenIntegrity } from './strengthenIntegrity';
import { contentRootFor } from '../host/deps/contentStore';
import { shareTree, type SharedNode } from './shareTree';
import { PhaseClock } from './phaseClock';
import { TreeBuilder, type BuiltTree } from './treeBuilder';

const NETWORK = new Set(['ENOTFOUND', 'ECONNREFUSED', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH']);
/** arborist's timers (proc-log `time` events) reported as phases of an install. */
const ARBORIST_PHASES = new Map([
  ['idealTree', 'arborist: resolve'],
  ['reify:unpack', 'arborist: extract'],
  ['reify:build', 'arborist: bin links'],
  ['reify:save', 'arborist: save'],
]);

type Progress = (message: string) => void;

export async function install(params: InstallParams, progress: Progress = () => undefined): Promise<InstallResult> {
  // the responses this install fetches go into the HTTP cache once it has answered (and no other install runs)
  const ended = installRunning();
  try {
    return await installInStaging(params, progress);
  } finally {
    ended();
  }
}

async function installInStaging(params: InstallParams, progress: Progress): Promise<InstallResult> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const config = await loadNpmConfig(params.npmrcFrom);
  // the Node the packages will run on: what pacote's picks (npm-pick-manifest), arborist and the lean resolver check
  // `engines` against, instead of the installer's own
  const opts = withRegistryAgents({ ...fetchOptions(config), nodeVersion: engineNodeVersion(params.nodeVersion) });
  const registry = String(opts.registry);
  const registryFor = registryFrom(opts);
  const lock = params.lock ? sanitizeLock(params.lock) : undefined;
  if (lock) {
    const problems = [...badLocations(lock), ...(params.allowUnverifiedLock ? [] : lockProblems(lock, registryFor))];
    if (problems.length) throw codaErrorObject('LockRefused', { detail: lockRefusedMessage(problems, 'lock') });
  }
  await removeLeftovers(params.storeDir);
  const staging = stagingDirFor(params.storeDir);
  const locked = lockCovers(params.dependencies, lock);

  const clock = new PhaseClock();
  const editorTypes = params.editorTypes !== false;
  let fetched = 0;
  const onLog = (level: string, ...args: unknown[]) => {
    if (level !== 'http') return;
    const line = args.map(String).join(' ');
    if (!/\bGET 200\b/.test(line) || /\(cache (hit|revalidated|stale)\)/.test(line)) return;
    fetched++;
    const tarball = /\/([^/\s]+\.tgz)\b/.exec(line)?.[1];
    if (tarball) progress(`downloaded ${tarball}`);
  };
  process.on('log', onLog);
  // arborist's own phases (proc-log `time` events): resolving the tree, extracting the packages
  const arboristStarts = new Map<string, number>();
  const onTime = (kind: string, name: string) => {
    if (!ARBORIST_PHASES.has(name)) return;
    if (kind === 'start') arboristStarts.set(name, performance.now());
    else if (arboristStarts.has(name)) clock.add(ARBORIST_PHASES.get(name)!, performance.now() - arboristStarts.get(name)!);
  };
  process.on('time', onTime);
  const builder = new TreeBuilder({
    staging,
    cacheDir: params.cacheDir,
    opts,
    lock,
    locked,
    // CodaJS builds the tree from the content store unless scripts run (arborist's reify extracts it then)
    fast: !params.allowScripts && process.platform !== 'win32',
    scripts: scriptMode(params),
    share: editorTypes,
    clock,
    progress,
  });
  let offline = !!params.offline;
  try {
    progress(`resolving ${Object.keys(params.dependencies).join(', ')}${locked ? ' (locked)' : ''}`);
    // offline, the cache answers at once: nothing to run ahead for
    if (!offline) builder.runAhead(params.dependencies);
    // the editor's types: `@types` packages for what ships none, installed in the same tree (same cache, scripts off,
    // the same checks below), decided before the tree is built when that can be known; they never fail an install
    const guessed =
      editorTypes && builder.guessesTypes
        ? await clock.time('types guess', () =>
            guessTypes(
              params.dependencies,
              lock,
              builder.packumentOpts(offline),
              {
                look: (n, r) => builder.look(n, r, offline),
                lookingUp: (types) => !offline && builder.packumentAhead(types),
                // what a types package needs is fetched ahead of arborist too (@types/node and the like are large)
                found: (types, version) => !offline && builder.runAhead({ [types]: version }),
              },
              // the lock of an install without the types says nothing of them
              params.addsTypesTo === undefined,
            ),
          )
        : {};
    const withTypes = { ...params.dependencies, ...guessed };
    const first = async (deps: Record<string, string>) => {
      try {
        return await builder.build(deps, offline);
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (code === 'EINTEGRITY') {
          progress('a cached package failed its integrity check: evicting it and fetching it again');
          await evictCorrupt(params.cacheDir);
          return builder.build(deps, offline);
        }
        if (!offline && NETWORK.has(code)) {
          progress(`${registry} is unreachable (${code}): installing from the cache`);
          offline = true;
          return builder.build(deps, true);
        }
        throw err;
      }
    };
    let built: BuiltTree;
    let types: Record<string, string> = {};
    let inTree = guessed;
    try {
      built = await first(withTypes);
      // the guess is checked on the installed tree, by the rule typesToAcquire states; a wrong guess installs again
      if (editorTypes) types = await clock.time('types check', () => typesToAcquire(staging, params.dependencies, lock, builder.packumentOpts(offline)));
    } catch (err) {
      if (!Object.keys(guessed).length) throw err;
      built = await first(params.dependencies);
      inTree = {};
      progress(`the types could not be added (${(err as Error).message.split('\n')[0]})`);
    }
    if (!sameTypes(types, inTree)) {
      if (Object.keys(types).length) progress(`adding types: ${Object.keys(types).join(', ')}`);
      // a tree from the content store is linked again (its packages are stored); over a tree arborist extracted, only
      // the difference is extracted
      built = await builder.build({ ...params.dependencies, ...types }, offline, !!built.own).catch(async (err: unknown) => {
        progress(`the types could not be added (${(err as Error).message.split('\n')[0]})`);
        types = {};
        return builder.build(params.dependencies, offline);
      });
    }
    const tree = built.tree;
    const nodes = [...tree.inventory.values()];
    const result: DependencyLock = lockFromTree(nodes as unknown as Parameters<typeof lockFromTree>[0]);
    await clock.time('integrity', () => strengthenIntegrity(result, opts, params.cacheDir, staging));
    // whatever arborist resolved (a dependency's own `file:` or git spec included) must be verifiable too
    // links (a dependency's `file:` spec) are not in the lock: they would put a folder from anywhere into the store
    const links = (nodes as unknown as { isLink?: boolean; location: string; realpath?: string }[])
      .filter((n) => n.isLink)
      .map((n) => `${n.location} links to the local folder ${n.realpath ?? '?'}`);
    const problems = [...badLocations(result), ...(params.allowUnverifiedLock ? [] : [...links, ...lockProblems(result, registryFor)])];
    if (problems.length) throw codaErrorObject('LockRefused', { detail: lockRefusedMessage(problems, 'tree') });
    // before any script runs: shared files are in place (read-only) and script packages hold their own copies
    const shared = built.own
      ? { own: built.own }
      : await clock.time('share', () => shareTree(nodes as unknown as SharedNode[], contentRootFor(params.cacheDir), params.allowScripts, progress));
    if (params.allowScripts) {
      // type packages hold declarations only: the ones added for the editor never run a script
      const scripted = (nodes as unknown as ScriptTreeNode[]).filter((n) => !(n.package.name && n.package.name in types));
      await runInstallScripts(scripted, {
        root: staging,
        permissions: params.permissions,
        secretNames: params.secretNames ?? [],
        progress,
      });
      await rm(join(staging, SCRIPT_SUPPORT_DIR), { recursive: true, force: true });
    }
    await clock.time('cache writes', () => builder.cached());
    const committed = await clock.time('commit', () =>
      commitStore(staging, params.storeDir, { scripts: scriptMode(params), own: shared.own, types: editorTypes }, params.addsTypesTo),
    );
    const installed: Record<string, string> = {};
    for (const name of Object.keys(params.dependencies)) {
      const v = result[`node_modules/${name}`]?.version;
      if (v) installed[name] = v;
    }
    return {
      lock: result,
      modulePath: join(params.storeDir, 'node_modules'),
      installed,
      fetched,
      durationMs: performance.now() - started,
      cpuMs: cpuMs(process.cpuUsage(cpuBefore)),
      offline,
      phases: clock.phases,
      ...(!committed && { superseded: true }),
    };
  } catch (err) {
    throw err instanceof CodaError ? err : describe(err, registry, params, offline);
  } finally {
    process.off('log', onLog);
    process.off('time', onTime);
    builder.dispose();
    await discardStaging(staging);
  }
}

/** A Node version as `node --version` prints one: `v22.11.0`, or a prerelease such as `v25.0.0-nightly20251101a1b2c3`. */
const NODE_VERSION = /^v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)$/;

/** The Node version `engines` are checked against: the host's (a full semver version), else the installer's own. */
export function engineNodeVersion(given: string | undefined): string {
  if (given === undefined) return process.version;
  const m = NODE_VERSION.exec(given);
  if (!m) throw new Error(`the Node version to install for is not a version: ${JSON.stringify(given)}`);
  return `v${m[1]}`;
}

/** A CPU usage in ms. */
function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

/** The same `@types` packages at the same versions. */
function sameTypes(a: Record<string, string>, b: Record<string, string>): boolean {
  return Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);
}

/** Drops every cache entry whose content no longer matches its integrity. */
async function evictCorrupt(cacheDir: string): Promise<void> {
  const cacache = (await import('cacache')) as { verify(cache: string): Promise<unknown> };
  await cacache.verify(cacheDir);
}

function describe(err: unknown, registry: string, params: InstallParams, offline: boolean): CodaError {
  const e = err as { code?: string; message?: string; pkgid?: string; packageName?: string };
  const message = e.message ?? String(err);
  const name = e.packageName ?? e.pkgid?.replace(/@[^@]*$/, '') ?? /for ([^@\s]+)@/.exec(message)?.[1] ?? '';
  const packages = Object.keys(params.dependencies).join(', ');
  switch (e.code) {
    case 'E404': {
      const pkg = name || pkgFrom404(message);
      return about(codaErrorObject('PackageNotFound', { pkg, registry }), pkg);
    }
    case 'ETARGET':
      return about(codaErrorObject('VersionNotFound', { detail: sentence(message) }), name);
    case 'ENOTCACHED':
      // asked to stay offline (coda run --offline), not fallen back to the cache because the network failed
      return params.offline
        ? codaErrorObject('OfflineNotCached', { packages })
        : codaErrorObject('NotCached', { host: failingHost(err) ?? registry, packages });
    case 'EINTEGRITY':
      return codaErrorObject('IntegrityError', { detail: sentence(message).replace(/\.$/, '') });
    default:
      if (NETWORK.has(e.code ?? '')) {
        // the host that failed: a dependency's tarball may live elsewhere than the registry
        const host = failingHost(err) ?? registry;
        return offline ? codaErrorObject('NotCached', { host, packages }) : codaErrorObject('RegistryUnreachable', { host, errno: e.code! });
      }
      return about(codaErrorObject('InstallFailed', { packages, detail: sentence(message) }), name);
  }
}

/** Names the package an error is about (props.package, as JSON), so the host fails only the cells that import it. */
function about(err: CodaError, pkg: string): CodaError {
  if (pkg) err.props = { package: JSON.stringify(pkg) };
  return err;
}

/** The first line of a message, ending in exactly one full stop. */
function sentence(message: string): string {
  return `${message
    .split('\n')[0]!
    .trim()
    .replace(/[.\s]+$/, '')}.`;
}

/** The origin a network error was about (`request to https://host/… failed`, or the error's own host fields). */
export function failingHost(err: unknown): string | undefined {
  const e = err as { uri?: unknown; url?: unknown; hostname?: unknown; host?: unknown; message?: unknown };
  for (const candidate of [e.uri, e.url]) {
    if (typeof candidate !== 'string') continue;
    try {
      return new URL(candidate).origin;
    } catch {
      // not a URL: look further
    }
  }
  const url = typeof e.message === 'string' ? /\b(?:request to|GET|fetching) (https?:\/\/[^/\s]+)/i.exec(e.message)?.[1] : undefined;
  if (url) return url;
  const host = typeof e.hostname === 'string' ? e.hostname : typeof e.host === 'string' ? e.host : undefined;
  return host || undefined;
}

function pkgFrom404(message: string): string {
  return decodeURIComponent(/GET \S+\/((?:@[^/\s]+(?:\/|%2f))?[^/\s]+) -/i.exec(message)?.[1] ?? 'unknown');
}
