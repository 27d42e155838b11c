/**
 * Values shown to the user: bounded previews plus handles that expand lazily, page by page.
 * A value is never serialized whole; budgets live in worker/inspect (named constants there).
 */

export type ObjectSubtype =
  | 'object'
  | 'array'
  | 'typedarray'
  | 'arraybuffer'
  | 'dataview'
  | 'map'
  | 'set'
  | 'weakmap'
  | 'weakset'
  | 'weakref'
  | 'date'
  | 'regexp'
  | 'error'
  | 'promise'
  | 'proxy'
  | 'function'
  | 'class'
  | 'generator'
  | 'iterator'
  | 'boxed'
  | 'module'
  | 'buffer'
  | 'null-prototype';

/** A kernel-side object that can be expanded while the kernel that produced it lives. */
export interface Handle {
  /** Identifies the kernel process instance; a restarted kernel has a new id and old handles are stale. */
  kernelId: string;
  /** Registry id inside that kernel. */
  id: number;
}

export type RemoteValue =
  | { type: 'undefined' }
  | { type: 'null' }
  | { type: 'boolean'; value: boolean }
  /** `text` is the canonical rendering (covers NaN, -0, Infinity). */
  | { type: 'number'; text: string }
  | { type: 'bigint'; text: string }
  | { type: 'symbol'; text: string }
  /** `value` may be cut to a budget; `length` is the full length. */
  | { type: 'string'; value: string; length: number }
  | ObjectValue;

export interface ObjectValue {
  type: 'object';
  subtype: ObjectSubtype;
  /** Constructor name ('Object', 'Array', 'Map', 'Foo'), or '' for null-prototype objects. */
  className: string;
  /**
   * One-line bounded preview, as a developer console shows it collapsed:
   * `Foo {a: 1, b: Array(3), c: {…}}`, `Map(2) {1 => 'a', …}`, `Promise {<pending>}`, `ƒ add(a, b)`.
   */
  preview: string;
  /**
   * A cell's result only (the `execute` result's value, `resultSettled`'s), when it says more than `preview`: the value
   * as the runtime's console prints it at its REPL's defaults (Node's layout: over lines, 2 levels deep, 100 items of
   * each list, strings up to 10,000 characters; the Sandbox's formatter writes the same layout), secrets masked, cut to
   * 20,000 characters saying how many more there were. What `coda run` prints and a result's text/plain output holds,
   * where nothing can be expanded.
   */
  text?: string;
  /** Element / entry count for arrays, typed arrays, maps, sets; byte length for buffers. */
  size?: number;
  /** Present when the value can be expanded; absent when the handle budget ran out or the value is a leaf. */
  handle?: Handle;
}

/** One row of an expanded object. */
export interface PropertyItem {
  /** Property name, array index, `[[Prototype]]`, `[[Entries]]`, `[[PromiseState]]`, `[[Target]]`, ... */
  name: string;
  /** Map entries carry the key as a value of its own. */
  key?: RemoteValue;
  /** Absent for accessors (getters are never invoked). */
  value?: RemoteValue;
  accessor?: 'get' | 'set' | 'get/set';
  /** Internal slots and the prototype link render dimmed. */
  internal?: boolean;
  /** Non-enumerable own properties render dimmed too. */
  enumerable?: boolean;
  /** Symbol-keyed property. */
  symbol?: boolean;
}

export interface PropertyPage {
  handle: Handle;
  /** Index of the first item of this page within the value's full item list. */
  start: number;
  /** Total number of items the value has (indices/entries first, then named properties, then internals). */
  total: number;
  items: PropertyItem[];
}

/** Rich output produced by the runtime's `display()` helper. */
export interface DisplayData {
  /** e.g. 'text/html', 'text/markdown', 'image/svg+xml', 'image/png', 'application/json', 'text/plain'. */
  mime: string;
  /** Text for textual mimes; base64 for binary ones (see `encoding`). */
  data: string;
  encoding?: 'utf8' | 'base64';
}
