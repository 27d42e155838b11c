/**
 * The command line and environment of a Deno or Bun sidecar. User code sees userEnvironment() (its granted
 * variables and secrets); the runtime itself also needs PATH, HOME and its cache folders. Deno gets its permission
 * flags, CommonJS detection for packages, and an inspector on a free loopback port whose address only the worker
 * learns (for interrupts, and relayed to debug sessions: InspectorRelay.ts).
 */
import { basename, delimiter, dirname, isAbsolute, join } from 'node:path';
import { RUNTIME_LABELS, type InitParams } from '../../protocol';
import { OWN_NODE_PATH } from '../../protocol/sidecar';
import { userEnvironment } from '../../common/userEnvironment';
import { withRealPaths } from './withRealPaths';
import { denoPermissionFlags } from './denoPermissionFlags';
import type { SidecarKind } from './sidecarModules';

/** The agent bundle next to dist/worker.js. */
export const SIDECAR_AGENT = 'sidecar-agent.mjs';

/** Variables the runtimes themselves read (caches, temp folders, finding programs), passed even when user code may not see them. */
export const RUNTIME_ENV_NAMES = [
  'PATH',
  'HOME',
  'USERPROFILE',
  'TMPDIR',
  'TEMP',
  'TMP',
  'SystemRoot',
  'LOCALAPPDATA',
  'APPDATA',
  'XDG_CACHE_HOME',
  'DENO_DIR',
  'BUN_INSTALL',
  'BUN_INSTALL_CACHE_DIR',
];

/**
 * Deno's inspector, for interrupting a synchronous loop: a free loopback port, and its websocket address (a random
 * UUID path) printed only on the sidecar's stderr, which only this worker reads. Without publish-uid=stderr Deno
 * also serves it at http://127.0.0.1:<port>/json/list, where any local user could read it and attach to run code as
 * the kernel (Deno accepts several sessions, so holding one open does not keep others out).
 */
export const DENO_INSPECTOR_FLAGS = ['--inspect=127.0.0.1:0', '--inspect-publish-uid=stderr'];

/**
 * For a notebook with permissions: `sys`, which Deno requires to connect the in-process inspector session checkpoints
 * use. The agent connects it at init and revokes `sys` before any cell runs (agentInspectorSession.ts), so cells
 * never have it. (--allow-all, for a notebook without permissions, has it anyway.)
 */
export const DENO_AGENT_SYS = '--allow-sys';

export interface SidecarCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

export const displayName = (kind: SidecarKind) => RUNTIME_LABELS[kind];

/** The worker's own heap limit (--max-old-space-size), which a Deno sidecar takes over. */
export function heapLimitMb(execArgv: string[] = process.execArgv): number | undefined {
  const m = /--max-old-space-size=(\d+)/.exec(execArgv.join(' '));
  return m ? Number(m[1]) : undefined;
}

/**
 * Bun looks a package up in NODE_PATH's folders, read as it starts, after the importing file's own: so the modules of
 * the notebook's folder find the packages of its dependency store, as cells do. The cells' environment gets its own
 * value back as the agent starts.
 */
function withStoreNodePath(env: Record<string, string>, modulePaths: string[] | undefined): Record<string, string> {
  if (!modulePaths?.length) return env;
  const folders = modulePaths.map((p) => (basename(p) === 'node_modules' ? p : join(p, 'node_modules')));
  const own = env.NODE_PATH;
  return { ...env, NODE_PATH: [...(own ? [own] : []), ...folders].join(delimiter), [OWN_NODE_PATH]: own ?? '' };
}

export function sidecarCommand(kind: SidecarKind, init: InitParams, agentPath: string, heapMb = heapLimitMb()): SidecarCommand {
  const env = userEnvironment(process.env, init.permissions, init.env);
  for (const name of RUNTIME_ENV_NAMES) if (process.env[name] !== undefined) env[name] ??= process.env[name]!;
  if (kind === 'bun') return { command: init.runtimePath!, args: ['--no-install', agentPath], env: withStoreNodePath(env, init.modulePaths) };
  env.NO_COLOR = '1';
  env.DENO_NO_UPDATE_CHECK = '1';
  const permissions = denoPermissionFlags(init.permissions, init.cwd, {
    // plugin files are code the notebook names, read like its packages (host/kernel/nodePermissionArgs.ts)
    // and their real paths: a store's node_modules links to a shared tree (host/deps/sharedTree.ts)
    read: withRealPaths([
      dirname(agentPath),
      join(init.cwd, 'node_modules'),
      ...(init.modulePaths ?? []),
      ...(init.plugins ?? []).filter((p) => isAbsolute(p)),
    ]),
    env: Object.keys(init.env ?? {}),
  });
  const heap = heapMb ? [`--v8-flags=--max-old-space-size=${heapMb}`] : [];
  return {
    command: init.runtimePath!,
    args: [
      'run',
      '--no-config',
      '--unstable-detect-cjs',
      // an import without the file's extension (`./util`, `./util.js` for util.ts) resolves as the editor's types
      // resolve it (a bundler's way), as on Node and Bun
      '--unstable-sloppy-imports',
      ...DENO_INSPECTOR_FLAGS,
      ...permissions,
      ...(init.permissions ? [DENO_AGENT_SYS] : []),
      ...heap,
      agentPath,
    ],
    env,
  };
}
