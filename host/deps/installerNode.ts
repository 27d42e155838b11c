/**
 * The Node an install's installer process runs on, and the Node version it installs for (InstallParams.nodeVersion).
 * Install scripts are the notebook's own code and build native addons for the Node that runs them, so an install
 * that runs scripts runs on the kernel's Node. Without scripts the installer only resolves, downloads and writes
 * files: it runs on the newer of the kernel's Node and the Node 24 CodaJS keeps (fetched for permissions, the Sandbox
 * or by `coda runtimes fetch node`), which starts sooner and runs arborist faster than Node 20 (a cold install of the
 * six packages of `npm run bench`: 1.73 s against 1.90 s on Node 20, median of 10 interleaved), while the versions it picks stay
 * the ones npm would pick on the kernel's Node.
 */
import type { FoundNode } from '../kernel/findNode';
import { fetchedRuntime, runtimePackage } from '../runtimes/runtimeStore';

export interface InstallerNode {
  /** The Node binary the installer process runs on. */
  path: string;
  /** The kernel's Node version, for InstallParams.nodeVersion (picks and optional packages by `engines`). */
  nodeVersion: string;
}

/** For a kernel on `kernel`; `storage`: the runtime store's root (runtimeStore.ts); `scripts`: the install runs scripts. */
export function installerNode(kernel: FoundNode, storage: string, scripts: boolean): InstallerNode {
  const own = { path: kernel.path, nodeVersion: kernel.version };
  if (scripts) return own;
  const kept = fetchedRuntime(storage, 'node');
  const version = runtimePackage('node')?.version;
  return kept && version && newer(version, kernel.version) ? { path: kept, nodeVersion: kernel.version } : own;
}

/** `a` (`24.1.0`) is a later release than `b` (`v20.18.0`). */
function newer(a: string, b: string): boolean {
  const parts = (v: string) =>
    v
      .replace(/^v/, '')
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
}
