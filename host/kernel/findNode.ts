/**
 * Finds a real Node.js binary for the worker (never Electron's): an explicit path, the current process when
 * it is Node, or `node` on PATH. Versions below MIN_NODE are refused with an actionable message.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { codaErrorObject } from '../../protocol';
import { PromiseCache } from './PromiseCache';

/** The oldest Node.js that runs the kernel and the installer: @npmcli/arborist and pacote need ^20.17 || >=22.9
 * (package.json `engines.node` says the same). */
export const MIN_NODE = { major: 20, minor: 17 };
const MIN_NODE_TEXT = `${MIN_NODE.major}.${MIN_NODE.minor}`;
/** How long `node --version` may take. */
export const PROBE_TIMEOUT_MS = 5000;

export interface FoundNode {
  path: string;
  version: string;
}

/** Keyed by the configured path ('' for none: locate treats it as unset). */
const found = new PromiseCache(locate);

export function findNode(explicitPath?: string): Promise<FoundNode> {
  return found.get(explicitPath ?? '');
}

async function locate(explicitPath?: string): Promise<FoundNode> {
  if (explicitPath) {
    const version = await probe(explicitPath).catch((err: Error) => {
      throw codaErrorObject('RuntimeUnusable', { runtime: 'Node.js', path: explicitPath, detail: err.message, setting: 'coda.nodePath' });
    });
    return check({ path: explicitPath, version });
  }
  if (!process.versions.electron) return check({ path: process.execPath, version: process.version });
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, process.platform === 'win32' ? 'node.exe' : 'node');
    try {
      await access(candidate, constants.X_OK);
      return check({ path: candidate, version: await probe(candidate) });
    } catch {
      // not here, or too old: keep looking
    }
  }
  throw codaErrorObject('NodeNotFound', { minVersion: MIN_NODE_TEXT });
}

function check(found: FoundNode): FoundNode {
  const [, major, minor] = (/^v(\d+)\.(\d+)/.exec(found.version) ?? []).map(Number);
  if (!(major! > MIN_NODE.major || (major === MIN_NODE.major && minor! >= MIN_NODE.minor))) {
    throw codaErrorObject('NodeTooOld', { minVersion: MIN_NODE_TEXT, path: found.path, version: found.version });
  }
  return found;
}

function probe(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // ELECTRON_RUN_AS_NODE unset: an Electron binary then answers with its own version flags, not Node's
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE;
    execFile(path, ['-p', 'process.versions.electron ? "electron" : process.version'], { timeout: PROBE_TIMEOUT_MS, env }, (err, stdout) => {
      if (err) return reject(new Error(err.message.split('\n')[0]));
      const out = stdout.trim();
      if (out === 'electron' || !out.startsWith('v')) return reject(new Error('it is not a Node.js binary (Electron or unknown)'));
      resolve(out);
    });
  });
}
