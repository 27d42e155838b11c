/**
 * How to start a kernel for a runtime: which Node runs the worker, with which flags, and what the runtime needs
 * in InitParams (the Deno/Bun binary, the sandbox's isolated-vm and limits). Shared by the extension and `coda run`.
 * Throws RuntimeMissingError (locateRuntime.ts) when a runtime is not installed, so hosts can offer to fetch it.
 */
import type { InitParams } from '../../protocol';
import { nodeVersionFlags } from './nodeVersionFlags';
import { findNode } from './findNode';
import type { KernelStartOptions } from './Kernel';
import { findSandbox, findSidecarBinary } from './locateRuntime';
import { nodePermissionLaunch } from './nodePermissionArgs';

export interface LaunchSettings {
  /** dist/worker.js */
  workerPath: string;
  /** The runtime store's root (see runtimeStore.ts). */
  storage: string;
  nodePath?: string;
  denoPath?: string;
  bunPath?: string;
  /** Heap limit of a Node worker (--max-old-space-size). */
  maxMemoryMb?: number;
  sandboxMemoryMb: number;
  sandboxCellTimeoutMs: number;
  log?: KernelStartOptions['log'];
}

/** Flags isolated-vm needs from the Node that hosts it. */
export const SANDBOX_FLAGS = ['--no-node-snapshot'];

export async function kernelLaunch(init: InitParams, s: LaunchSettings): Promise<KernelStartOptions> {
  const heap = s.maxMemoryMb ? [`--max-old-space-size=${s.maxMemoryMb}`] : [];
  const base = { workerPath: s.workerPath, log: s.log };
  switch (init.runtime) {
    case 'node': {
      const node = await findNode(s.nodePath);
      // declared permissions: Node's permission model (a Node that can still stop cells under it, maybe Node 24)
      const launch = await nodePermissionLaunch(init, { nodePath: node.path, workerPath: s.workerPath, storage: s.storage });
      // with permissions, nodePermissionArgs adds them for the Node it chose
      const versionFlags = init.permissions ? [] : nodeVersionFlags(node.version);
      return { ...base, nodePath: launch.nodePath, execArgv: [...heap, ...versionFlags, ...launch.execArgv], init };
    }
    case 'deno':
    case 'bun': {
      const [node, binary] = await Promise.all([
        findNode(s.nodePath),
        findSidecarBinary(init.runtime, s.storage, init.runtime === 'deno' ? s.denoPath : s.bunPath),
      ]);
      // the worker's heap flag is passed on to Deno (--v8-flags); Bun has no heap limit flag
      return { ...base, nodePath: node.path, execArgv: [...heap, ...nodeVersionFlags(node.version)], init: { ...init, runtimePath: binary.path } };
    }
    case 'sandbox': {
      const configured = await findNode(s.nodePath).catch(() => undefined);
      const { node, modulesDir } = await findSandbox(s.storage, configured);
      return {
        ...base,
        nodePath: node.path,
        execArgv: [...SANDBOX_FLAGS, ...nodeVersionFlags(node.version)],
        init: { ...init, sandbox: { modulesDir, memoryMb: s.sandboxMemoryMb, cellTimeoutMs: s.sandboxCellTimeoutMs } },
      };
    }
  }
}
