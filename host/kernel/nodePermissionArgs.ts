/**
 * The Node flags that make a worker run with exactly a notebook's declared permissions (protocol/permissions.ts),
 * through Node's permission model: file reads and writes, child processes and worker threads. The model has no
 * network or environment control; worker/node/permissionGuards.ts adds those seat belts inside the worker.
 * A seat belt, not a sandbox: native addons stay denied (no --allow-addons), and programs the notebook may run
 * can do anything the user can.
 *
 * What the worker itself must read is granted on top of the notebook's `read`:
 * - its own bundles (worker.js, worker-main.js, watchdog.js, sucrase.js for TypeScript cells), file by file;
 * - the dependency store (`modulePaths`) and the notebook folder's `node_modules`: packages are code the notebook
 *   imports on purpose, and Node's loader must read them to run them. Nothing else of the notebook folder;
 * - the kernel plugins named as files (InitParams.plugins), file by file, for the same reason;
 * - the compile-cache folder, where the worker's own code cache is (workerCodeCache.ts): compiled CodaJS code only.
 * The compile cache (NODE_COMPILE_CACHE, and the worker's code cache beside it) is never made writable: Node then
 * skips its own on its own (checked on Node 24), and a writable cache would let one notebook plant code that other
 * kernels load.
 */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ANY, codaErrorObject, type InitParams, type Permissions } from '../../protocol';
import { compileCacheDir } from '../cacheRoot';
import { nodeVersionFlags } from './nodeVersionFlags';
import { RuntimeMissingError } from './locateRuntime';
import { nodePermissionSupport, type NodePermissionSupport } from './nodePermissionSupport';
import { fetchedRuntime } from '../runtimes/runtimeStore';
import { programReadPaths } from './programReadPaths';

/** The worker bundles a kernel loads from dist/ (see scripts/build.mjs; worker.js loads worker-main.js). */
export const WORKER_BUNDLES = ['worker.js', 'worker-main.js', 'watchdog.js', 'sucrase.js'];
/** Which Node versions have --allow-inspector, for messages (support itself is asked of the binary). */
export const NEEDED_NODE = 'recent Node.js 24 releases such as the 24.21 CodaJS downloads, or Node.js 25 and newer';

/** Security warnings Node 24 prints for flags given on purpose: --allow-child-process (a `run` grant), --allow-inspector, --allow-worker. */
export const EXPECTED_WARNINGS = ['PERM0002', 'PERM0004', 'PERM0006'];

export interface NodePermissionContext {
  /** The notebook's folder: relative `read`/`write` grants resolve against it. */
  cwd: string;
  /** The folder of dist/worker.js. */
  distDir: string;
  /** The dependency store folders (InitParams.modulePaths). */
  modulePaths?: string[];
  /** Kernel plugins (InitParams.plugins): the absolute paths among them are read like packages. */
  plugins?: string[];
  /** What the worker's Node offers (nodePermissionSupport()). */
  support: NodePermissionSupport;
}

/** execArgv for a worker whose user code has exactly `permissions`; [] when undefined (unrestricted). */
export function nodePermissionArgs(permissions: Permissions | undefined, ctx: NodePermissionContext): string[] {
  if (!permissions) return [];
  const { support } = ctx;
  if (!support.permissionFlag || !support.allowInspector) {
    throw codaErrorObject('PermissionModelUnsupported', { needed: NEEDED_NODE, version: support.version });
  }
  const pluginFiles = (ctx.plugins ?? []).filter((p) => isAbsolute(p));
  const own = [
    ...WORKER_BUNDLES.map((f) => join(ctx.distDir, f)),
    // the worker's code cache is read from here (workerCodeCache.ts): never written by a kernel
    compileCacheDir(),
    ...(ctx.modulePaths ?? []),
    join(ctx.cwd, 'node_modules'),
    ...pluginFiles,
  ];
  const args: string[] = [support.permissionFlag];
  args.push(...fsFlags('--allow-fs-read', permissions.read, ctx.cwd, own));
  args.push(...fsFlags('--allow-fs-write', permissions.write, ctx.cwd, []));
  // and read access to exactly the files the kernel's PATH lookup of granted program names stats (programReadPaths.ts)
  if (permissions.run?.length) args.push('--allow-child-process', ...programReadPaths(permissions.run, process.env.PATH).map((p) => `--allow-fs-read=${p}`));
  // the watchdog thread (a worker thread with an inspector session on the main thread) stops runaway cells;
  // user code gets neither: permissionGuards.ts denies both
  args.push('--allow-worker', '--allow-inspector');
  // --allow-inspector must not mean "a debugger port on SIGUSR1"
  args.push(...nodeVersionFlags(support.version));
  args.push(...EXPECTED_WARNINGS.map((code) => `--disable-warning=${code}`));
  return args;
}

function fsFlags(flag: string, granted: string[] | undefined, cwd: string, own: string[]): string[] {
  if (granted?.includes(ANY)) return [`${flag}=*`];
  const paths = new Set<string>();
  for (const p of [...(granted ?? []).map((g) => resolve(cwd, g)), ...own]) {
    paths.add(p);
    // Node checks the path a call names and, for modules, the real path: grant both
    const real = realOrSelf(p);
    paths.add(real);
  }
  // one flag per path (Node 20.20 and 24 read repeated flags; a comma is part of a path on Node >= 22)
  return [...paths].map((p) => `${flag}=${p}`);
}

function realOrSelf(p: string): string {
  try {
    return existsSync(p) ? realpathSync(p) : p;
  } catch {
    return p;
  }
}

export interface PermissionedLaunch {
  nodePath: string;
  /** Flags to append to the worker's execArgv. */
  execArgv: string[];
}

/**
 * What a host must do to start a Node kernel with `init.permissions` (kernelLaunch's 'node' case): use a Node whose
 * permission model can still stop cells (the configured one when it can, else the runtime store's Node 24) and
 * append these flags. Throws RuntimeMissingError('node') when no such Node is configured or downloaded, so hosts
 * offer the download. Unrestricted notebooks keep the configured Node and get no flags.
 */
export async function nodePermissionLaunch(init: InitParams, s: { nodePath: string; workerPath: string; storage: string }): Promise<PermissionedLaunch> {
  if (!init.permissions) return { nodePath: s.nodePath, execArgv: [] };
  let nodePath = s.nodePath;
  let support = await nodePermissionSupport(nodePath);
  if (!usable(support)) {
    const stored = fetchedRuntime(s.storage, 'node');
    if (!stored) {
      throw new RuntimeMissingError(
        'node',
        ['node'],
        `This notebook declares permissions, which need a Node.js whose permission model has --allow-inspector (${NEEDED_NODE}); ${s.nodePath} is ${support.version}, under whose permission model a running cell could not be stopped.`,
      );
    }
    nodePath = stored;
    support = await nodePermissionSupport(stored);
  }
  const execArgv = nodePermissionArgs(init.permissions, {
    cwd: init.cwd,
    distDir: dirname(s.workerPath),
    modulePaths: init.modulePaths,
    plugins: init.plugins,
    support,
  });
  return { nodePath, execArgv };
}

export function usable(support: NodePermissionSupport): boolean {
  return !!support.permissionFlag && support.allowInspector;
}
