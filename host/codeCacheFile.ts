/**
 * The files of CodaJS's own V8 code caches (common/node/codeCachedBundle.ts loads a bundle through one): the kernel
 * worker's (host/kernel/workerCodeCache.ts has it built), the installer's (host/deps/InstallerClient.ts) and the
 * extension's (extension/entry.ts). One file per Node binary, V8-relevant flags and bundle, in the user's own
 * compile-cache folder (host/cacheRoot.ts), and how old ones are pruned. Node built-ins only: the entries that load a
 * bundle name its file before anything else loads.
 */
import { statSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { compileCacheDir } from './cacheRoot';

/** The processes whose bundle loads through a code cache: each entry (`<kind>.js`) loads `<kind>-main.js` beside it. */
export type CodeCacheKind = 'worker' | 'installer' | 'extension';

/** Flags that do not change what V8 compiles or accepts (the permission model, warnings, the debug signal). */
const IGNORED_FLAG = /^--(permission|experimental-permission|allow-|disable-warning|disable-sigusr1)/;

/** The flags a cache file is keyed by and its build runs with: the launch's, less those above. */
export const cacheFlags = (execArgv: string[]) => execArgv.filter((f) => !IGNORED_FLAG.test(f));

export interface CodeCacheLaunch {
  /** The entry: dist/worker.js (dist/installer.js, dist/extension.js for the other caches). */
  workerPath: string;
  /** The Node that runs it: an absolute path. */
  node: string;
  execArgv: string[];
}

/** 32-bit FNV-1a, in hex: a file name from a key (the file's first line names what it was made from in full). */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * The cache file for this launch: `<kind>-<Node binary and flags>-<bundle>.v8` (a new build replaces the files with
 * the same first part), or undefined when the Node binary or the bundle cannot be read.
 */
export function codeCacheFile(launch: CodeCacheLaunch, dir = compileCacheDir(), kind: CodeCacheKind = 'worker'): string | undefined {
  try {
    const node = statSync(launch.node);
    const main = join(dirname(launch.workerPath), `${kind}-main.js`);
    const bundle = statSync(main);
    const flags = cacheFlags(launch.execArgv).join('\0');
    return join(dir, `${kind}-${fnv(`${launch.node}\0${node.size}\0${node.mtimeMs}\0${flags}`)}-${fnv(`${main}\0${bundle.size}\0${bundle.mtimeMs}`)}.v8`);
  } catch {
    return undefined;
  }
}

/** A code cache file of ours, or its staging file (`<file>.<pid>.tmp`). */
const CODE_CACHE_NAME = /^(worker|installer|extension)-[0-9a-f]{8}-[0-9a-f]{8}\.v8(\.\d+\.tmp)?$/;

/**
 * Removes our code caches of `dir` written more than `maxAgeMs` ago (one still used is written again at the next
 * kernel start, install or activation: bounded without tracking each read, which a kernel with permissions could not
 * record) and staging files a build left; nothing else of the folder (Node's own compile cache is beside them).
 * Returns how many it removed.
 */
export async function pruneCodeCaches(dir: string, maxAgeMs: number, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!CODE_CACHE_NAME.test(name)) continue;
    const st = await lstat(join(dir, name)).catch(() => undefined);
    if (!st?.isFile() || now - st.mtimeMs <= maxAgeMs) continue;
    await rm(join(dir, name), { force: true });
    removed++;
  }
  return removed;
}
