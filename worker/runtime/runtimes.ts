/**
 * Runtime factories by kind. The Node runtime runs in the worker process itself; other kinds register here.
 */
import { codaErrorObject, type RuntimeKind } from '../../protocol';
import { NodeRuntime } from '../node/NodeRuntime';
import { SidecarRuntime } from '../sidecar/SidecarRuntime';
import type { RuntimeFactory } from './Runtime';

export const runtimeFactories: Partial<Record<RuntimeKind, RuntimeFactory>> = {
  node: async (init, host) => new NodeRuntime(init, host),
  deno: (init, host) => SidecarRuntime.start(init, host),
  bun: (init, host) => SidecarRuntime.start(init, host),
  // loaded on first use: isolated-vm is a native module only the sandbox needs
  sandbox: async (init, host) => (await import('../isolate/IsolateRuntime')).IsolateRuntime.create(init, host),
};

export function runtimeFactory(kind: RuntimeKind): RuntimeFactory {
  const factory = runtimeFactories[kind];
  if (!factory) {
    const known = Object.keys(runtimeFactories).join(', ');
    throw codaErrorObject('RuntimeNotInBuild', { runtime: kind, known });
  }
  return factory;
}
