/**
 * Reads what kind of object a value is without running user code: no getters, no Proxy traps,
 * no toString/valueOf, no iterator protocols.
 */
import { types } from 'node:util';
import type { ObjectSubtype } from '../../protocol';

export interface Classified {
  subtype: ObjectSubtype;
  className: string;
  size?: number;
}

/** The prototype, or null; never triggers a Proxy trap (proxies are classified before this is called). */
export function protoOf(value: object): object | null {
  try {
    return Object.getPrototypeOf(value) as object | null;
  } catch {
    return null;
  }
}

/** Constructor name from the prototype chain's own data property `constructor` (accessors are not called). */
export function constructorName(value: object): string {
  let proto = protoOf(value);
  for (let depth = 0; proto && depth < 20; depth++) {
    if (types.isProxy(proto)) return 'Object';
    const desc = Object.getOwnPropertyDescriptor(proto, 'constructor');
    if (desc && 'value' in desc && typeof desc.value === 'function') {
      const nameDesc = Object.getOwnPropertyDescriptor(desc.value, 'name');
      if (nameDesc && typeof nameDesc.value === 'string') return nameDesc.value;
    }
    proto = protoOf(proto);
  }
  return protoOf(value) === null ? '' : 'Object';
}

function functionSubtype(fn: object): ObjectSubtype {
  try {
    const src = Function.prototype.toString.call(fn);
    if (/^class[\s{]/.test(src)) return 'class';
  } catch {
    // revoked proxies and exotic callables: fall through
  }
  return 'function';
}

export function classify(value: object): Classified {
  if (types.isProxy(value)) return { subtype: 'proxy', className: 'Proxy' };
  if (typeof value === 'function') {
    const subtype = functionSubtype(value);
    return { subtype, className: subtype === 'class' ? 'Function' : constructorName(value) || 'Function' };
  }
  const className = constructorName(value);
  if (Array.isArray(value)) return { subtype: 'array', className: className || 'Array', size: value.length };
  if (Buffer.isBuffer(value)) return { subtype: 'buffer', className: 'Buffer', size: value.length };
  if (types.isTypedArray(value)) return { subtype: 'typedarray', className, size: value.length };
  if (types.isArrayBuffer(value) || types.isSharedArrayBuffer(value)) {
    return { subtype: 'arraybuffer', className, size: (value as ArrayBuffer).byteLength };
  }
  if (types.isDataView(value)) return { subtype: 'dataview', className, size: value.byteLength };
  if (types.isMap(value)) return { subtype: 'map', className, size: mapSize(value) };
  if (types.isSet(value)) return { subtype: 'set', className, size: setSize(value) };
  if (types.isWeakMap(value)) return { subtype: 'weakmap', className };
  if (types.isWeakSet(value)) return { subtype: 'weakset', className };
  if (typeof WeakRef !== 'undefined' && value instanceof WeakRef) return { subtype: 'weakref', className };
  if (types.isDate(value)) return { subtype: 'date', className };
  if (types.isRegExp(value)) return { subtype: 'regexp', className };
  if (types.isNativeError(value) || value instanceof Error) return { subtype: 'error', className };
  if (types.isPromise(value)) return { subtype: 'promise', className };
  if (types.isGeneratorObject(value)) return { subtype: 'generator', className };
  if (types.isMapIterator(value) || types.isSetIterator(value)) return { subtype: 'iterator', className };
  if (types.isBoxedPrimitive(value)) return { subtype: 'boxed', className };
  if (types.isModuleNamespaceObject(value)) return { subtype: 'module', className: 'Module' };
  if (className === '') return { subtype: 'null-prototype', className };
  return { subtype: 'object', className };
}

function mapSize(m: Map<unknown, unknown>): number {
  return Reflect.apply(Object.getOwnPropertyDescriptor(Map.prototype, 'size')!.get!, m, []) as number;
}

function setSize(s: Set<unknown>): number {
  return Reflect.apply(Object.getOwnPropertyDescriptor(Set.prototype, 'size')!.get!, s, []) as number;
}
