/**
 * dist/worker.js, the kernel worker's entry: loads the worker itself (dist/worker-main.js, built from ./main.ts) through
 * V8's code cache (common/node/codeCachedBundle.ts). Node's own compile cache keeps only the code compiled as a file loads, so every kernel compiled
 * again the parser, transform and formatter its first cell runs (acorn's first parse alone: 2 ms of 2.3); this cache
 * is written after typical cells ran, holding that code too.
 *
 * The file is named by the host (CODE_CACHE_FILE_ENV, host/kernel/workerCodeCache.ts) and written only by a process the
 * host starts for that (CODE_CACHE_BUILD_ENV), which runs the warm-up cells of ./warmUp.ts and never a notebook's
 * cell: a kernel only reads it (a notebook's code must never write code another kernel runs; V8 trusts a cache's
 * bytecode). Node built-ins only: nothing else loads before the worker.
 */
import { join } from 'node:path';
import { loadCachedBundle } from '../common/node/codeCachedBundle';
import { CODE_CACHE_BUILD_ENV, CODE_CACHE_FILE_ENV } from '../protocol/workerCodeCache';

const cacheFile = process.env[CODE_CACHE_FILE_ENV];
// a kernel always has its IPC channel; the build (host/kernel/workerCodeCache.ts) never has one
const building = process.env[CODE_CACHE_BUILD_ENV] === '1' && typeof process.send !== 'function';
// not in a cell's process.env (the process's initial environment block still holds the name: a cache file's, nothing secret)
delete process.env[CODE_CACHE_FILE_ENV];
delete process.env[CODE_CACHE_BUILD_ENV];

/** The longest a build may take before its process gives up (it writes nothing then). */
const BUILD_TIMEOUT_MS = 30_000;

const worker = loadCachedBundle('worker', join(__dirname, 'worker-main.js'), module, cacheFile, !building);

if (building && cacheFile) void build();

/** Runs the warm-up cells, then writes the cache and ends the process. */
async function build(): Promise<void> {
  const timer = setTimeout(() => process.exit(1), BUILD_TIMEOUT_MS);
  try {
    await (worker.module.exports as { warmUp(): Promise<void> }).warmUp();
    // the host made the folder before it started this build: one removed meanwhile (the cache cleared, a temporary
    // home deleted) is not made again, and the build ends without a file
    const saved = worker.save();
    clearTimeout(timer);
    process.exit(saved ? 0 : 1);
  } catch (err) {
    process.stderr.write(`code cache not built: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}
