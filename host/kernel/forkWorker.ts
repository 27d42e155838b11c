/**
 * How a kernel's worker process is forked: the flags every worker needs, the environment it starts with, and the
 * fork itself. KernelProcess.start forks through here; `coda run` may fork the same worker earlier (cli/entry.ts) and
 * hand it over only when the fork KernelProcess works out is exactly the same one (sameFork). Node built-ins only:
 * cli/entry.ts loads this before the rest of the CLI.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { CODE_CACHE_BUILD_ENV, CODE_CACHE_FILE_ENV } from '../../protocol/workerCodeCache';
import { compileCacheDir } from '../cacheRoot';
import { codeCacheFile } from '../codeCacheFile';

/** Flags every worker needs: see docs/architecture.md (interrupts) and worker/node/cellContext.ts. */
export const WORKER_FLAGS = ['--no-force-async-hooks-checks', '--disable-warning=ExperimentalWarning'];

export interface WorkerFork {
  /** dist/worker.js */
  workerPath: string;
  /** The Node that runs it. */
  node: string;
  /** WORKER_FLAGS first, then the launch's own. */
  execArgv: string[];
  cwd: string;
  /** As workerEnv made it. */
  env: NodeJS.ProcessEnv;
  /** False: no code cache named (workerCodeCache.ts). */
  codeCache?: false;
  /** 'inherit': this process's stdin is the worker's (KernelStartOptions.stdin); else it has none (/dev/null). */
  stdin?: 'inherit';
}

/** The environment a worker process starts with, from the one its kernel may see (KernelProcess.kernelEnvironment). */
export function workerEnv(kernelEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...kernelEnv };
  delete env.ELECTRON_RUN_AS_NODE;
  delete env.NODE_OPTIONS;
  // Node >= 22 keeps compiled worker code between kernel starts (ignored by Node 20), in the user's own folder
  env.NODE_COMPILE_CACHE ??= compileCacheDir();
  return env;
}

/**
 * Forks the worker, naming the code cache it reads (host/kernel/workerCodeCache.ts; the worker takes the name out of
 * its environment before anything else runs); stdio: stdin inherited or none, stdout and stderr piped, fd 3 IPC (JSON),
 * fd 4 the control pipe (interrupts).
 */
export function forkWorker(f: WorkerFork): ChildProcess {
  // only the host names the cache, and only a process without IPC builds it (workerCodeCache.ts): not from the
  // environment a worker inherits or a notebook's variables
  const env = { ...f.env };
  delete env[CODE_CACHE_FILE_ENV];
  delete env[CODE_CACHE_BUILD_ENV];
  const cache = f.codeCache === false ? undefined : codeCacheFile(f);
  if (cache) env[CODE_CACHE_FILE_ENV] = cache;
  return fork(f.workerPath, [], {
    execPath: f.node,
    execArgv: f.execArgv,
    cwd: f.cwd,
    env,
    serialization: 'json',
    stdio: [f.stdin ?? 'ignore', 'pipe', 'pipe', 'ipc', 'pipe'],
  });
}

/** The same process in every respect: same Node, flags, worker file, directory and exactly the same environment. */
export function sameFork(a: WorkerFork, b: WorkerFork): boolean {
  if (a.workerPath !== b.workerPath || a.node !== b.node || a.cwd !== b.cwd || a.codeCache !== b.codeCache || a.stdin !== b.stdin) return false;
  if (a.execArgv.length !== b.execArgv.length || a.execArgv.some((v, i) => v !== b.execArgv[i])) return false;
  const keys = Object.keys(a.env);
  return keys.length === Object.keys(b.env).length && keys.every((k) => Object.hasOwn(b.env, k) && a.env[k] === b.env[k]);
}
