/**
 * The kernel worker's code cache (worker/entry.ts): which file a worker launch reads, and the process that writes it.
 * One file per Node binary, V8-relevant flags and worker bundle, in the user's own compile-cache folder. It is built
 * by a process of its own, started in the background once a kernel reports the file absent, stale or rejected: that
 * process runs the worker's warm-up cells and no notebook, so no notebook's code ever writes code another kernel runs
 * (kernels only read the file; a notebook with declared permissions may read the folder, never write it).
 * The installer's code cache (installer/entry.ts) is named by the same rule, `installer-` files beside these.
 * Node built-ins only: cli/entry.ts forks through forkWorker.ts, which names the file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { setPriority, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CODE_CACHE_BUILD_ENV, CODE_CACHE_FILE_ENV, type CodeCacheStatus } from '../../protocol/workerCodeCache';
import { compileCacheDir } from '../cacheRoot';

/** The worker bundle dist/worker.js loads, beside it. */
export const WORKER_MAIN = 'worker-main.js';

/** The processes whose bundle loads through a code cache: each entry (`<kind>.js`) loads `<kind>-main.js` beside it. */
export type CodeCacheKind = 'worker' | 'installer';

/** Flags that do not change what V8 compiles or accepts (the permission model, warnings, the debug signal). */
const IGNORED_FLAG = /^--(permission|experimental-permission|allow-|disable-warning|disable-sigusr1)/;

/** The flags a cache file is keyed by and its build runs with: the launch's, less those above. */
const cacheFlags = (execArgv: string[]) => execArgv.filter((f) => !IGNORED_FLAG.test(f));

export interface CodeCacheLaunch {
  /** dist/worker.js (dist/installer.js for the installer's cache) */
  workerPath: string;
  /** The Node that runs it: an absolute path. */
  node: string;
  execArgv: string[];
}

/** 32-bit FNV-1a, in hex: a file name from a key (the file's first line names what it was made from in full). */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * The cache file for this launch: `<kind>-<Node binary and flags>-<bundle>.v8` (a new build replaces the files with
 * the same first part), or undefined when the Node binary or the bundle cannot be read.
 */
export function codeCacheFile(launch: CodeCacheLaunch, dir = compileCacheDir(), kind: CodeCacheKind = 'worker'): string | undefined {
  try {
    const node = statSync(launch.node);
    const main = join(dirname(launch.workerPath), `${kind}-main.js`);
    const bundle = statSync(main);
    const flags = cacheFlags(launch.execArgv).join('\0');
    return join(dir, `${kind}-${fnv(`${launch.node}\0${node.size}\0${node.mtimeMs}\0${flags}`)}-${fnv(`${main}\0${bundle.size}\0${bundle.mtimeMs}`)}.v8`);
  } catch {
    return undefined;
  }
}

/** A worker's or installer's code cache file, or its staging file (`<file>.<pid>.tmp`). */
const CODE_CACHE_NAME = /^(worker|installer)-[0-9a-f]{8}-[0-9a-f]{8}\.v8(\.\d+\.tmp)?$/;

/**
 * Removes the worker and installer code caches of `dir` written more than `maxAgeMs` ago (one still used is written
 * again at the next kernel start or install: bounded without tracking each read, which a kernel with permissions could
 * not record) and staging files a build left; nothing else of the folder (Node's own compile cache is beside them).
 * Returns how many it removed.
 */
export async function pruneCodeCaches(dir: string, maxAgeMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!CODE_CACHE_NAME.test(name)) continue;
    const st = await lstat(join(dir, name)).catch(() => undefined);
    if (!st?.isFile() || now - st.mtimeMs <= maxAgeMs) continue;
    await rm(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

/** What a kernel's report asks of the cache: a build when there is none it could use. */
export function needsBuild(status: CodeCacheStatus | undefined): boolean {
  return status === 'absent' || status === 'stale' || status === 'rejected';
}

/** Builds in progress, and the files this process has built (a file a kernel then finds stale or rejected is not built again: no loop). */
const building = new Map<string, ChildProcess>();
const built = new Set<string>();

/**
 * Starts the build of this launch's cache file in the background (at the lowest priority, not waited for: a host that
 * exits leaves it to finish, within the 30 s the build allows itself), as a kernel's report (`found`) asks: unless one
 * is running, or this process built the file a kernel then found stale or rejected.
 */
export function buildCodeCache(launch: CodeCacheLaunch, found: CodeCacheStatus = 'absent', log?: (message: string) => void): ChildProcess | undefined {
  const file = codeCacheFile(launch);
  if (!file || building.has(file) || (found !== 'absent' && built.has(file))) return undefined;
  built.add(file);
  let child: ChildProcess;
  try {
    // made here, not by the build: a folder removed while the build runs stays removed
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    child = spawn(launch.node, [...cacheFlags(launch.execArgv), launch.workerPath], {
      cwd: tmpdir(),
      // nothing of the user's environment: the build runs the warm-up cells only
      env: { PATH: process.env.PATH ?? '', [CODE_CACHE_FILE_ENV]: file, [CODE_CACHE_BUILD_ENV]: '1' },
      stdio: 'ignore',
      detached: true,
      // a detached process on Windows gets a console window of its own unless hidden
      windowsHide: true,
    });
  } catch (err) {
    log?.(`kernel code cache not built: ${(err as Error).message}`);
    return undefined;
  }
  building.set(file, child);
  child.once('error', (err) => {
    building.delete(file);
    log?.(`kernel code cache not built: ${err.message}`);
  });
  child.once('exit', (code) => {
    building.delete(file);
    log?.(code === 0 && existsSync(file) ? `kernel code cache built: ${file}` : `kernel code cache not built (exit code ${code})`);
  });
  try {
    if (child.pid !== undefined) setPriority(child.pid, 19);
  } catch {
    // the default priority, then
  }
  child.unref();
  return child;
}
