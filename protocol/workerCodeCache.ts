/**
 * The kernel worker's code cache (worker/entry.ts loads dist/worker-main.js through it; host/kernel/workerCodeCache.ts
 * names the file and has it built): the environment variables between the two, and what a kernel reports of it.
 */

/** The cache file a worker reads (a full path, chosen by the host); the worker removes it from its environment. */
export const CODE_CACHE_FILE_ENV = 'CODA_WORKER_CODE_CACHE';
/** Set to `1` for the process that builds the cache: it runs the warm-up cells, never a notebook's, and writes the file. */
export const CODE_CACHE_BUILD_ENV = 'CODA_WORKER_CODE_CACHE_BUILD';

/**
 * What became of the worker's code cache at its start: `accepted` by V8; `rejected` by V8 (built by another V8 or with
 * other flags); `stale` (built for another bundle or Node, so not offered to V8); `absent` (no file yet); `off` (the
 * host named none).
 */
export type CodeCacheStatus = 'accepted' | 'rejected' | 'stale' | 'absent' | 'off';
