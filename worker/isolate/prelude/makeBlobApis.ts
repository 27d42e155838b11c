/**
 * Runs INSIDE the isolate (stringified into the prelude, see sandboxPrelude.ts; composed by makeWebApis): self-contained,
 * ECMAScript built-ins only, captured when the prelude starts. `Blob`, `File` and `FormData` as the File API and XHR
 * standards define them, kept in memory (no `stream()`): a Blob's bytes are a private copy no cell can reach, handed
 * out only as fresh copies (`arrayBuffer()`, `bytes()`), so a Blob never changes. Their bytes count against the
 * isolate's memory limit like any value. Nothing here asks the host anything.
 *
 * A cell may replace built-ins after the prelude ran (Array.prototype methods, the array iterator, String.prototype
 * methods…): this code calls none of them on its own values (index loops, captured functions), so such a cell changes
 * only what its own arguments do, never what another cell's Blob or FormData holds. Their states, and the records
 * and property descriptors made here, have no prototype and hold all their keys from the start: a getter or setter a
 * cell put on Object.prototype never sees them.
 */
import type { WebShared } from './makeWebApis';

/** What makeFetchApis and makeFormCodec read of a Blob, a File or a FormData (never handed to a cell). */
export interface BlobShared {
  /** A Blob's (or File's) bytes and type; the bytes must only be read. */
  blobOf(v: unknown): { __proto__: null; bytes: Uint8Array; type: string } | undefined;
  /** A File's name and lastModified. */
  fileOf(v: unknown): { __proto__: null; name: string; lastModified: number } | undefined;
  newBlob(bytes: Uint8Array, type: string): object;
  newFile(bytes: Uint8Array, name: string, type: string, lastModified?: number): object;
  /** A FormData's entries (a copy of the list), values strings or Files. */
  formOf(v: unknown): [string, unknown][] | undefined;
  newFormData(entries: [string, unknown][]): object;
  /** A string as `USVString` converts it (a symbol is a TypeError). */
  toUSV(v: unknown): string;
  /** A type as a Blob keeps it: lower case, or '' when it has a character outside U+0020–U+007E. */
  blobType(t: string): string;
}

export function makeBlobApis(shared: WebShared): { globals: Record<string, unknown>; preview(v: unknown): string | undefined; shared: BlobShared } {
  'use strict';
  const O = Object;
  const apply = Reflect.apply;
  const create = O.create;
  const isArray = Array.isArray;
  const StringCtor = String;
  const NumberCtor = Number;
  const fromCharCode = String.fromCharCode;
  const charCodeAt = String.prototype.charCodeAt;
  // a typed array's length and buffer through the getters captured now (a cell may redefine them later)
  const TA_PROTO = O.getPrototypeOf(Uint8Array.prototype);
  const bufferGet = O.getOwnPropertyDescriptor(TA_PROTO, 'buffer')!.get!;
  // views, copies and concatenations of bytes, and the pair iterator FormData shares with URLSearchParams and Headers (makeWebApis)
  const { view, copy, concat, pairIterable, setPair, push, tag, byteLength: len } = shared;
  const PromiseCtor = Promise;
  const TypeErrorCtor = TypeError;
  const WeakMapCtor = WeakMap;
  const wmGet = WeakMap.prototype.get;
  const wmSet = WeakMap.prototype.set;
  const dateNow = Date.now;
  const DateCtor = Date;
  const floor = Math.floor;
  const iterator = Symbol.iterator;

  const toUSV = (v: unknown): string => {
    if (typeof v === 'symbol') throw new TypeErrorCtor('Cannot convert a Symbol value to a string');
    return StringCtor(v);
  };
  /** A promise settled with what `fn` returns or throws (as a web API's promise-returning method does). */
  const promised = <T>(fn: () => T): Promise<T> => new PromiseCtor<T>((resolve) => resolve(fn()));
  /** A Blob's type: lower case, or '' when it has a character outside U+0020–U+007E. */
  const blobType = (t: string): string => {
    let out = '';
    for (let i = 0; i < t.length; i++) {
      const c = apply(charCodeAt, t, [i]) as number;
      if (c < 0x20 || c > 0x7e) return '';
      out += fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
    }
    return out;
  };
  /** CR LF, CR and LF as LF ('native' line endings outside Windows). */
  const nativeEndings = (s: string): string => {
    const out = shared.builder();
    for (let i = 0; i < s.length; i++) {
      const c = apply(charCodeAt, s, [i]) as number;
      if (c === 0x0d) {
        out.code(0x0a);
        if (apply(charCodeAt, s, [i + 1]) === 0x0a) i++;
      } else out.code(c);
    }
    return out.done();
  };
  /** The items of a WebIDL sequence: an array by index (never through an iterator a cell replaced), else its iterator. */
  const sequence = (v: unknown, what: string): unknown[] => {
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null) throw new TypeErrorCtor(`${what}: the value cannot be converted to a sequence`);
    const out: unknown[] = [];
    if (isArray(v)) {
      for (let i = 0; i < v.length; i++) push(out, v[i]);
      return out;
    }
    if (typeof (v as any)[iterator] !== 'function') throw new TypeErrorCtor(`${what}: the value cannot be converted to a sequence`);
    for (const item of v as Iterable<unknown>) push(out, item);
    return out;
  };
  /** WebIDL's [Clamp] long long: rounded half to even, within ±2^53. */
  const clamp = (v: unknown): number => {
    let x = NumberCtor(v);
    if (x !== x) return 0;
    if (x > 9007199254740991) x = 9007199254740991;
    if (x < -9007199254740991) x = -9007199254740991;
    const f = floor(x);
    const r = x - f < 0.5 ? f : x - f > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
    return r === 0 ? 0 : r;
  };

  // ---- Blob and File ----
  interface BlobState {
    __proto__: null;
    bytes: Uint8Array;
    type: string;
  }
  interface FileState {
    __proto__: null;
    name: string;
    lastModified: number;
  }
  const blobs = new WeakMapCtor<object, BlobState>();
  const files = new WeakMapCtor<object, FileState>();
  const blobOf = (v: unknown): BlobState | undefined => (typeof v === 'object' && v !== null ? (apply(wmGet, blobs, [v]) as BlobState | undefined) : undefined);
  const fileOf = (v: unknown): FileState | undefined => (typeof v === 'object' && v !== null ? (apply(wmGet, files, [v]) as FileState | undefined) : undefined);
  const blobState = (v: unknown): BlobState => {
    const s = blobOf(v);
    if (!s) throw new TypeErrorCtor('Illegal invocation: not a Blob');
    return s;
  };
  const fileState = (v: unknown): FileState => {
    const s = fileOf(v);
    if (!s) throw new TypeErrorCtor('Illegal invocation: not a File');
    return s;
  };
  /** The bytes of blob parts (Blobs, BufferSources, anything else as its string in UTF-8). */
  const partBytes = (parts: unknown[], native: boolean): Uint8Array => {
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      const b = blobOf(p);
      const view = b ? undefined : shared.bufferOf(p);
      if (b) push(pieces, b.bytes);
      else if (view) push(pieces, view);
      else {
        const s = toUSV(p);
        push(pieces, shared.utf8Encode(native ? nativeEndings(s) : s));
      }
    }
    // one copy: the parts' own buffers may change afterwards, the Blob does not
    return concat(pieces);
  };
  /** The options of a Blob or File, read once each in the dictionary's order (endings, type). */
  const blobOptions = (options: unknown, what: string): { __proto__: null; native: boolean; type: string } => {
    if (options === undefined || options === null) return { __proto__: null, native: false, type: '' };
    if (typeof options !== 'object' && typeof options !== 'function') throw new TypeErrorCtor(`${what}: the options must be an object`);
    const e = (options as any).endings;
    const endings = e === undefined ? 'transparent' : toUSV(e);
    if (endings !== 'transparent' && endings !== 'native')
      throw new TypeErrorCtor(`${what}: options.endings must be 'transparent' or 'native', not '${endings}'`);
    const t = (options as any).type;
    return { __proto__: null, native: endings === 'native', type: t === undefined ? '' : blobType(toUSV(t)) };
  };

  class Blob {
    constructor(blobParts: unknown = undefined, options: unknown = undefined) {
      const parts = blobParts === undefined ? [] : sequence(blobParts, "Failed to construct 'Blob'");
      const { native, type } = blobOptions(options, "Failed to construct 'Blob'");
      apply(wmSet, blobs, [this, { __proto__: null, bytes: partBytes(parts, native), type }]);
      shared.register(this, 'Blob');
    }
    get size(): number {
      return len(blobState(this).bytes);
    }
    get type(): string {
      return blobState(this).type;
    }
    slice(start: unknown = undefined, end: unknown = undefined, contentType: unknown = undefined): Blob {
      const s = blobState(this);
      const size = len(s.bytes);
      const rel = (v: unknown, d: number) => {
        if (v === undefined) return d;
        const n = clamp(v);
        return n < 0 ? (size + n > 0 ? size + n : 0) : n < size ? n : size;
      };
      const from = rel(start, 0);
      const to = rel(end, size);
      const span = to - from > 0 ? to - from : 0;
      // a view on the same bytes: neither Blob ever changes them
      return newBlob(view(s.bytes, from, from + span), contentType === undefined ? '' : blobType(toUSV(contentType))) as Blob;
    }
    text(): Promise<string> {
      return promised(() => shared.utf8Decode(blobState(this).bytes));
    }
    arrayBuffer(): Promise<ArrayBuffer> {
      return promised(() => apply(bufferGet, copy(blobState(this).bytes), []) as ArrayBuffer);
    }
    bytes(): Promise<Uint8Array> {
      return promised(() => copy(blobState(this).bytes));
    }
  }
  tag(Blob.prototype, 'Blob');
  const newBlob = (bytes: Uint8Array, type: string): object => {
    const b = create(Blob.prototype);
    apply(wmSet, blobs, [b, { __proto__: null, bytes, type }]);
    shared.register(b, 'Blob');
    return b;
  };

  class File extends Blob {
    constructor(fileBits: unknown, fileName: unknown, options: unknown = undefined) {
      if (arguments.length < 2) throw new TypeErrorCtor(`Failed to construct 'File': 2 arguments required, but only ${arguments.length} present`);
      super(fileBits, options);
      const name = toUSV(fileName);
      const lm = options === undefined || options === null ? undefined : (options as any).lastModified;
      apply(wmSet, files, [this, { __proto__: null, name, lastModified: lm === undefined ? (apply(dateNow, DateCtor, []) as number) : clamp(lm) }]);
      shared.register(this, 'File');
    }
    get name(): string {
      return fileState(this).name;
    }
    get lastModified(): number {
      return fileState(this).lastModified;
    }
  }
  tag(File.prototype, 'File');
  const newFile = (bytes: Uint8Array, name: string, type: string, lastModified?: number): object => {
    const f = create(File.prototype);
    apply(wmSet, blobs, [f, { __proto__: null, bytes, type }]);
    apply(wmSet, files, [f, { __proto__: null, name, lastModified: lastModified ?? (apply(dateNow, DateCtor, []) as number) }]);
    shared.register(f, 'File');
    return f;
  };
  // structuredClone copies them, as a browser's does (the bytes never change: the copy shares them)
  shared.cloneable('Blob', (v) => newBlob(blobState(v).bytes, blobState(v).type));
  shared.cloneable('File', (v) => newFile(blobState(v).bytes, fileState(v).name, blobState(v).type, fileState(v).lastModified));

  // ---- FormData ----
  interface FormState {
    __proto__: null;
    list: [string, unknown][];
  }
  const forms = new WeakMapCtor<object, FormState>();
  const formState = (v: unknown): FormState => {
    const s = typeof v === 'object' && v !== null ? (apply(wmGet, forms, [v]) as FormState | undefined) : undefined;
    if (!s) throw new TypeErrorCtor('Illegal invocation: not a FormData');
    return s;
  };
  /** An entry as the XHR standard makes one: a Blob value becomes a File (named 'blob', or the filename given). */
  const entry = (name: unknown, value: unknown, filename: unknown, blobOnly: boolean, what: string): [string, unknown] => {
    const n = toUSV(name);
    const b = blobOf(value);
    if (!b) {
      if (blobOnly) throw new TypeErrorCtor(`${what}: with a filename, the value must be a Blob or a File`);
      return [n, toUSV(value)];
    }
    const f = fileOf(value);
    if (f && filename === undefined) return [n, value];
    return [n, newFile(b.bytes, filename !== undefined ? toUSV(filename) : f ? f.name : 'blob', b.type, f?.lastModified)];
  };
  const need = (given: number, n: number, what: string) => {
    if (given < n) throw new TypeErrorCtor(`${what}: ${n} argument${n > 1 ? 's' : ''} required, but only ${given} present`);
  };

  class FormData {
    constructor(form: unknown = undefined) {
      if (form !== undefined) throw new TypeErrorCtor('FormData: the Sandbox has no HTML form to read; make an empty FormData and append to it');
      apply(wmSet, forms, [this, { __proto__: null, list: [] }]);
      shared.register(this, 'FormData');
    }
    append(name: unknown, value: unknown, filename: unknown = undefined) {
      need(arguments.length, 2, 'FormData.append');
      const s = formState(this);
      push(s.list, entry(name, value, filename, arguments.length > 2, 'FormData.append'));
    }
    delete(name: unknown) {
      need(arguments.length, 1, 'FormData.delete');
      const s = formState(this);
      const n = toUSV(name);
      const kept: [string, unknown][] = [];
      for (let i = 0; i < s.list.length; i++) if (s.list[i]![0] !== n) push(kept, s.list[i]!);
      s.list = kept;
    }
    get(name: unknown): unknown {
      need(arguments.length, 1, 'FormData.get');
      const s = formState(this);
      const n = toUSV(name);
      for (let i = 0; i < s.list.length; i++) if (s.list[i]![0] === n) return s.list[i]![1];
      return null;
    }
    getAll(name: unknown): unknown[] {
      need(arguments.length, 1, 'FormData.getAll');
      const s = formState(this);
      const n = toUSV(name);
      const out: unknown[] = [];
      for (let i = 0; i < s.list.length; i++) if (s.list[i]![0] === n) push(out, s.list[i]![1]);
      return out;
    }
    has(name: unknown): boolean {
      need(arguments.length, 1, 'FormData.has');
      const s = formState(this);
      const n = toUSV(name);
      for (let i = 0; i < s.list.length; i++) if (s.list[i]![0] === n) return true;
      return false;
    }
    set(name: unknown, value: unknown, filename: unknown = undefined) {
      need(arguments.length, 2, 'FormData.set');
      const s = formState(this);
      const e = entry(name, value, filename, arguments.length > 2, 'FormData.set');
      s.list = setPair(s.list, e);
    }
  }
  // forEach, entries, keys, values and [Symbol.iterator]: its iterators walk the live list by index
  pairIterable(FormData.prototype, 'FormData', (v) => formState(v).list);
  tag(FormData.prototype, 'FormData');

  const newFormData = (entries: [string, unknown][]): object => {
    const f = create(FormData.prototype);
    apply(wmSet, forms, [f, { __proto__: null, list: entries }]);
    shared.register(f, 'FormData');
    return f;
  };

  // ---- previews (from the state: no getter or method of the cell's runs) ----
  const fileText = (v: unknown): string | undefined => {
    const b = blobOf(v);
    if (!b) return undefined;
    const f = fileOf(v);
    const base = `size: ${len(b.bytes)}, type: ${shared.quote(b.type)}`;
    return f ? `File { ${base}, name: ${shared.quote(f.name)}, lastModified: ${f.lastModified} }` : `Blob { ${base} }`;
  };
  const preview = (v: unknown): string | undefined => {
    const blob = fileText(v);
    if (blob !== undefined) return blob;
    const form = typeof v === 'object' && v !== null ? (apply(wmGet, forms, [v]) as FormState | undefined) : undefined;
    if (!form) return undefined;
    let text = '';
    const list = form.list;
    for (let i = 0; i < list.length && i < 20; i++) {
      const value = list[i]![1];
      text += `${i ? ', ' : ''}${shared.key(list[i]![0])}: ${typeof value === 'string' ? shared.quote(value) : fileText(value)}`;
    }
    return list.length ? `FormData { ${text}${list.length > 20 ? ', …' : ''} }` : 'FormData {}';
  };

  return {
    globals: { Blob, File, FormData },
    preview,
    shared: {
      blobOf,
      fileOf,
      newBlob,
      newFile,
      formOf: (v) => {
        const s = typeof v === 'object' && v !== null ? (apply(wmGet, forms, [v]) as FormState | undefined) : undefined;
        if (!s) return undefined;
        const out: [string, unknown][] = [];
        for (let i = 0; i < s.list.length; i++) push(out, s.list[i]!);
        return out;
      },
      newFormData,
      toUSV,
      blobType,
    },
  };
}
