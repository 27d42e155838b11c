/**
 * Threads user code could start without the kernel's seat belts: Node's module customisation hooks run in a
 * thread of their own (module.register), where none of the network, program or environment checks exist.
 * Denied like worker threads (unless `run: ["*"]`, which already grants any program). Synchronous hooks
 * (module.registerHooks) run on the main thread, under the seat belts, and stay available.
 */
import { getBuiltin } from '../runtime/getBuiltin';
import { permissionError } from './permissionError';

/** The target a denied module.register names. */
export const MODULE_HOOKS_TARGET = 'node:module.register';

export function denyModuleHooksThread(): void {
  const m = getBuiltin('node:module') as { register?: unknown; Module?: { register?: unknown } };
  const deny = function register(): never {
    throw permissionError('run', MODULE_HOOKS_TARGET);
  };
  if (typeof m.register === 'function') m.register = deny;
  if (m.Module && typeof m.Module.register === 'function') m.Module.register = deny;
}
