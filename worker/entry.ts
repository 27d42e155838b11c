/**
 * dist/worker.js, the kernel worker's entry: loads the worker itself (dist/worker-main.js, built from ./main.ts) through
 * V8's code cache. Node's own compile cache keeps only the code compiled as a file loads, so every kernel compiled
 * again the parser, transform and formatter its first cell runs (acorn's first parse alone: 2 ms of 2.3); this cache
 * is written after typical cells ran, holding that code too.
 *
 * The file is named by the host (CODE_CACHE_FILE_ENV, host/kernel/workerCodeCache.ts) and written only by a process the
 * host starts for that (CODE_CACHE_BUILD_ENV), which runs the warm-up cells of ./warmUp.ts and never a notebook's
 * cell: a kernel only reads it (a notebook's code must never write code another kernel runs; V8 trusts a cache's
 * bytecode). A first line names the bundle and Node it was made from; any other is `stale` and not offered to V8.
 * Node built-ins only: nothing else loads before the worker.
 */
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, join } from 'node:path';
import vm from 'node:vm';
import { CODE_CACHE_BUILD_ENV, CODE_CACHE_FILE_ENV, type CodeCacheStatus } from '../protocol/workerCodeCache';

/** The worker bundle beside this file. */
const bundle = join(__dirname, 'worker-main.js');
const cacheFile = process.env[CODE_CACHE_FILE_ENV];
// a kernel always has its IPC channel; the build (host/kernel/workerCodeCache.ts) never has one
const building = process.env[CODE_CACHE_BUILD_ENV] === '1' && typeof process.send !== 'function';
// not in a cell's process.env (the process's initial environment block still holds the name: a cache file's, nothing secret)
delete process.env[CODE_CACHE_FILE_ENV];
delete process.env[CODE_CACHE_BUILD_ENV];

/** The longest a build may take before its process gives up (it writes nothing then). */
const BUILD_TIMEOUT_MS = 30_000;

const source = readFileSync(bundle, 'utf8');
const facts = statSync(bundle);
/** The first line of a cache file made from this bundle by this Node. */
const header = `${JSON.stringify({
  codajs: 'worker-code-cache',
  node: process.version,
  v8: process.versions.v8,
  arch: process.arch,
  bundle: bundle,
  size: facts.size,
  mtimeMs: facts.mtimeMs,
})}\n`;

let status: CodeCacheStatus = cacheFile ? 'absent' : 'off';
let cachedData: Buffer | undefined;
if (cacheFile && !building) {
  try {
    const bytes = readFileSync(cacheFile);
    const line = Buffer.byteLength(header);
    if (bytes.length > line && bytes.toString('utf8', 0, line) === header) cachedData = bytes.subarray(line);
    else status = 'stale';
  } catch {
    // absent, or unreadable: compiled as usual
  }
}

const script = new vm.Script(Module.wrap(source), {
  filename: bundle,
  cachedData,
  // the bundle has no import() of its own (it makes its own scripts for those), but a loader must be named
  importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
} as vm.ScriptOptions);
if (cachedData) status = script.cachedDataRejected ? 'rejected' : 'accepted';

const worker = new Module(bundle, module);
worker.filename = bundle;
worker.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(__dirname);
(worker as { codeCache?: CodeCacheStatus }).codeCache = status;
(script.runInThisContext() as (...args: unknown[]) => void)(worker.exports, Module.createRequire(bundle), worker, bundle, __dirname);
worker.loaded = true;

if (building && cacheFile) void build(cacheFile);

/** Runs the warm-up cells, then writes the cache (atomically, readable by the user alone) and ends the process. */
async function build(file: string): Promise<void> {
  const timer = setTimeout(() => process.exit(1), BUILD_TIMEOUT_MS);
  try {
    await (worker.exports as { warmUp(): Promise<void> }).warmUp();
    const data = script.createCachedData();
    // the host made the folder before it started this build: one removed meanwhile (the cache cleared, a temporary
    // home deleted) is not made again, and the build ends without a file
    const staging = `${file}.${process.pid}.tmp`;
    writeFileSync(staging, Buffer.concat([Buffer.from(header), data]), { mode: 0o600 });
    renameSync(staging, file);
    removeSiblings(file);
    clearTimeout(timer);
    process.exit(0);
  } catch (err) {
    process.stderr.write(`code cache not built: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  }
}

/** Removes the caches this one replaces: the same Node and flags (the name's first part), another bundle. */
function removeSiblings(file: string): void {
  const name = basename(file);
  const prefix = name.slice(0, name.lastIndexOf('-') + 1);
  if (!prefix) return;
  for (const other of readdirSync(dirname(file))) {
    if (other !== name && other.startsWith(prefix) && other.endsWith('.v8')) rmSync(join(dirname(file), other), { force: true });
  }
}
