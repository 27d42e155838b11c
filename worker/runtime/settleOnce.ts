/**
 * A cell's execution ends once, whoever ends it first: its completion, its error, an interrupt or a limit. Every
 * runtime settles its running cell through this, with its own bookkeeping run just before the result is delivered.
 *
 * In the Node kernel (and the Deno/Bun agent) cells share the runtime's realm, so a cell may plant a `then` on
 * Object.prototype. Resolving a promise with the result would then call that `then` and the reply would never be
 * sent: the result carries its own (non-enumerable, so never serialised) `then: undefined`, which shadows it on
 * every promise the result passes through on its way out.
 */
import type { ExecuteResult } from '../../protocol';

export function settleOnce(resolve: (result: ExecuteResult) => void, beforeResolve: () => void): (result: ExecuteResult) => void {
  let done = false;
  return (result) => {
    if (done) return;
    done = true;
    beforeResolve();
    resolve(notThenable(result));
  };
}

/** The same object, never adopted as a thenable whatever its prototype chain says. */
export function notThenable<T extends object>(value: T): T {
  Reflect.defineProperty(value, 'then', { value: undefined, enumerable: false, writable: false, configurable: true });
  return value;
}
