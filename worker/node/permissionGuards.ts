/**
 * Seat belts for a Node kernel whose notebook declares permissions, installed by NodeRuntime before any cell runs.
 * Node's permission model (flags from host/kernel/nodePermissionArgs.ts) guards files, child processes and
 * worker threads; these add what it cannot: the network (netGuard), which programs may run (runGuard), the
 * environment user code sees, and no worker threads or inspector sessions for user code (the kernel's watchdog
 * thread needs both flags). A seat belt, not a sandbox: see docs (native addons are denied by the model, but a
 * granted program can do anything the user can).
 */
import { syncBuiltinESMExports } from 'node:module';
import type inspectorModule from 'node:inspector';
import { join } from 'node:path';
import type workerThreadsModule from 'node:worker_threads';
import { ANY, type InitParams, type Permissions } from '../../protocol';
import { userEnvironment } from '../../common/userEnvironment';
import { getBuiltin } from '../runtime/getBuiltin';
import { guardDebugSignals } from './debuggerGuard';
import { guardConstructor } from './guardConstructor';
import { guardNetwork } from './netGuard';
import { permissionError, WORKER_THREADS_TARGET } from './permissionError';
import { denyModuleHooksThread } from './realmGuards';
import { guardResolverEnvironment } from './resolverEnvironment';
import { guardChildProcesses } from './runGuard';

/** The kernel's own watchdog thread (worker/main.ts starts it once, right after init). */
const WATCHDOG = join(__dirname, 'watchdog.js');

export function installPermissionGuards(permissions: Permissions, init: Pick<InitParams, 'cwd' | 'env' | 'searchPath'>): void {
  const searchPath = init.searchPath ?? process.env.PATH;
  guardNetwork(permissions);
  guardChildProcesses(permissions, init.cwd, searchPath);
  if (!(permissions.run ?? []).includes(ANY)) guardThreads();
  filterEnvironment(permissions, init.env);
  guardResolverEnvironment(permissions);
  // `import { spawn } from 'node:child_process'` sees the guarded functions too
  syncBuiltinESMExports();
  enterFolder(init.cwd);
}

/**
 * Worker threads would run without these seat belts, so user code may not start any (as Node's model says);
 * nor the module hooks thread, nor a debugger in another process.
 */
function guardThreads(): void {
  denyModuleHooksThread();
  guardDebugSignals();
  let watchdogStarted = false;
  const workerThreads = getBuiltin('node:worker_threads') as typeof workerThreadsModule;
  workerThreads.Worker = guardConstructor(workerThreads.Worker, (args) => {
    if (!watchdogStarted && args[0] === WATCHDOG) {
      watchdogStarted = true;
      return;
    }
    throw permissionError('run', WORKER_THREADS_TARGET);
  });
  (getBuiltin('node:inspector') as typeof inspectorModule).Session.prototype.connect = function connect() {
    throw permissionError('run', 'node:inspector');
  };
}

/** process.env keeps only the granted variables and the notebook's secrets; child processes inherit that. */
function filterEnvironment(permissions: Permissions, secrets: Record<string, string> | undefined): void {
  const visible = userEnvironment(process.env, permissions, secrets);
  for (const name of Object.keys(process.env)) if (!(name in visible)) delete process.env[name];
  Object.assign(process.env, visible);
}

/** The host starts the worker in the notebook folder; chdir there needs read access to all of it under the model. */
function enterFolder(cwd: string): void {
  try {
    process.chdir(cwd);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ERR_ACCESS_DENIED') throw err;
  }
}
