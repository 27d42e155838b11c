/** Where `coda` keeps what it downloads and builds: ~/.cache/codajs, or $XDG_CACHE_HOME/codajs. Node built-ins only. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'codajs');
}
