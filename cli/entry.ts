/**
 * dist/cli.js, the `coda` command: turns on Node's compile cache for the CLI (Node >= 22.1, in the user's cache
 * folder), forks `coda run`'s first kernel worker early (cli/earlyWorker.ts), then loads the CLI itself
 * (dist/cli-main.js, built from cli/main.ts). Node built-ins only, so that the worker starts as soon as possible.
 */
import module from 'node:module';
import { join } from 'node:path';
import { compileCacheDir } from '../host/cacheRoot';
import { EarlyWorker } from './earlyWorker';
import type * as Main from './main';

const argv = process.argv.slice(2);
try {
  (module as { enableCompileCache?: (dir?: string) => unknown }).enableCompileCache?.(compileCacheDir());
} catch {
  // no cache: the CLI only loads slower
}
const early = EarlyWorker.fork(argv, __dirname);
// loaded at run time, not bundled here: the CLI's own bundle (scripts/build.mjs)
const main = require(join(__dirname, 'cli-main.js')) as typeof Main;
main.cli(argv, early);
