/**
 * Node's module resolve hook for the notebook's own modules (local files: a file: URL outside any node_modules
 * folder), which cells import or require:
 * - **their current version.** Node keeps an ES module for the life of the process, keyed by its URL, so a helper file
 *   edited while the kernel runs would otherwise be the first version for ever. Here, a local module whose file
 *   changed on disk, or that imports (at any depth) a local module whose file changed, resolves to a URL of its own
 *   (`?coda-v=N`), so Node loads it afresh; an unchanged module resolves to the URL it had, and stays the instance
 *   cells already hold (its state kept). A module's first load keeps its plain URL.
 * - **the notebook's packages.** A package a local module imports that its own folders do not hold is looked up in the
 *   notebook's dependency store (InitParams.modulePaths), as the cells' own imports are.
 * - **TypeScript, as in cells.** A local `.ts`, `.mts` or `.tsx` ES module loads with its types removed by the sucrase
 *   build the cells use (dist/sucrase.js, beside this file): on Node 20, which cannot strip types, and on Node 22+,
 *   whose own stripping refuses enums and parameter properties, which cells accept. Its decorators and accessors are
 *   compiled as a cell's are (transform/lowerDecorators.ts).
 *
 * Node >= 22.15 runs it on the main thread (module.registerHooks); older Node runs it in its hooks thread
 * (module.register of dist/module-hooks.js, `initialize` given the store folders), where the state below lives.
 * There, require() never reaches the hook, and the main thread's LocalModules answers for CommonJS through
 * require.cache; on the main thread it does, and a CommonJS module an ES module imports requires through Node's ES
 * module map, keyed by URL, so its requires are versioned too (the CommonJS loader keys its own cache by file name,
 * without the query).
 */
import { readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { candidates, inNodeModules, isPathSpecifier } from '../../common/modulePathCandidates';
import { DEFAULT_JSX } from '../../common/JsxSettings';
import type { DecoratorMode } from '../../protocol';

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

/** Where a package a local module imports is looked up after its own folders: a file in each store folder. */
let packageParents: string[] = [];
/** The decorators the notebook's TypeScript runs (NodeRuntime sets them on the main thread; `initialize` in the hooks thread). */
let decorators: DecoratorMode | undefined;

/** The notebook's decorators, for local modules (on the main thread; passed on to the hooks thread by LocalModules). */
export function useDecorators(mode: DecoratorMode | undefined): void {
  decorators = mode;
}
export const decoratorsInUse = (): DecoratorMode | undefined => decorators;

/** The notebook's dependency store folders (the parents of their node_modules), as createModuleSupport has them. */
export function initialize(data: { packageRoots?: string[]; decorators?: DecoratorMode } | undefined): void {
  packageParents = (data?.packageRoots ?? []).map((root) => pathToFileURL(join(root, '__coda_import__.js')).href);
  if (data?.decorators) decorators = data.decorators;
}

export function resolve(specifier: string, context: ResolveContext, next: NextResolve): Resolved | Promise<Resolved> {
  const spec = takeReported(specifier);
  const r = isBare(spec) ? withPackages(spec, context, next) : withExtensions(spec, context, next);
  return r instanceof Promise ? r.then((res) => versioned(res, context)) : versioned(r, context);
}

const isBare = (spec: string) => !/^(?:\.{0,2}\/|[a-z][a-z0-9+.-]*:|#)/i.test(spec) && !isBuiltin(spec);
const isNotFound = (err: unknown) => (err as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND';

/** `next` as Node resolves; a package a local module imports that its folders lack, from the store folders. */
function withPackages(spec: string, context: ResolveContext, next: NextResolve): Resolved | Promise<Resolved> {
  if (!packageParents.length || !localPath(context.parentURL)) return next(spec, context);
  return orElse(
    () => next(spec, context),
    isNotFound,
    packageParents.map((parentURL) => () => next(spec, { ...context, parentURL })),
  );
}

/** `next` as Node resolves; a relative import of a local module that names no file, as a bundler resolves it. */
function withExtensions(spec: string, context: ResolveContext, next: NextResolve): Resolved | Promise<Resolved> {
  if (!localPath(context.parentURL) || !isPathSpecifier(spec)) return next(spec, context);
  return orElse(
    () => next(spec, context),
    (err) => isNotFound(err) || (err as { code?: unknown } | null)?.code === 'ERR_UNSUPPORTED_DIR_IMPORT',
    candidates(spec).map((c) => () => next(c, context)),
  );
}

/**
 * `first()`; when it fails as `recoverable` says, each of `others` in turn until one does not fail with "not found".
 * Found by none, the error is the one `first` gave; any other error stops the search.
 */
function orElse(first: () => Resolved | Promise<Resolved>, recoverable: (err: unknown) => boolean, others: (() => Resolved | Promise<Resolved>)[]) {
  const from = (i: number, firstError: unknown): Resolved | Promise<Resolved> => {
    if (i >= others.length) throw firstError;
    return settle(others[i]!, (err) => {
      if (!isNotFound(err)) throw err;
      return from(i + 1, firstError);
    });
  };
  return settle(first, (err) => {
    if (!recoverable(err)) throw err;
    return from(0, err);
  });
}

/** `run()`, or `recover` of what it threw: synchronously, or when its promise rejects. */
function settle<T>(run: () => T | Promise<T>, recover: (err: unknown) => T | Promise<T>): T | Promise<T> {
  let r: T | Promise<T>;
  try {
    r = run();
  } catch (err) {
    return recover(err);
  }
  return r instanceof Promise ? r.catch(recover) : r;
}

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
  [key: string]: unknown;
}
type NextLoad = (url: string, context?: Record<string, unknown>) => LoadResult | Promise<LoadResult>;
type Sucrase = { transform(code: string, options: Record<string, unknown>): { code: string } };
let sucrase: Sucrase | undefined;

/** A parameter property may be in the module (a modifier before a name): its class fields are placed as in cells. */
const PARAMETER_PROPERTY = /\b(?:public|private|protected|readonly|override)\s+[\p{ID_Start}$_]/u;

/** TypeScript a local module holds, as an ES module without its types (`next` for anything else). */
export function load(url: string, context: Record<string, unknown>, next: NextLoad): LoadResult | Promise<LoadResult> {
  const path = localPath(url);
  const ext = path ? extname(path) : '';
  if (!path || !['.ts', '.mts', '.tsx'].includes(ext)) return next(url, context);
  const text = readFileSync(path, 'utf8');
  let code: string;
  if (/@|\baccessor\b|\bnamespace\s+[\p{ID_Start}$_]/u.test(text) || (/\bclass\b/.test(text) && (decorators?.assignFields || PARAMETER_PROPERTY.test(text)))) {
    // decorators, `accessor`, namespaces with values and class fields (classFields.ts) as in cells (the kernel defines
    // what the compiled code calls); required here, so the hooks thread's bundle evaluates the parser they need only
    // for a module that may have them
    const { cellJavaScript, typedCell } = require('../transform/typedCell') as typeof import('../transform/typedCell');
    const typed = typedCell(text, path, { typescript: true, ...(ext === '.tsx' && { jsx: DEFAULT_JSX }) }, decorators);
    code = cellJavaScript(text, typed, decorators).code;
  } else {
    // the bundle beside this one (scripts/build.mjs); its transform keeps lines where they were, as for cells
    sucrase ??= require(join(__dirname, 'sucrase.js')) as Sucrase;
    code = sucrase.transform(text, {
      transforms: ext === '.tsx' ? ['typescript', 'jsx'] : ['typescript'],
      disableESTransforms: true,
      keepUnusedImports: true,
      preserveDynamicImport: true,
      filePath: path,
    }).code;
  }
  // a CommonJS file written in TypeScript (no import or export) is Node's to load, as it would be without this hook
  if (ext !== '.mts' && !/^\s*(?:import|export)\b/m.test(code)) return next(url, context);
  return { format: 'module', source: code, shortCircuit: true };
}

/** A URL without the version this hook gave it (for stack frames and messages). */
export function withoutVersion(url: string): string {
  return url.replace(/([?&])coda-v=\d+(&?)/, (_m, lead: string, tail: string) => (tail ? lead : '')).replace(/\?$/, '');
}

function missingModule(path: string, parentURL: string | undefined): Error {
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
  if (entry.stamp === 'missing') throw missingModule(path, context.parentURL);
  const url = new URL(res.url);
  url.searchParams.set(VERSION_PARAM, String(entry.version));
  return { ...res, url: url.href };
}
