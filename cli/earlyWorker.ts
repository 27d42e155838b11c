/**
 * `coda run`'s first kernel worker, forked before the rest of the CLI loads (cli/entry.ts): Node starts it and loads
 * dist/worker.js while this process loads the CLI and prepares the notebook, work that otherwise comes first.
 * Forked only for a .coda file whose metadata declares no permissions and no runtime but Node, without the options
 * that change the launch. KernelProcess.start takes it (`adopt`) only when the fork it works out for the notebook is
 * exactly this one (same Node, flags, worker, directory and environment: forkWorker.ts sameFork); otherwise, or when
 * no kernel starts, it is killed unused. No request reaches it before it is taken. Node built-ins only.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { nodeVersionFlags } from '../host/kernel/nodeVersionFlags';
import { forkWorker, sameFork, WORKER_FLAGS, workerEnv, type WorkerFork } from '../host/kernel/forkWorker';

/** Options that choose another Node, runtime or flags for the worker: no early fork with them. */
const LAUNCH_OPTIONS = ['--node', '--runtime', '--max-memory'];

export class EarlyWorker {
  private child: ChildProcess | undefined;

  private constructor(
    private readonly launch: WorkerFork,
    child: ChildProcess,
  ) {
    this.child = child;
  }

  /** Forks the worker when `argv` (after `coda`) runs a notebook that most likely gets this plain Node launch. */
  static fork(argv: string[], distDir: string): EarlyWorker | undefined {
    const file = plainNodeNotebook(argv);
    if (!file) return undefined;
    const launch: WorkerFork = {
      workerPath: join(distDir, 'worker.js'),
      node: process.execPath,
      execArgv: [...WORKER_FLAGS, ...nodeVersionFlags(process.version)],
      cwd: dirname(file),
      // as KernelProcess.kernelEnvironment gives a Node kernel without permissions: the runner's environment
      env: workerEnv({ ...process.env }),
      // as cli/main.ts starts every kernel: with the runner's stdin
      stdin: 'inherit',
    };
    let child: ChildProcess;
    try {
      child = forkWorker(launch);
    } catch {
      return undefined;
    }
    // a worker that could not be spawned is never taken (its pid is undefined); the error must not end the CLI
    child.on('error', () => undefined);
    return new EarlyWorker(launch, child);
  }

  /** The worker, once, when `launch` is its very launch and it is still running; otherwise it is killed. */
  adopt(launch: WorkerFork): ChildProcess | undefined {
    const child = this.child;
    this.child = undefined;
    if (!child) return undefined;
    const running = child.pid !== undefined && child.exitCode === null && child.signalCode === null && child.connected;
    if (running && sameFork(this.launch, launch)) return child;
    child.kill();
    return undefined;
  }

  /** Kills the worker unless it was taken. */
  dispose(): void {
    this.child?.kill();
    this.child = undefined;
  }
}

/** The notebook of `coda run <file.coda>` when nothing in the arguments or its metadata changes the Node launch. */
function plainNodeNotebook(argv: string[]): string | undefined {
  if (argv[0] !== 'run') return undefined;
  const rest = argv.slice(1);
  if (rest.some((a) => LAUNCH_OPTIONS.some((o) => a === o || a.startsWith(`${o}=`)))) return undefined;
  const files = rest.filter((a) => a.endsWith('.coda') && !a.startsWith('-'));
  if (files.length !== 1) return undefined;
  const file = resolve(files[0]!);
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { metadata?: Record<string, unknown> };
    const metadata = doc.metadata ?? {};
    // permissions filter the worker's environment and add flags; other runtimes may need another launch
    if ('permissions' in metadata || (metadata.runtime !== undefined && metadata.runtime !== 'node')) return undefined;
  } catch {
    return undefined; // unreadable or invalid: the CLI says why, no kernel starts
  }
  return file;
}
