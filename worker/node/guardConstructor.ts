/**
 * Replaces a class with a look-alike that runs a check before constructing: same prototype, same statics,
 * `instanceof` still true, and the original is no longer reachable through `prototype.constructor`.
 */
export function guardConstructor<T extends abstract new (...args: never[]) => unknown>(original: T, check: (args: unknown[]) => void): T {
  const Original = original as unknown as new (...args: unknown[]) => object;
  const guarded = function (this: unknown, ...args: unknown[]) {
    if (new.target === undefined) throw new TypeError(`Class constructor ${Original.name} cannot be invoked without 'new'`);
    check(args);
    return Reflect.construct(Original, args, new.target === guarded ? Original : new.target);
  };
  for (const key of Reflect.ownKeys(Original)) {
    if (key === 'prototype') continue;
    Object.defineProperty(guarded, key, Object.getOwnPropertyDescriptor(Original, key)!);
  }
  Object.defineProperty(guarded, 'prototype', { value: Original.prototype, writable: false });
  Object.defineProperty(Original.prototype, 'constructor', { value: guarded, writable: true, configurable: true, enumerable: false });
  return guarded as unknown as T;
}
