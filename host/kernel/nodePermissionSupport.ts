/**
 * What a Node binary's permission model offers, asked of the binary itself (its allowedNodeEnvironmentFlags), not
 * guessed from its version: the flag that turns the model on (Node 20: --experimental-permission, Node >= 22.13:
 * --permission) and whether --allow-inspector exists. Without it the watchdog thread cannot attach to the main
 * thread under the model, so no cell could be stopped (Node 20 and 22 lack it; Node 24.12+ has it).
 */
import { execFile } from 'node:child_process';
import { codaErrorObject } from '../../protocol';
import { PromiseCache } from './PromiseCache';

/** How long the probe may take. */
export const SUPPORT_PROBE_TIMEOUT_MS = 5000;

export interface NodePermissionSupport {
  /** e.g. 'v24.21.0' */
  version: string;
  /** The flag that enables the permission model, or undefined when this Node has none. */
  permissionFlag: '--permission' | '--experimental-permission' | undefined;
  /** Whether `--allow-inspector` exists (needed by the watchdog's inspector session). */
  allowInspector: boolean;
}

const PROBE =
  'const f=process.allowedNodeEnvironmentFlags;console.log(JSON.stringify({version:process.version,permission:f.has("--permission"),experimental:f.has("--experimental-permission"),inspector:f.has("--allow-inspector")}))';

const answers = new PromiseCache(probe);

export function nodePermissionSupport(nodePath: string): Promise<NodePermissionSupport> {
  return answers.get(nodePath);
}

function probe(nodePath: string): Promise<NodePermissionSupport> {
  return new Promise((resolve, reject) => {
    execFile(nodePath, ['-e', PROBE], { timeout: SUPPORT_PROBE_TIMEOUT_MS, env: {} }, (err, stdout) => {
      if (err) return reject(codaErrorObject('PermissionProbeFailed', { node: nodePath, detail: err.message.split('\n')[0]! }));
      try {
        const r = JSON.parse(stdout.trim()) as { version: string; permission: boolean; experimental: boolean; inspector: boolean };
        resolve({
          version: r.version,
          permissionFlag: r.permission ? '--permission' : r.experimental ? '--experimental-permission' : undefined,
          allowInspector: r.inspector,
        });
      } catch {
        reject(codaErrorObject('PermissionProbeFailed', { node: nodePath, detail: `unexpected answer ${JSON.stringify(stdout.slice(0, 200))}` }));
      }
    });
  });
}
