/**
 * Runs INSIDE the isolate (stringified into the prelude, see sandboxPrelude.ts): self-contained, no imports, only
 * ECMAScript built-ins captured when the prelude starts.
 *
 * What each Proxy a cell makes wraps. Plain JavaScript cannot tell a Proxy from its target without running its traps
 * (Node's formatter asks V8, which nothing inside the isolate can), so the `Proxy` cells see notes every proxy it
 * makes, with its target and handler, and `Proxy.revocable`'s revoke notes that it was revoked. The formatter then
 * writes a proxy as Node does (its target, `Proxy [ target, handler ]` or `<Revoked Proxy>`) and never runs a trap.
 * That `Proxy` is the engine's own constructor behind a Proxy of the prelude's: its name, length, properties and
 * errors are the engine's.
 */
/* eslint-disable */

/** A proxy's target and handler, or null once it was revoked. */
export type ProxyParts = { readonly target: object; readonly handler: object } | null;

export function makeProxyRegistry(): { Proxy: ProxyConstructor; proxyOf: (v: unknown) => ProxyParts | undefined } {
  'use strict';
  const NativeProxy = Proxy;
  const construct = Reflect.construct;
  const apply = Reflect.apply;
  const define = Object.defineProperty;
  const freeze = Object.freeze;
  const WeakMapCtor = WeakMap;
  const wmGet = WeakMapCtor.prototype.get;
  const wmSet = WeakMapCtor.prototype.set;
  const wmHas = WeakMapCtor.prototype.has;
  const nativeRevocable = NativeProxy.revocable;

  const parts = new WeakMapCtor<object, ProxyParts>();
  const note = (proxy: object, target: object, handler: object) => apply(wmSet, parts, [proxy, freeze({ __proto__: null, target, handler })]);

  // a method, as the built-in is (not a constructor, length 2); its revoke, a function without a name, as the built-in's
  const revocable = {
    revocable(target: object, handler: ProxyHandler<object>) {
      const made = apply(nativeRevocable, NativeProxy, [target, handler]) as { proxy: object; revoke: () => void };
      const { proxy, revoke } = made;
      note(proxy, target, handler);
      define(made, 'revoke', {
        __proto__: null,
        value: {
          ''() {
            apply(wmSet, parts, [proxy, null]);
            apply(revoke, undefined, []);
          },
        }[''],
        writable: true,
        enumerable: true,
        configurable: true,
      } as PropertyDescriptor);
      return made;
    },
  }.revocable;
  define(NativeProxy, 'revocable', { __proto__: null, value: revocable, writable: true, enumerable: false, configurable: true } as PropertyDescriptor);

  // (no prototype: a trap a cell puts on Object.prototype is never one of these)
  const tracked = new NativeProxy(NativeProxy, {
    __proto__: null,
    construct(t: ProxyConstructor, args: [object, ProxyHandler<object>], newTarget: Function) {
      const proxy = construct(t, args, newTarget) as object;
      // (the engine made `args` and checked both: two own elements)
      note(proxy, args[0], args[1]);
      return proxy;
    },
  } as ProxyHandler<ProxyConstructor>);

  const proxyOf = (v: unknown): ProxyParts | undefined =>
    ((typeof v === 'object' && v !== null) || typeof v === 'function') && apply(wmHas, parts, [v]) ? apply(wmGet, parts, [v]) : undefined;
  return { Proxy: tracked, proxyOf };
}
