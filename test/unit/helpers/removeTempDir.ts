import { rmSync } from 'node:fs';

/**
 * Removes a test's temporary folder. A `coda run` or kernel the test started may have begun the worker's code-cache
 * build (host/kernel/workerCodeCache.ts), a detached process that outlives it by design and writes into the folder's
 * compile cache: a file it adds while the folder is being removed makes the removal fail (ENOTEMPTY), so it is
 * retried for up to ~10 s. A build whose folder is gone ends without making it again.
 */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
}
