/**
 * A bundle loaded through V8's code cache, for the two processes whose start a user waits for: the kernel worker
 * (worker/entry.ts loads dist/worker-main.js) and the installer (installer/entry.ts loads dist/installer-main.js).
 * Node's own compile cache keeps only the code compiled as a file loads (and none before Node 22.1); a cache written
 * from `vm.Script#createCachedData` after the process did its work also holds every function it compiled on the way.
 *
 * The host names the file (host/codeCacheFile.ts); its first line names the bundle and the Node it was made from, and
 * a file with any other first line is `stale` and never offered to V8. Who may write a file is each entry's rule: only
 * a process that runs no user code (a kernel never does; V8 trusts a cache's bytecode). Node built-ins only: nothing
 * else loads before the bundle.
 */
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
// named imports: a default one has the bundler copy every export of the module first (0.1–0.2 ms of a process's start)
import { Module } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { constants as vmConstants, Script, type ScriptOptions } from 'node:vm';
import type { CodeCacheStatus } from '../../protocol/workerCodeCache';

export interface CachedBundle {
  /** The bundle's module: its exports, and the status under `codeCache` for the bundle to report. */
  readonly module: Module;
  /** What became of the cache file at the start. */
  readonly status: CodeCacheStatus;
  /**
   * Writes the cache file from what V8 has compiled so far (atomically, readable by the user alone) and removes the
   * files it replaces. False when there is no file to write or it could not be written (the folder gone, a full disk).
   */
  save(): boolean;
}

/**
 * Runs `bundle` (a CommonJS file) as a module of `parent`, compiled with the cache `file` when its first line matches;
 * `read: false` compiles it afresh (a process that is about to write the file).
 */
export function loadCachedBundle(kind: string, bundle: string, parent: Module, file: string | undefined, read = true): CachedBundle {
  const source = readFileSync(bundle, 'utf8');
  const facts = statSync(bundle);
  const header = `${JSON.stringify({
    codajs: `${kind}-code-cache`,
    node: process.version,
    v8: process.versions.v8,
    arch: process.arch,
    bundle,
    size: facts.size,
    mtimeMs: facts.mtimeMs,
  })}\n`;

  let status: CodeCacheStatus = file ? 'absent' : 'off';
  let cachedData: Buffer | undefined;
  if (file && read) {
    try {
      const bytes = readFileSync(file);
      const line = Buffer.byteLength(header);
      if (bytes.length > line && bytes.toString('utf8', 0, line) === header) cachedData = bytes.subarray(line);
      else status = 'stale';
    } catch {
      // absent, or unreadable: compiled as usual
    }
  }

  // a bundle's first line may be a shebang, which Module.wrap would put inside the function
  const script = new Script(Module.wrap(source.startsWith('#!') ? `//${source.slice(2)}` : source), {
    filename: bundle,
    cachedData,
    // the bundles make their own scripts for import(), but a loader must be named for one that remains
    importModuleDynamically: vmConstants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  } as ScriptOptions);
  if (cachedData) status = script.cachedDataRejected ? 'rejected' : 'accepted';

  const mod = new Module(bundle, parent);
  mod.filename = bundle;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(bundle));
  (mod as { codeCache?: CodeCacheStatus }).codeCache = status;
  (script.runInThisContext() as (...args: unknown[]) => void)(mod.exports, Module.createRequire(bundle), mod, bundle, dirname(bundle));
  mod.loaded = true;

  return {
    module: mod,
    status,
    save() {
      if (!file) return false;
      const staging = `${file}.${process.pid}.tmp`;
      try {
        // the folder is the host's to make: one removed meanwhile (the cache cleared) is not made again
        writeFileSync(staging, Buffer.concat([Buffer.from(header), script.createCachedData()]), { mode: 0o600 });
        renameSync(staging, file);
      } catch {
        rmSync(staging, { force: true });
        return false;
      }
      removeSiblings(file);
      return true;
    },
  };
}

/** Removes the caches `file` replaces: the same kind, Node and flags (the name's first part), another bundle. */
function removeSiblings(file: string): void {
  const name = basename(file);
  const prefix = name.slice(0, name.lastIndexOf('-') + 1);
  if (!prefix) return;
  for (const other of readdirSync(dirname(file))) {
    if (other !== name && other.startsWith(prefix) && other.endsWith('.v8')) rmSync(join(dirname(file), other), { force: true });
  }
}
