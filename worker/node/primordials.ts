/**
 * Built-ins the seat belts use (`run`, network, debugger), taken when the worker bundle loads, before any cell runs.
 * A cell may replace `Array.prototype.includes`, `Array.prototype.some`, `String`, `String.prototype.toLowerCase`,
 * `Function.prototype.call`, `Reflect.apply` or `net.isIP` to steer a check written with them, or to be handed the
 * original by a guard calling it through `.call`; these copies stay the originals. Arrays and records the seat belts
 * build have no prototype (no setters on `Array.prototype` indices, no `constructor[Symbol.species]`) and arrays are
 * filled with define, never with set.
 */
import type net from 'node:net';
import { getBuiltin } from '../runtime/getBuiltin';

export const ReflectApply = Reflect.apply;
const ReflectDefineProperty = Reflect.defineProperty;
const ReflectOwnKeys = Reflect.ownKeys;
const ReflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
const ReflectGetPrototypeOf = Reflect.getPrototypeOf;
const ReflectSetPrototypeOf = Reflect.setPrototypeOf;
export const ArrayIsArray = Array.isArray;
const ObjectFreeze = Object.freeze;

function uncurry<A extends unknown[], R>(fn: (...args: A) => R): (self: unknown, ...args: A) => R {
  return (self, ...args) => ReflectApply(fn, self, args) as R;
}

export const StringPrototypeSlice = uncurry(String.prototype.slice);
export const StringPrototypeIndexOf = uncurry(String.prototype.indexOf);
export const StringPrototypeLastIndexOf = uncurry(String.prototype.lastIndexOf);
export const StringPrototypeStartsWith = uncurry(String.prototype.startsWith);
export const StringPrototypeEndsWith = uncurry(String.prototype.endsWith);
export const StringPrototypeCharCodeAt = uncurry(String.prototype.charCodeAt);
export const StringPrototypeToLowerCase = uncurry(String.prototype.toLowerCase);
export const MapPrototypeGet = uncurry(Map.prototype.get) as <V>(map: Map<unknown, V>, key: unknown) => V | undefined;
export const MapPrototypeSet = uncurry(Map.prototype.set);
export const MapPrototypeDelete = uncurry(Map.prototype.delete);
export const MapPrototypeForEach = uncurry(Map.prototype.forEach) as <K, V>(map: Map<K, V>, each: (value: V, key: K) => void) => void;
export const MapPrototypeGetSize = uncurry(ReflectGetOwnPropertyDescriptor(Map.prototype, 'size')!.get!) as (map: Map<unknown, unknown>) => number;
/** net.isIP as Node shipped it (Node's own code uses its captured built-ins). */
export const isIP = (getBuiltin('node:net') as typeof net).isIP;

export function freeze<T extends object>(o: T): Readonly<T> {
  return ObjectFreeze(o);
}

/** A prototype-less array holding `values[0..length)` (read once each), frozen. */
export function safeArray<T>(length: number, at: (i: number) => T): readonly T[] {
  const out: T[] = [];
  ReflectSetPrototypeOf(out, null);
  for (let i = 0; i < length; i++)
    ReflectDefineProperty(out, i, { __proto__: null, value: at(i), writable: false, enumerable: true, configurable: false } as PropertyDescriptor);
  return ObjectFreeze(out);
}

/** Appends with define (a setter a cell put on `Array.prototype[n]` never runs), for prototype-less arrays. */
export function safePush<T>(list: T[], value: T): void {
  ReflectDefineProperty(list, list.length, { __proto__: null, value, writable: true, enumerable: true, configurable: true } as PropertyDescriptor);
}

/** A prototype-less, growable array. */
export function emptyArray<T>(): T[] {
  const out: T[] = [];
  ReflectSetPrototypeOf(out, null);
  return out;
}

/** A prototype-less record (no inherited keys, no setters). */
export function emptyRecord<V>(): Record<string, V> {
  return { __proto__: null } as unknown as Record<string, V>;
}

const ArrayPrototype = Array.prototype;
const ObjectPrototype = Object.prototype;
const ArrayPrototypeIterator = ArrayPrototype[Symbol.iterator];
const ArrayIteratorPrototype = ReflectGetPrototypeOf([][Symbol.iterator]()) as { next: unknown };
const ArrayIteratorNext = ArrayIteratorPrototype.next;
const ArraySpecies = ReflectGetOwnPropertyDescriptor(Array, Symbol.species)?.get;
const OriginalArray = Array;

function hasIndexKey(o: object): boolean {
  const keys = ReflectOwnKeys(o);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (typeof key === 'string' && key.length > 0 && `${+key}` === key) return true;
  }
  return false;
}

/**
 * Whether the array machinery Node's own child_process code relies on is still the original: no index properties
 * inherited by every array (they would let a cell rewrite the environment or arguments Node builds after our check),
 * the original iterator and species. Checked before handing a checked call to Node's synchronous functions.
 */
export function arrayIntrinsicsIntact(): boolean {
  if (hasIndexKey(ArrayPrototype) || hasIndexKey(ObjectPrototype)) return false;
  if (ReflectGetOwnPropertyDescriptor(ArrayPrototype, Symbol.iterator)?.value !== ArrayPrototypeIterator) return false;
  if (ReflectGetOwnPropertyDescriptor(ArrayIteratorPrototype, 'next')?.value !== ArrayIteratorNext) return false;
  if (ReflectGetOwnPropertyDescriptor(ArrayPrototype, 'constructor')?.value !== OriginalArray) return false;
  return ReflectGetOwnPropertyDescriptor(OriginalArray, Symbol.species)?.get === ArraySpecies;
}
