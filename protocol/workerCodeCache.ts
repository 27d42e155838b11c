/**
 * The code caches of the kernel worker (worker/entry.ts loads dist/worker-main.js through one; host/kernel/workerCodeCache.ts
 * names the file and has it built) and of the installer (installer/entry.ts; host/deps/InstallerClient.ts names it):
 * the environment variables between host and process, and what a process reports of its cache.
 */

/** The cache file a worker reads (a full path, chosen by the host); the worker removes it from its environment. */
export const CODE_CACHE_FILE_ENV = 'CODA_WORKER_CODE_CACHE';
/** Set to `1` for the process that builds the cache: it runs the warm-up cells, never a notebook's, and writes the file. */
export const CODE_CACHE_BUILD_ENV = 'CODA_WORKER_CODE_CACHE_BUILD';

/**
 * The cache file an installer reads, and writes when it exits after an install while it had no usable one (a full path,
 * chosen by the host); the installer removes it from its environment.
 */
export const INSTALLER_CODE_CACHE_FILE_ENV = 'CODA_INSTALLER_CODE_CACHE';

/**
 * What became of the worker's code cache at its start: `accepted` by V8; `rejected` by V8 (built by another V8 or with
 * other flags); `stale` (built for another bundle or Node, so not offered to V8); `absent` (no file yet); `off` (the
 * host named none).
 */
export type CodeCacheStatus = 'accepted' | 'rejected' | 'stale' | 'absent' | 'off';
