/**
 * The packages a notebook's cells need, installed so that one bad import fails only the cells that import it: when
 * the install of everything fails, the packages that cannot be installed are found (the one the error names, else
 * each package on its own, into a throw-away store), the rest is installed, and each cell that imports a failed
 * package gets an error naming the cell's import and why. Cells without imports, or with good ones, run. Used by the
 * extension and `coda run` alike (no vscode import).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  asCodaError,
  codaError,
  isCodaError,
  type CodaErrorCode,
  type DependencySpec,
  type InstallResult,
  type Permissions,
  type SerializedError,
} from '../../protocol';
import type { analyzeDependencies } from './analyzeDependencies';
import { analyzeNotebook } from './helperModules';
import { neededDependencies } from './neededDependencies';
import { nearPopularPackage } from './popularPackages';

/** Errors that say nothing about one package: every package failed for the same reason. */
const WHOLE_INSTALL_ERRORS = new Set<string>(['RegistryUnreachable', 'NotCached', 'OfflineNotCached', 'Cancelled', 'LockRefused'] satisfies CodaErrorCode[]);
/** Packages probed one by one at the most (beyond, the whole install's error goes to every importing cell). */
export const MAX_PROBES = 12;

export interface CellSource {
  cellId: string;
  code: string;
}

/** Installs `dependencies` into `storeDir` (the real store, or a throw-away one while probing). */
export type Install = (dependencies: Record<string, string>, storeDir: string) => Promise<InstallResult>;

export interface CellsInstall {
  /** The packages the cells need (none: nothing was installed). */
  needed: DependencySpec[];
  /** The result of the final install, when one ran and succeeded. */
  result?: InstallResult;
  /** Cells that cannot run: an unreadable `// @coda-dep`, or an import of a package that could not be installed. */
  cellErrors: Map<string, SerializedError>;
  /** Packages that could not be installed, by name. */
  failed: Map<string, SerializedError>;
}

/** What the cells import, for `installForCells` (and for a host's "did anything change" key). */
export type CellsAnalysis = Awaited<ReturnType<typeof analyzeDependencies>>;

export async function installForCells(
  cells: CellSource[] | CellsAnalysis,
  folder: string | undefined,
  storeDir: string,
  install: Install,
  /** The notebook's declared permissions: which of its helper modules may be read for their packages. */
  permissions?: Permissions,
): Promise<CellsInstall> {
  const analysis = Array.isArray(cells) ? await analyzeNotebook(cells, folder, permissions) : cells;
  const cellErrors = new Map<string, SerializedError>();
  for (const p of analysis.problems) {
    if (p.cellId && !cellErrors.has(p.cellId)) cellErrors.set(p.cellId, codaError('DependencySpecError', { line: p.line ?? '?', problem: p.message }));
  }
  const { needed, dependencies } = neededDependencies(analysis.specs, folder);
  const failed = new Map<string, SerializedError>();
  // a plain import one keystroke from a popular package is not installed until a // @coda-dep confirms it
  const confirmed = new Set(needed.filter((s) => s.from.kind === 'magic').map((s) => s.name));
  for (const spec of needed) {
    const near = confirmed.has(spec.name) ? undefined : nearPopularPackage(spec.name);
    if (!near || failed.has(spec.name)) continue;
    delete dependencies[spec.name];
    failed.set(spec.name, codaError('TyposquatSuspected', { pkg: spec.name, near }));
  }
  if (!Object.keys(dependencies).length) return { needed, cellErrors: attribute(analysis.sites, failed, cellErrors), failed };
  let result: InstallResult | undefined;
  try {
    result = await install(dependencies, storeDir);
  } catch (err) {
    if (isCodaError(err, 'Cancelled')) throw err;
    const error = asError(err);
    for (const [name, e] of await culprits(dependencies, error, install)) failed.set(name, e);
    const rest = Object.fromEntries(Object.entries(dependencies).filter(([name]) => !failed.has(name)));
    if (Object.keys(rest).length) {
      try {
        result = await install(rest, storeDir);
      } catch (again) {
        // what remains fails too (an error no single package explains): every package gets it
        for (const name of Object.keys(rest)) failed.set(name, asError(again));
      }
    }
  }
  return { needed, result, cellErrors: attribute(analysis.sites, failed, cellErrors), failed };
}

/** Each cell that imports (or pins) a package that failed gets an error naming its import and why. */
function attribute(sites: DependencySpec[], failed: Map<string, SerializedError>, cellErrors: Map<string, SerializedError>): Map<string, SerializedError> {
  for (const spec of sites) {
    const error = failed.get(spec.name);
    const cellId = spec.from.cellId;
    if (!error || !cellId || cellErrors.has(cellId)) continue;
    const how = spec.from.kind === 'magic' ? `// @coda-dep ${spec.name}` : `the import of '${spec.name}'`;
    const line = spec.from.line ? `line ${spec.from.line}` : '';
    const where = spec.from.file ? ` (${[spec.from.file, line].filter(Boolean).join(', ')}, a module this cell imports)` : line ? ` (${line})` : '';
    cellErrors.set(cellId, {
      name: error.name,
      ...(error.code !== undefined && { code: error.code }),
      message: `${how}${where} could not be installed, so this cell did not run: ${error.message}`,
      props: { package: JSON.stringify(spec.name) },
    });
  }
  return cellErrors;
}

/** Which packages make the install fail: the one the error names, else each package tried on its own. */
async function culprits(dependencies: Record<string, string>, error: SerializedError, install: Install): Promise<Map<string, SerializedError>> {
  const names = Object.keys(dependencies);
  const out = new Map<string, SerializedError>();
  if (WHOLE_INSTALL_ERRORS.has(error.code ?? '') || names.length === 1) {
    for (const name of names) out.set(name, error);
    return out;
  }
  // the installer names the package an error is about (props.package); a dependency of a dependency is none of these
  const named = names.filter((n) => error.props?.package === JSON.stringify(n));
  if (named.length === 1) {
    out.set(named[0]!, error);
    return out;
  }
  if (names.length > MAX_PROBES) {
    for (const name of names) out.set(name, error);
    return out;
  }
  const probeRoot = await mkdtemp(join(tmpdir(), 'coda-probe-'));
  try {
    for (const name of names) {
      try {
        await install({ [name]: dependencies[name]! }, join(probeRoot, name.replace(/[/@]/g, '_')));
      } catch (err) {
        if (isCodaError(err, 'Cancelled')) throw err;
        out.set(name, asError(err));
      }
    }
  } finally {
    await rm(probeRoot, { recursive: true, force: true });
  }
  // nothing failed on its own: the packages only fail together (a conflict); all of them carry the error
  if (!out.size) for (const name of names) out.set(name, error);
  return out;
}

/** The installer's catalogue error as plain data; anything else (the installer could not be started) is InstallFailed. */
function asError(err: unknown): SerializedError {
  const message = (err as { message?: unknown })?.message;
  return asCodaError(err) ?? codaError('InstallFailedOther', { detail: typeof message === 'string' ? message : String(err) });
}
