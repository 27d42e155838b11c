/**
 * Built-ins the `run` seat belt uses, taken when the worker bundle loads, before any cell runs. A cell may replace
 * `Array.prototype.includes`, `String`, `Function.prototype.call` or `Reflect.apply` to steer a check written with
 * them; these copies stay the originals. Arrays the seat belt builds have no prototype (no setters on
 * `Array.prototype` indices, no `constructor[Symbol.species]`) and are filled with define, never with set.
 */

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
