/**
 * Node's module resolve hook that gives cells the current version of the notebook's own modules (local files: a
 * file: URL outside any node_modules folder). Node keeps an ES module for the life of the process, keyed by its URL,
 * so a helper file edited while the kernel runs would otherwise be the first version for ever (re-running the cell
 * that imports it changes nothing). Here, a local module whose file changed on disk, or that imports (at any depth) a
 * local module whose file changed, resolves to a URL of its own (`?coda-v=N`), so Node loads it afresh; an unchanged
 * module resolves to the URL it had, and stays the instance cells already hold (its state kept). A module's first
 * load keeps its plain URL.
 *
 * Node >= 22.15 runs it on the main thread (module.registerHooks); older Node
 * runs it in its hooks thread (module.register of dist/fresh-hooks.js), where the state below lives. There, require()
 * never reaches the hook, and the main thread's FreshModules answers for CommonJS through require.cache; on the main
 * thread it does, and a CommonJS module an ES module imports requires through Node's ES module map, keyed by URL, so
 * its requires are versioned too (the CommonJS loader keys its own cache by file name, without the query).
 */
import { statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The query parameter naming a reloaded module's version (frames drop it: withoutVersion). */
export const VERSION_PARAM = 'coda-v';
/** The parameter by which the main thread names files it found changed that this hook cannot see (CommonJS ones). */
export const CHANGED_PARAM = 'coda-changed';

interface Loaded {
  /** 0 for the first load (the plain URL), then the version its URL carries. */
  version: number;
  /** The file's mtime and size when this version was resolved. */
  stamp: string;
  /** The local files this version imported, each with the version it was given then. */
  deps: Map<string, number>;
}

const loaded = new Map<string, Loaded>();
let lastVersion = 0;
/** Files the main thread reported changed, until their next version is resolved. */
const reported = new Set<string>();

interface Resolved {
  url: string;
  format?: string | null;
  [key: string]: unknown;
}
interface ResolveContext {
  parentURL?: string;
  [key: string]: unknown;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Resolved | Promise<Resolved>;

export function resolve(specifier: string, context: ResolveContext, next: NextResolve): Resolved | Promise<Resolved> {
  const spec = takeReported(specifier);
  const r = next(spec, context);
  return r instanceof Promise ? r.then((res) => versioned(res, context)) : versioned(r, context);
}

/** A URL without the version this hook gave it (for stack frames and messages). */
export function withoutVersion(url: string): string {
  return url.replace(/([?&])coda-v=\d+(&?)/, (_m, lead: string, tail: string) => (tail ? lead : '')).replace(/\?$/, '');
}

function notFound(path: string, parentURL: string | undefined): Error {
  const from = localPath(parentURL) ?? parentURL;
  const err = new Error(`Cannot find module '${path}'${from ? ` imported from ${from}` : ''}`);
  return Object.assign(err, { code: 'ERR_MODULE_NOT_FOUND', url: pathToFileURL(path).href });
}

function takeReported(specifier: string): string {
  if (!specifier.includes(CHANGED_PARAM)) return specifier;
  const at = specifier.indexOf('?');
  if (at === -1) return specifier;
  const hash = specifier.indexOf('#', at);
  const query = new URLSearchParams(specifier.slice(at + 1, hash === -1 ? undefined : hash));
  const files = query.get(CHANGED_PARAM);
  if (files === null) return specifier;
  for (const f of JSON.parse(files) as string[]) reported.add(f);
  query.delete(CHANGED_PARAM);
  const rest = query.toString();
  return specifier.slice(0, at) + (rest ? `?${rest}` : '') + (hash === -1 ? '' : specifier.slice(hash));
}

/** A package's file: never loaded again. */
export const inNodeModules = (file: string) => /[\\/]node_modules[\\/]/.test(file);

function localPath(url: string | undefined): string | undefined {
  if (!url?.startsWith('file:')) return undefined;
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch {
    return undefined;
  }
  return inNodeModules(path) ? undefined : path;
}

/** A file's identity on disk now: its mtime, size and inode ('missing' once removed). */
export function stampOf(path: string): string {
  try {
    const s = statSync(path);
    return `${s.mtimeMs}:${s.size}:${s.ino}`;
  } catch {
    return 'missing';
  }
}

/** Whether the version of `path` now loaded is out of date: its file, or a local module it imports, changed. */
function changed(path: string, seen: Set<string>): boolean {
  if (seen.has(path)) return false;
  seen.add(path);
  const entry = loaded.get(path);
  if (!entry) return false;
  if (reported.has(path) || stampOf(path) !== entry.stamp) return true;
  for (const [dep, version] of entry.deps) if (loaded.get(dep)?.version !== version || changed(dep, seen)) return true;
  return false;
}

function versioned(res: Resolved, context: ResolveContext): Resolved {
  const path = localPath(res.url);
  if (!path) return res;
  let entry = loaded.get(path);
  if (!entry || changed(path, new Set())) {
    entry = { version: entry ? ++lastVersion : 0, stamp: stampOf(path), deps: new Map() };
    loaded.set(path, entry);
    reported.delete(path);
  }
  const parent = localPath(context.parentURL);
  if (parent) loaded.get(parent)?.deps.set(path, entry.version);
  if (entry.version === 0) return res;
  // Node may answer from its resolution cache for a file since removed: say so as its resolver would
  if (entry.stamp === 'missing') throw notFound(path, context.parentURL);
  const url = new URL(res.url);
  url.searchParams.set(VERSION_PARAM, String(entry.version));
  return { ...res, url: url.href };
}
