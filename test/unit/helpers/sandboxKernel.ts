/** A Sandbox kernel (Node 24 + isolated-vm from the runtime store) for tests, started as the host starts it. */
import type { InitParams, Permissions, SandboxOptions } from '../../../protocol';
import { requireRuntimes, runtimeBinary } from '../../runtimeBinaries';
import { startKernel, type TestKernel } from './testKernel';

export function sandboxAvailable(): { node: string; modulesDir: string } | undefined {
  const node = runtimeBinary('node');
  const modulesDir = runtimeBinary('isolated-vm');
  return node && modulesDir ? { node, modulesDir } : undefined;
}

/** startKernel options for a Sandbox kernel as the host starts one (spread `init` fields over its `init`). */
export function sandboxStartOptions(): { nodePath: string; execArgv: string[]; init: Partial<InitParams> } | undefined {
  const found = sandboxAvailable();
  if (!found) return undefined;
  return {
    nodePath: found.node,
    execArgv: ['--no-node-snapshot'],
    init: { runtime: 'sandbox', sandbox: { modulesDir: found.modulesDir, memoryMb: 128, cellTimeoutMs: 0 }, permissions: {} },
  };
}

export async function startSandbox(
  opts: { permissions?: Permissions; sandbox?: Partial<SandboxOptions>; env?: Record<string, string>; cwd?: string } = {},
): Promise<TestKernel> {
  const base = sandboxStartOptions();
  if (!base) throw new Error('Node 24 and isolated-vm are not in the runtime store: run `coda runtimes fetch`');
  const sandbox = { ...base.init.sandbox!, ...opts.sandbox };
  return startKernel({ ...base, cwd: opts.cwd, init: { ...base.init, sandbox, permissions: opts.permissions ?? {}, env: opts.env } });
}

export function skipWithoutSandbox(ctx: Mocha.Context): void {
  if (sandboxAvailable()) return;
  if (requireRuntimes) throw new Error('Node 24 / isolated-vm missing from the runtime store and CODA_REQUIRE_RUNTIMES is set');
  ctx.skip();
}
