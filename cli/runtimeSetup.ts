/**
 * `coda runtimes` and the runtime side of `coda run`: where runtimes are stored, fetching a missing one (with a
 * progress line on stderr), and the kernel start options for a notebook (runtime, permissions, secrets).
 * The steps before a run are host/run/prepareRun.ts's, with the ports of cli/prepareNotebook.ts.
 */
import { dirname, join, resolve } from 'node:path';
import { codaErrorObject, RUNTIME_LABELS, RUNTIMES, runtimeNamed, type CodaDocument, type InitParams, type RuntimeKind } from '../protocol';
import { contentCache, InstallerClient } from '../host/deps/InstallerClient';
import { fetchRuntimes } from '../host/runtimes/fetchRuntimes';
import type { KernelStartOptions } from '../host/kernel/Kernel';
import { kernelLaunch, type LaunchSettings } from '../host/kernel/kernelLaunch';
import { findSandbox, findSidecarBinary, RuntimeMissingError } from '../host/kernel/locateRuntime';
import { fetchedRuntime, runtimePackage, RUNTIME_VERSIONS, type FetchableRuntime } from '../host/runtimes/runtimeStore';
import type { KernelAccess } from '../host/run/resolveAccess';
import { cacheRoot } from '../host/cacheRoot';
import type { RunOptions, RuntimesOptions } from './args';
import { terminalSafe } from '../host/format/terminalSafe';

/** Heap limit and cell time limit of the sandbox in `coda run`. */
export const SANDBOX_MEMORY_MB = 256;
export const SANDBOX_CELL_TIMEOUT_MS = 0;

export function runtimesDir(option?: string): string {
  return resolve(option ?? process.env.CODA_RUNTIMES_DIR ?? cacheRoot());
}

type Progress = (message: string) => void;

/** The packages a runtime needs in the store (its descriptor's downloads: the sandbox is Node 24 plus isolated-vm). */
export function fetchablesOf(kind: RuntimeKind): FetchableRuntime[] {
  return [...RUNTIMES[kind].downloads];
}

/** Downloads what the store lacks of these packages, with progress lines. */
async function fetchMissing(kinds: FetchableRuntime[], storage: string, progress: Progress, offline: boolean): Promise<void> {
  const missing = kinds.filter((k) => !fetchedRuntime(storage, k));
  if (!missing.length) return;
  if (offline) throw codaErrorObject('RuntimeOfflineMissing', { runtimes: missing.join(' and ') });
  progress(
    `downloading ${missing.map((k) => `${runtimePackage(k)?.name}@${RUNTIME_VERSIONS[k]}`).join(' and ')} from the npm registry into ${join(storage, 'runtimes')}`,
  );
  const client = new InstallerClient({ installerPath: join(__dirname, 'installer.js') });
  try {
    const integrity = await fetchRuntimes(
      missing,
      client,
      { storage, cacheDir: contentCache(cacheRoot()), npmrcFrom: process.cwd() },
      { onProgress: progress },
    );
    for (const [spec, sri] of Object.entries(integrity)) progress(`verified ${spec} ${sri.slice(0, 22)}…`);
  } finally {
    client.dispose();
  }
}

/** A kernel needs a runtime that is not installed: downloads it (never with --offline); true once it is there. */
export async function fetchForRun(err: RuntimeMissingError, storage: string, progress: Progress, offline = false): Promise<boolean> {
  if (offline) return false;
  progress(`${RUNTIME_LABELS[err.runtime]}: ${err.detail}`);
  await fetchMissing(err.missing, storage, progress, offline);
  return true;
}

async function describeRuntime(kind: RuntimeKind, storage: string): Promise<string> {
  if (kind === 'deno' || kind === 'bun') {
    const b = await findSidecarBinary(kind, storage);
    return `${b.version} (${b.path})`;
  }
  if (kind === 'sandbox') {
    const s = await findSandbox(storage);
    return `node ${s.node.version} + isolated-vm (${s.modulesDir})`;
  }
  const stored = fetchedRuntime(storage, 'node');
  return `${process.version} (${process.execPath})${stored ? `; Node 24 for permissions and the sandbox: ${stored}` : ''}`;
}

export async function runtimesCommand(opts: RuntimesOptions): Promise<number> {
  const storage = runtimesDir(opts.runtimesDir);
  const progress = (m: string) => process.stderr.write(terminalSafe(`coda: ${m}\n`));
  const kinds: RuntimeKind[] = opts.action === 'fetch' ? opts.which : ['node', 'deno', 'bun', 'sandbox'];
  let failed = 0;
  for (const kind of kinds) {
    try {
      if (opts.action === 'fetch') await fetchMissing(fetchablesOf(kind), storage, progress, false);
      process.stdout.write(`${RUNTIME_LABELS[kind].padEnd(22)} ${await describeRuntime(kind, storage)}\n`);
    } catch (err) {
      failed++;
      const message = (err as Error).message;
      if (opts.action === 'fetch') process.stderr.write(terminalSafe(`coda: ${message}\n`));
      else
        process.stdout.write(terminalSafe(`${RUNTIME_LABELS[kind].padEnd(22)} not installed: ${err instanceof RuntimeMissingError ? err.detail : message}\n`));
    }
  }
  return opts.action === 'fetch' && failed ? 1 : 0;
}

/** The runtime a notebook runs on: --runtime, else its metadata, else Node. */
export function notebookRuntime(doc: CodaDocument, opts: RunOptions): RuntimeKind {
  // the reader accepted only known names (an alias such as the older "isolate" too)
  return opts.runtime ?? runtimeNamed(doc.metadata.runtime) ?? 'node';
}

/** Kernel start options for a notebook on `runtime` with what it was granted (a missing runtime is a RuntimeMissingError). */
export async function kernelOptions(
  file: string,
  runtime: RuntimeKind,
  opts: RunOptions,
  access: KernelAccess,
  modulePaths: string[],
  log: KernelStartOptions['log'],
  plugins: string[] = [],
): Promise<KernelStartOptions> {
  const init: InitParams = { cwd: dirname(file), documentPath: file, runtime, modulePaths, ...access, ...(plugins.length && { plugins }) };
  const settings: LaunchSettings = {
    workerPath: join(__dirname, 'worker.js'),
    storage: runtimesDir(opts.runtimesDir),
    nodePath: opts.nodePath,
    maxMemoryMb: opts.maxMemoryMb,
    sandboxMemoryMb: SANDBOX_MEMORY_MB,
    sandboxCellTimeoutMs: SANDBOX_CELL_TIMEOUT_MS,
    log,
  };
  return kernelLaunch(init, settings);
}
