/**
 * Loads isolated-vm from the runtime store (InitParams.sandbox.modulesDir) with createRequire: esbuild keeps it
 * external and the extension never ships it. Every way this can fail ends in one actionable message.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SANDBOX_NODE_MAJORS } from '../../protocol/runtimes';
import type { IvmModule } from './ivmTypes';

const FIX = 'Run "CodaJS: Install Runtime" (it fetches Node.js 24 and isolated-vm), then run the cell again.';

export function loadIsolatedVm(modulesDir: string | undefined): IvmModule {
  if (!modulesDir) throw new Error(`The sandbox kernel was started without isolated-vm (InitParams.sandbox.modulesDir is missing). ${FIX}`);
  const major = Number(process.versions.node.split('.')[0]);
  if (!SANDBOX_NODE_MAJORS.includes(major)) {
    throw new Error(
      `The sandbox needs Node.js ${SANDBOX_NODE_MAJORS.join(' or ')} to host isolated-vm, but this kernel runs on Node.js ${process.version}. ${FIX}`,
    );
  }
  if (!process.execArgv.includes('--no-node-snapshot')) {
    throw new Error(`The sandbox's Node.js must be started with --no-node-snapshot (isolated-vm cannot run without it). ${FIX}`);
  }
  try {
    return createRequire(join(modulesDir, 'noop.js'))('isolated-vm') as IvmModule;
  } catch (err) {
    throw new Error(`isolated-vm could not be loaded from ${modulesDir}: ${(err as Error).message.split('\n')[0]}. ${FIX}`);
  }
}
