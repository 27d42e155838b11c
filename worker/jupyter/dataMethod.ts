/**
 * A method a value carries as a plain data property, on itself or a prototype, found without running any of the
 * value's code: no getter is called and no Proxy trap runs (a cell's result is only ever inspected that way). A
 * method found so is the value's own way of showing itself, which Jupyter kernels call on purpose.
 */
import { types } from 'node:util';

/** Prototype links followed at the most. */
const MAX_CHAIN = 32;

export function dataMethod(value: unknown, key: PropertyKey): ((...args: unknown[]) => unknown) | undefined {
  let o: unknown = value;
  for (let i = 0; i < MAX_CHAIN && o !== null && (typeof o === 'object' || typeof o === 'function'); i++) {
    if (types.isProxy(o)) return undefined;
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d) return 'value' in d && typeof d.value === 'function' ? (d.value as (...args: unknown[]) => unknown) : undefined;
    o = Object.getPrototypeOf(o);
  }
  return undefined;
}
