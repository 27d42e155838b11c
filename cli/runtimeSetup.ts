/**
 * `coda runtimes` and the runtime side of `coda run`: where runtimes are stored, fetching a missing one (with a
 * progress line on stderr), and the kernel start options for a notebook (runtime, permissions, secrets).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  METADATA_PERMISSIONS, METADATA_SECRETS, parsePermissions, parseSecretNames, type CodaDocument, type InitParams, type RuntimeKind,
} from '../protocol';
import { InstallerClient, storeFor } from '../worker/deps/InstallerClient';
import { fetchRuntimes } from '../worker/host/fetchRuntimes';
import type { KernelStartOptions } from '../worker/host/Kernel';
import { kernelLaunch, type LaunchSettings } from '../worker/host/kernelLaunch';
import { findSandbox, findSidecarBinary, RUNTIME_LABELS, RuntimeMissingError } from '../worker/host/locateRuntime';
import { parseDotenv } from '../worker/host/parseDotenv';
import { cacheRoot } from './installDependencies';
import type { RunOptions, RuntimesOptions } from './args';

/** Heap limit and cell time limit of the sandbox in `coda run`. */
export const SANDBOX_MEMORY_MB = 256;
export const SANDBOX_CELL_TIMEOUT_MS = 0;

export function runtimesDir(option?: string): string {
  return resolve(option ?? process.env.CODA_RUNTIMES_DIR ?? cacheRoot());
}

type Progress = (message: string) => void;

/** Locates a runtime; when it is missing, downloads it (unless offline) and locates it again. */
export async function ensureRuntime(kind: RuntimeKind, storage: string, progress: Progress, offline = false): Promise<string> {
  const locate = async () => {
    if (kind === 'deno' || kind === 'bun') return (await findSidecarBinary(kind, storage)).version;
    if (kind === 'isolate') return (await findSandbox(storage)).node.version + ' + isolated-vm';
    return process.version;
  };
  try {
    return await locate();
  } catch (err) {
    if (!(err instanceof RuntimeMissingError) || offline) throw err;
    progress(`${RUNTIME_LABELS[kind]} is not installed: downloading ${err.missing.join(' and ')} from the npm registry into ${join(storage, 'runtimes')}`);
    const client = new InstallerClient({ installerPath: join(__dirname, 'installer.js') });
    try {
      const integrity = await fetchRuntimes(err.missing, client, { storage, cacheDir: storeFor(cacheRoot(), storage).cacheDir, npmrcFrom: process.cwd() }, { onProgress: progress });
      for (const [spec, sri] of Object.entries(integrity)) progress(`verified ${spec} ${sri.slice(0, 22)}…`);
    } finally {
      client.dispose();
    }
    return locate();
  }
}

export async function runtimesCommand(opts: RuntimesOptions): Promise<number> {
  const storage = runtimesDir(opts.runtimesDir);
  const progress = (m: string) => process.stderr.write(`coda: ${m}\n`);
  if (opts.action === 'fetch') {
    for (const kind of opts.which) {
      try {
        process.stdout.write(`${RUNTIME_LABELS[kind]}: ${await ensureRuntime(kind, storage, progress)}\n`);
      } catch (err) {
        process.stderr.write(`coda: ${(err as Error).message}\n`);
        return 1;
      }
    }
    return 0;
  }
  for (const kind of ['node', 'deno', 'bun', 'isolate'] as const) {
    const found = await ensureRuntime(kind, storage, progress, true).catch((err: Error) => `not installed (${err.message.split('. ')[0]})`);
    process.stdout.write(`${RUNTIME_LABELS[kind].padEnd(22)} ${found}\n`);
  }
  return 0;
}

/** Kernel start options for a notebook, or a message saying why it cannot run. */
export async function kernelOptions(file: string, doc: CodaDocument, opts: RunOptions, modulePaths: string[], log: KernelStartOptions['log']): Promise<KernelStartOptions> {
  const runtime = opts.runtime ?? (doc.metadata.runtime as RuntimeKind | undefined) ?? 'node';
  const permissions = parsePermissions(doc.metadata[METADATA_PERMISSIONS]);
  const secrets = await loadSecrets(parseSecretNames(doc.metadata[METADATA_SECRETS]), opts.envFiles);
  const storage = runtimesDir(opts.runtimesDir);
  if (runtime !== 'node') await ensureRuntime(runtime, storage, (m) => process.stderr.write(`coda: ${m}\n`), opts.offline);
  const init: InitParams = {
    cwd: dirname(file), documentPath: file, runtime, modulePaths, permissions, env: secrets, maskedValues: Object.values(secrets),
  };
  const settings: LaunchSettings = {
    workerPath: join(__dirname, 'worker.js'), storage, nodePath: opts.nodePath, sandboxMemoryMb: SANDBOX_MEMORY_MB, sandboxCellTimeoutMs: SANDBOX_CELL_TIMEOUT_MS, log,
  };
  return kernelLaunch(init, settings);
}

/** Secrets the notebook names, from the environment, then from the --env-file files (every variable of those). */
async function loadSecrets(names: string[], envFiles: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of names) if (process.env[name] !== undefined) out[name] = process.env[name]!;
  for (const f of envFiles) {
    const text = await readFile(f, 'utf8').catch((err: Error) => {
      throw new Error(`cannot read the env file ${f}: ${err.message}`);
    });
    const parsed = parseDotenv(text);
    if (parsed.problems.length) throw new Error(`${f}:${parsed.problems[0]!.line}: ${parsed.problems[0]!.message}`);
    Object.assign(out, parsed.values);
  }
  const missing = names.filter((n) => out[n] === undefined);
  if (missing.length) throw new Error(`the notebook uses the secret${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: set ${missing.length > 1 ? 'them' : 'it'} in the environment or in an --env-file`);
  return out;
}
