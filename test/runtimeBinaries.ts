/**
 * Runtimes the tests run against: Deno, Bun, Node 24 and isolated-vm as fetched into the tools folder's
 * runtime store (`.tools/runtimes`, or `$CODA_TOOLS_DIR/runtimes`) by `coda runtimes fetch`. CI fetches them all;
 * CODA_REQUIRE_RUNTIMES=1 turns a missing one into a failure instead of a skip.
 */
import { join } from 'node:path';
import { fetchedRuntime, type FetchableRuntime } from '../host/runtimes/runtimeStore';

const ROOT = join(__dirname, '..');

export function toolsDir(): string {
  return process.env.CODA_TOOLS_DIR ?? join(ROOT, '.tools');
}

/** The binary (or isolated-vm modules folder) of a fetched runtime, or undefined. */
export function runtimeBinary(kind: FetchableRuntime): string | undefined {
  return fetchedRuntime(toolsDir(), kind);
}

/** Whether a missing runtime must fail the suite (CI) rather than skip it (a developer machine). */
export const requireRuntimes = process.env.CODA_REQUIRE_RUNTIMES === '1' || process.env.CI === 'true';
