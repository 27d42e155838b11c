/**
 * Where CodaJS keeps per-user caches outside VS Code's storage: ~/.cache/codajs, or $XDG_CACHE_HOME/codajs (`coda`'s
 * downloads and builds; the compile cache of every Node process CodaJS starts). Node built-ins only (cli/entry.ts).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'codajs');
}

/**
 * Node's compile cache (NODE_COMPILE_CACHE, Node >= 22.1) for the CLI, kernel workers and the installer: in the user's
 * own cache folder, never in the shared temporary folder, where another user of the machine could put compiled code
 * there first for CodaJS's processes to run.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheRoot(env), 'compile-cache');
}
