/**
 * Finds what a runtime needs on this machine: Deno or Bun (a configured path, then PATH, then the runtime store),
 * and for the sandbox a Node 24+ with isolated-vm 7 (the configured Node when it is new enough, then the store).
 * A missing piece is a RuntimeMissingError that names what to fetch, so hosts can offer the download.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { CodaError, codaErrorMessage, codaErrorObject, RUNTIME_LABELS, SANDBOX_NODE_MAJORS, type RuntimeKind } from '../../protocol';
import { fetchedRuntime, runtimePackage, RUNTIME_VERSIONS, type FetchableRuntime } from '../runtimes/runtimeStore';

/** How long `<binary> --version` may take. */
export const VERSION_PROBE_TIMEOUT_MS = 5000;
export { SANDBOX_NODE_MAJORS };

/** The catalogue's RuntimeMissing, with what to fetch for hosts that offer the download. */
export class RuntimeMissingError extends CodaError<'RuntimeMissing'> {
  constructor(
    readonly runtime: RuntimeKind,
    readonly missing: FetchableRuntime[],
    /** What is missing, without the offer to download (hosts that offer it word the offer themselves). */
    readonly detail: string,
  ) {
    const packages = missing.map((m) => `${runtimePackage(m)?.name ?? m}@${RUNTIME_VERSIONS[m]}`).join(' and ');
    super('RuntimeMissing', codaErrorMessage('RuntimeMissing', { detail, packages, runtime }));
  }
}

export interface FoundBinary {
  path: string;
  /** e.g. 'deno 2.9.6', 'bun 1.4.5', 'v24.21.0'. */
  version: string;
}

/** Deno or Bun: the configured path (which must work), else PATH, else the runtime store. */
export async function findSidecarBinary(kind: 'deno' | 'bun', storage: string, configured?: string): Promise<FoundBinary> {
  if (configured) {
    const version = await probeVersion(configured).catch((err: Error) => {
      throw codaErrorObject('RuntimeUnusable', { runtime: RUNTIME_LABELS[kind], path: configured, detail: err.message, setting: `coda.${kind}Path` });
    });
    return { path: configured, version };
  }
  for (const candidate of [...onPath(kind), fetchedRuntime(storage, kind)]) {
    if (!candidate) continue;
    try {
      await access(candidate, constants.X_OK);
      return { path: candidate, version: await probeVersion(candidate) };
    } catch {
      // not here or not runnable: keep looking
    }
  }
  throw new RuntimeMissingError(kind, [kind], `${RUNTIME_LABELS[kind]} is not installed (not on PATH, no coda.${kind}Path).`);
}

/** The sandbox: a Node whose major isolated-vm has a prebuild for, and the folder that holds isolated-vm. */
export async function findSandbox(storage: string, configuredNode?: FoundBinary): Promise<{ node: FoundBinary; modulesDir: string }> {
  const missing: FetchableRuntime[] = [];
  let node: FoundBinary | undefined;
  if (configuredNode && SANDBOX_NODE_MAJORS.includes(major(configuredNode.version))) node = configuredNode;
  else {
    const stored = fetchedRuntime(storage, 'node');
    if (stored) node = { path: stored, version: await probeVersion(stored) };
    else missing.push('node');
  }
  const modulesDir = fetchedRuntime(storage, 'isolated-vm');
  if (!modulesDir) missing.push('isolated-vm');
  if (missing.length || !node || !modulesDir) {
    throw new RuntimeMissingError(
      'sandbox',
      missing,
      `The sandbox needs Node.js ${SANDBOX_NODE_MAJORS.join(' or ')} with isolated-vm ${RUNTIME_VERSIONS['isolated-vm']}, and ${missing.map((m) => (m === 'node' ? 'no such Node.js is configured or downloaded' : 'isolated-vm is not downloaded')).join(' and ')}.`,
    );
  }
  return { node, modulesDir };
}

function major(version: string): number {
  return Number(/(\d+)/.exec(version)?.[1] ?? 0);
}

function onPath(name: string): string[] {
  const exe = process.platform === 'win32' ? `${name}.exe` : name;
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, exe));
}

/** `deno --version` → 'deno 2.9.6'; `bun --version` → 'bun 1.4.5'; `node --version` → 'v24.21.0'. */
export function probeVersion(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, ['--version'], { timeout: VERSION_PROBE_TIMEOUT_MS }, (err, stdout) => {
      if (err) return reject(new Error(err.message.split('\n')[0]));
      const first = stdout.trim().split('\n')[0] ?? '';
      if (!first) return reject(new Error('it printed no version'));
      resolve(/^\d/.test(first) ? `bun ${first}` : first.replace(/\s*\(.*\)$/, ''));
    });
  });
}
