/**
 * Loads isolated-vm from the runtime store (InitParams.sandbox.modulesDir) with createRequire: esbuild keeps it
 * external and the extension never ships it. Every way this can fail ends in one actionable message.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { codaErrorObject } from '../../protocol/codaErrors';
import { SANDBOX_NODE_MAJORS } from '../../protocol/runtimes';
import type { IvmModule } from './ivmTypes';

export function loadIsolatedVm(modulesDir: string | undefined): IvmModule {
  if (!modulesDir) throw codaErrorObject('SandboxWithoutIsolatedVm');
  const major = Number(process.versions.node.split('.')[0]);
  if (!SANDBOX_NODE_MAJORS.includes(major)) {
    throw codaErrorObject('SandboxWrongNode', { majors: SANDBOX_NODE_MAJORS.join(' or '), version: process.version });
  }
  if (!process.execArgv.includes('--no-node-snapshot')) {
    throw codaErrorObject('SandboxNeedsNoSnapshot');
  }
  try {
    return createRequire(join(modulesDir, 'noop.js'))('isolated-vm') as IvmModule;
  } catch (err) {
    throw codaErrorObject('IsolatedVmUnloadable', { path: modulesDir, detail: (err as Error).message.split('\n')[0]! });
  }
}
