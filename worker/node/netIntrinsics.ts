/**
 * The built-ins the network seat belt's address checks use, taken when the worker bundle loads, before any cell
 * runs. A cell may replace `Array.prototype.some`, `Map.prototype.get`, `String`, `String.prototype.toLowerCase`,
 * `Function.prototype.call` or `net.isIP`; a check written with those would answer what the cell wants, and a
 * guard calling its original through `.call` would hand the original to the cell. These copies stay the
 * originals; the checks use nothing else (no iterators, no regular expressions, no globals looked up late).
 */
import net from 'node:net';

export const ReflectApply = Reflect.apply;
const ReflectSetPrototypeOf = Reflect.setPrototypeOf;
const ObjectFreeze = Object.freeze;

function uncurry<A extends unknown[], R>(fn: (...args: A) => R): (self: string, ...args: A) => R {
  return (self, ...args) => ReflectApply(fn, self, args) as R;
}

export const StringSlice = uncurry(String.prototype.slice);
export const StringCharCodeAt = uncurry(String.prototype.charCodeAt);
export const StringIndexOf = uncurry(String.prototype.indexOf);
export const StringEndsWith = uncurry(String.prototype.endsWith);
export const StringToLowerCase = uncurry(String.prototype.toLowerCase);
/** net.isIP as Node shipped it (Node's own code uses its captured built-ins). */
export const isIP = net.isIP;

/** A record with no prototype: no inherited keys, no setters a cell put on Object.prototype. */
export function emptyRecord<V>(): Record<string, V> {
  return { __proto__: null } as unknown as Record<string, V>;
}

/** A growable array with no prototype (index writes never reach a setter on Array.prototype). */
export function emptyList<T>(): T[] {
  const out: T[] = [];
  ReflectSetPrototypeOf(out, null);
  return out;
}

export function freeze<T extends object>(o: T): Readonly<T> {
  return ObjectFreeze(o);
}
