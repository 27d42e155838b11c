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
import { existsSync, mkdirSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { CODE_CACHE_BUILD_ENV, CODE_CACHE_FILE_ENV, type CodeCacheStatus } from '../../protocol/workerCodeCache';
import { cacheFlags, codeCacheFile, type CodeCacheLaunch } from '../codeCacheFile';

/** The worker bundle dist/worker.js loads, beside it. */
export const WORKER_MAIN = 'worker-main.js';

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
