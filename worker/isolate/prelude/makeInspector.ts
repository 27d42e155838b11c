/**
 * Runs INSIDE the isolate (stringified into the prelude, see sandboxPrelude.ts): it must stay self-contained, no
 * imports, no references to this module's scope, only ECMAScript built-ins captured when the prelude starts.
 *
 * Values never leave the isolate: this keeps a handle registry and produces bounded previews (util.inspect style)
 * and property pages in the shapes of protocol/values.ts. Getters are never invoked (property descriptors only), nor
 * a Proxy's traps: the proxies cells make are known (makeProxyRegistry.ts), and written as Node writes them.
 */
/* eslint-disable */
import type { SecretScanner } from '../../../protocol/makeSecretScanner';
import type { ProxyParts } from './makeProxyRegistry';

export interface InspectorLimits {
  kernelId: string;
  maxStringChars: number;
  maxPreviewChars: number;
  maxPreviewItems: number;
  maxPreviewString: number;
  /** Characters of a cell result's full text (describe's `withText`). */
  maxResultText: number;
  /** Its layout: levels, items of each list, and the line length (Node's REPL defaults, as the Node kernel's). */
  resultTextDepth: number;
  resultTextItems: number;
  resultTextBreak: number;
  maxHandlesPerCell: number;
  maxPageSize: number;
  arrayNamedScanLimit: number;
  /** The notebook's secret values (the scanner below is built from them, see sandboxPrelude.ts). */
  masked?: string[];
}

/**
 * `secrets` masks every text this inspector (and the console built on it) produces BEFORE it is cut to a budget,
 * so a cut never leaves the start of a secret behind.
 */
export function makeInspector(
  limits: InspectorLimits,
  secrets: SecretScanner,
  webPreview: ((v: unknown) => string | undefined) | undefined,
  /** preludeMain's append, which no setter a cell put on an index of Array.prototype sees. */
  append: (list: unknown[], v: unknown) => void,
  /** What a proxy a cell made wraps (makeProxyRegistry.ts); undefined for any other value. */
  proxyOf: (v: unknown) => ProxyParts | undefined,
): any {
  'use strict';
  const O = Object;
  const objectProto = O.prototype;
  const gOPD = O.getOwnPropertyDescriptor;
  const getProto = O.getPrototypeOf;
  const ownKeys = Reflect.ownKeys;
  const apply = Reflect.apply;
  const isArray = Array.isArray;
  const objToString = O.prototype.toString;
  const fnToString = Function.prototype.toString;
  const symToString = Symbol.prototype.toString;
  const symDescription = gOPD(Symbol.prototype, 'description')!.get!;
  const StringCtor = String;
  const strSlice = String.prototype.slice;
  const strIndexOf = String.prototype.indexOf;
  const charCodeAt = String.prototype.charCodeAt;
  const isView = ArrayBuffer.isView;
  const typedProto = getProto(Uint8Array.prototype);
  const typedTag = gOPD(typedProto, Symbol.toStringTag)!.get!;
  const typedLength = gOPD(typedProto, 'length')!.get!;
  const abLength = gOPD(ArrayBuffer.prototype, 'byteLength')!.get!;
  const SAB = (globalThis as any).SharedArrayBuffer;
  const sabLength = SAB ? gOPD(SAB.prototype, 'byteLength')!.get! : undefined;
  const dvLength = gOPD(DataView.prototype, 'byteLength')!.get!;
  const dvOffset = gOPD(DataView.prototype, 'byteOffset')!.get!;
  const dvBuffer = gOPD(DataView.prototype, 'buffer')!.get!;
  const U8 = Uint8Array;
  const numToString = Number.prototype.toString;
  const mapSize = gOPD(Map.prototype, 'size')!.get!;
  const setSize = gOPD(Set.prototype, 'size')!.get!;
  const mapEntries = Map.prototype.entries;
  const setValues = Set.prototype.values;
  const iterNext = getProto(new Map().entries()).next;
  const setIterNext = getProto(new Set().values()).next;
  const weakMapHas = WeakMap.prototype.has;
  const weakSetHas = WeakSet.prototype.has;
  const WR = (globalThis as any).WeakRef;
  const weakRefDeref = WR ? WR.prototype.deref : undefined;
  const dateTime = Date.prototype.getTime;
  const dateIso = Date.prototype.toISOString;
  const reSource = gOPD(RegExp.prototype, 'source')!.get!;
  const reFlags = gOPD(RegExp.prototype, 'flags')!.get!;
  const errorProto = Error.prototype;
  const isProtoOf = O.prototype.isPrototypeOf;
  const promiseThen = Promise.prototype.then;
  const boxed: [string, Function][] = [
    ['Number', Number.prototype.valueOf],
    ['String', String.prototype.valueOf],
    ['Boolean', Boolean.prototype.valueOf],
    ['Symbol', Symbol.prototype.valueOf],
    ['BigInt', BigInt.prototype.valueOf],
  ];
  const MapCtor = Map;
  const WeakMapCtor = WeakMap;
  const SetCtor = Set;
  // the formatter's and the multi-line layout's (layoutLines): captured, as a cell may replace them
  const arrJoin = Array.prototype.join;
  const arrIncludes = Array.prototype.includes;
  const strIncludes = String.prototype.includes;
  const strRepeat = String.prototype.repeat;
  const padStart = String.prototype.padStart;
  const padEnd = String.prototype.padEnd;
  const { sqrt, max: mathMax, min: mathMin, round, floor } = Math;

  // the inspector's own maps and sets answer through the built-ins as they were when it was made (own methods that call
  // them): a cell that replaces Map.prototype.get, Set.prototype.add or their kin changes none of them
  const define = O.defineProperty;
  const capture = (proto: any, names: string[]): [string, Function][] => {
    const out: [string, Function][] = [];
    for (let i = 0; i < names.length; i++) out[i] = [names[i]!, proto[names[i]!]];
    return out;
  };
  const MAP_OPS = capture(MapCtor.prototype, ['get', 'set', 'has', 'delete']);
  const SET_OPS = capture(SetCtor.prototype, ['add', 'has', 'delete', 'values']);
  const WEAK_MAP_OPS = capture(WeakMapCtor.prototype, ['get', 'set', 'has', 'delete']);
  function sealed<T extends object>(c: T, ops: [string, Function][], size?: Function): T {
    for (let i = 0; i < ops.length; i++) {
      const fn = ops[i]![1];
      define(c, ops[i]![0], { __proto__: null, value: (...a: unknown[]) => apply(fn, c, a) } as PropertyDescriptor);
    }
    if (size) define(c, 'size', { __proto__: null, get: () => apply(size, c, []) } as PropertyDescriptor);
    return c;
  }

  const ok = (fn: Function | undefined, v: unknown): boolean => {
    if (!fn) return false;
    try {
      apply(fn, v, []);
      return true;
    } catch {
      return false;
    }
  };
  const protoOf = (v: any): any => {
    try {
      return getProto(v);
    } catch {
      return null;
    }
  };
  const desc = (o: any, k: PropertyKey): PropertyDescriptor | undefined => {
    try {
      return gOPD(o, k);
    } catch {
      return undefined;
    }
  };
  const tagOf = (v: any): string => {
    try {
      return apply(objToString, v, []);
    } catch {
      return '[object Object]';
    }
  };
  const fnSource = (f: Function): string => {
    try {
      return apply(fnToString, f, []);
    } catch {
      return '';
    }
  };

  // ---- promise state (a native then attached once, state known from the next microtask on) ----
  const promiseState = sealed(new WeakMapCtor<object, { state: string; value?: unknown }>(), WEAK_MAP_OPS);
  const isPromise = (v: any): boolean => proxyOf(v) === undefined && tagOf(v) === '[object Promise]' && v instanceof Promise;
  const trackPromise = (p: any): void => {
    if (promiseState.has(p)) return;
    promiseState.set(p, { state: 'pending' });
    try {
      apply(promiseThen, p, [
        (value: unknown) => promiseState.set(p, { state: 'fulfilled', value }),
        (value: unknown) => promiseState.set(p, { state: 'rejected', value }),
      ]);
    } catch {
      // not a real promise after all
    }
  };

  // ---- classification ----
  const constructorName = (v: any): string => {
    let proto = protoOf(v);
    for (let depth = 0; proto && depth < 20; depth++) {
      const d = desc(proto, 'constructor');
      if (d && 'value' in d && typeof d.value === 'function') {
        const n = desc(d.value, 'name');
        if (n && typeof n.value === 'string') return n.value;
      }
      proto = protoOf(proto);
    }
    return protoOf(v) === null ? '' : 'Object';
  };

  const classify = (v: any): { subtype: string; className: string; size?: number } => {
    if (proxyOf(v) !== undefined) return { subtype: 'proxy', className: 'Proxy' };
    if (typeof v === 'function') {
      const cls = matches(CLASS_SOURCE, fnSource(v));
      return { subtype: cls ? 'class' : 'function', className: cls ? 'Function' : constructorName(v) || 'Function' };
    }
    const className = constructorName(v);
    if (isArray(v)) return { subtype: 'array', className: className || 'Array', size: v.length };
    // an ordinary object (`{…}`, or made with a null prototype) has no built-in brand to look for: the brand checks
    // below throw for it, and a throw costs microseconds in an isolate with an inspector (1,000 variables: 170 ms).
    // A built-in whose prototype a cell replaced is then shown as a plain object; nothing is ever claimed wrongly
    const proto = protoOf(v);
    if (proto === objectProto) return { subtype: 'object', className };
    if (proto === null) return { subtype: 'null-prototype', className: '' };
    if (isView(v)) {
      const tag = apply(typedTag, v, []);
      if (tag) return { subtype: 'typedarray', className: className || tag, size: apply(typedLength, v, []) };
      return { subtype: 'dataview', className: className || 'DataView', size: apply(dvLength, v, []) };
    }
    if (ok(abLength, v)) return { subtype: 'arraybuffer', className: className || 'ArrayBuffer', size: apply(abLength, v, []) };
    if (ok(sabLength, v)) return { subtype: 'arraybuffer', className: className || 'SharedArrayBuffer', size: apply(sabLength!, v, []) };
    if (ok(mapSize, v)) return { subtype: 'map', className: className || 'Map', size: apply(mapSize, v, []) };
    if (ok(setSize, v)) return { subtype: 'set', className: className || 'Set', size: apply(setSize, v, []) };
    if (okArg(weakMapHas, v)) return { subtype: 'weakmap', className: className || 'WeakMap' };
    if (okArg(weakSetHas, v)) return { subtype: 'weakset', className: className || 'WeakSet' };
    if (ok(weakRefDeref, v)) return { subtype: 'weakref', className: className || 'WeakRef' };
    if (ok(dateTime, v)) return { subtype: 'date', className: className || 'Date' };
    if (ok(reSource, v) && v !== RegExp.prototype) return { subtype: 'regexp', className: className || 'RegExp' };
    if (isError(v)) return { subtype: 'error', className: className || 'Error' };
    if (isPromise(v)) return { subtype: 'promise', className: className || 'Promise' };
    const tag = tagOf(v);
    if (tag === '[object Generator]' || tag === '[object AsyncGenerator]') return { subtype: 'generator', className };
    if (tag === '[object Map Iterator]' || tag === '[object Set Iterator]' || tag === '[object Array Iterator]') return { subtype: 'iterator', className };
    if (boxedKind(v)) return { subtype: 'boxed', className };
    if (className === '') return { subtype: 'null-prototype', className };
    return { subtype: 'object', className };
  };
  function okArg(fn: Function, v: unknown): boolean {
    try {
      apply(fn, v, [{}]);
      return true;
    } catch {
      return false;
    }
  }
  function isError(v: any): boolean {
    if (proxyOf(v) !== undefined) return false;
    try {
      return apply(isProtoOf, errorProto, [v]) || tagOf(v) === '[object Error]';
    } catch {
      return false;
    }
  }
  function boxedKind(v: any): [string, unknown] | undefined {
    for (let i = 0; i < boxed.length; i++) {
      try {
        return [boxed[i]![0], apply(boxed[i]![1], v, [])];
      } catch {
        // not this kind
      }
    }
    return undefined;
  }

  // ---- preview text (util.inspect style, one line, bounded) ----
  // A cell may replace RegExp.prototype's methods (and define String.prototype[Symbol.replace]): the formatter runs
  // only the intrinsic exec, captured here (RegExp.prototype.test and String.prototype.replace would call a cell's).
  const reExec = RegExp.prototype.exec;
  /** V8's accessor of an error's `stack` (the same for every error), taken before any cell runs. */
  const nativeStackGetter = gOPD(new Error(), 'stack')?.get;
  const matches = (re: RegExp, s: string): boolean => apply(reExec, re, [s]) !== null;
  /** `s` with each match of the global `re` replaced by `by(match)`, by exec alone. */
  const replaceAll = (s: string, re: RegExp, by: (match: string) => string): string => {
    let out = '';
    let last = 0;
    re.lastIndex = 0;
    for (let m: RegExpExecArray | null = apply(reExec, re, [s]); m !== null; m = apply(reExec, re, [s])) {
      const found = m[0];
      out += apply(strSlice, s, [last, m.index]) + by(found);
      last = m.index + found.length;
      if (!found.length) re.lastIndex++;
    }
    return out + apply(strSlice, s, [last]);
  };
  const IDENT = /^[A-Za-z_$][\w$]*$/;
  const ESCAPED = /[\\\n\r\t\u0000-\u001f]/g;
  const SINGLE_QUOTE = /'/g;
  const NEWLINE = /\n/g;
  const LINE_BREAK_SPACE = /\s*\n\s*/g;
  const CLASS_SOURCE = /^class[\s{]/;
  const INDEX = /^(0|[1-9]\d*)$/;
  /** A line of a V8 stack that is a frame. */
  const FRAME_LINE = /^\s*at /;
  const quote = (s: string, max: number): string => {
    // masked first: the count of what was cut is of masked text (the original's would tell a secret's length)
    const masked = secrets.text(s);
    let text = masked.length > max ? secrets.cut(masked, max) : masked;
    const has = (c: string) => apply(strIncludes, text, [c]);
    const q = !has("'") ? "'" : !has('"') ? '"' : !has('`') ? '`' : "'";
    text = replaceAll(text, ESCAPED, (c) => {
      if (c === '\n') return '\\n';
      if (c === '\r') return '\\r';
      if (c === '\t') return '\\t';
      if (c === '\\') return '\\\\';
      const hex: string = apply(numToString, apply(charCodeAt, c, [0]), [16]);
      return `\\x${hex.length < 2 ? '0' : ''}${hex}`;
    });
    if (q === "'" && apply(strIncludes, s, ["'"])) text = replaceAll(text, SINGLE_QUOTE, () => "\\'");
    return `${q}${text}${q}${masked.length > max ? `... ${masked.length - max} more characters` : ''}`;
  };
  const keyText = (k: PropertyKey): string =>
    // (a symbol key as Node 24 writes it, `Symbol(s): 1`; Node 22 and older wrote `[Symbol(s)]: 1`)
    typeof k === 'symbol' ? apply(symToString, k, []) : matches(IDENT, k as string) ? (k as string) : quote(k as string, 1000);
  const primitive = (v: unknown, maxString: number): string | undefined => {
    switch (typeof v) {
      case 'string':
        return quote(v, maxString);
      case 'number':
        return O.is(v, -0) ? '-0' : StringCtor(v);
      case 'bigint':
        return `${StringCtor(v)}n`;
      case 'symbol':
        return apply(symToString, v, []);
      case 'undefined':
        return 'undefined';
      case 'boolean':
        return v ? 'true' : 'false';
      default:
        return v === null ? 'null' : undefined;
    }
  };
  const functionText = (f: Function): string => {
    const src = fnSource(f);
    const n = desc(f, 'name');
    const name = n && typeof n.value === 'string' && n.value ? n.value : '';
    if (matches(CLASS_SOURCE, src)) return `[class ${name || '(anonymous)'}]`;
    const kind = constructorName(f) || 'Function';
    return name ? `[${kind}: ${name}]` : `[${kind} (anonymous)]`;
  };
  const errorText = (e: any, depth = 0): string => {
    const field = (key: string): unknown => {
      for (let o = e, i = 0; o && i < 20; o = protoOf(o), i++) {
        const d = desc(o, key);
        if (d) return 'value' in d ? d.value : undefined;
      }
      return undefined;
    };
    const name = StringCtor(field('name') ?? 'Error');
    const message = field('message');
    let text = message === undefined || message === '' ? name : `${name}: ${typeof message === 'string' ? message : (primitive(message, 200) ?? '[object]')}`;
    // a value the error holds: an error as this text, anything else as a short preview
    const inner = (v: unknown) => (isError(v) && depth < 3 ? errorText(v, depth + 1) : format(v, { depth: 0, maxItems: 6, maxString: 60, maxChars: 80 }));
    const cause = desc(e, 'cause');
    if (cause && 'value' in cause && cause.value !== undefined) text += ` (cause: ${inner(cause.value)})`;
    // an AggregateError's (Promise.any's rejection): the errors it holds, the first three (describeValue.ts)
    const errors = desc(e, 'errors');
    if (errors && 'value' in errors && isArray(errors.value) && errors.value.length) {
      const list: unknown[] = errors.value;
      let shown = '';
      for (let i = 0; i < list.length && i < 3; i++) shown += `${i ? ', ' : ''}${inner(list[i])}`;
      text += ` (errors: ${shown}${list.length > 3 ? `, … ${list.length - 3} more` : ''})`;
    }
    return text;
  };

  interface FormatOptions {
    depth: number;
    maxItems: number;
    maxString: number;
    maxChars: number;
    /** Errors print their stack (console), not `Name: message` (previews). */
    errorStack?: boolean;
    /** Node's layout over lines of this width (the console); none: one line (previews). */
    breakLength?: number;
    /** A proxy reads `Proxy [ target, handler ]` (previews, a result's text, `%o`); else its target (the console). */
    showProxy?: boolean;
  }
  /**
   * What formatting one value keeps (made here, so every field is its own: nothing is read from Object.prototype): the
   * characters it may still write, the level of the last object it entered, and the layout. `breakLength` 0: one line
   * (previews, console lines); else Node's REPL layout (util.inspect's `compact: 3`) in lines of that many characters: an
   * object that does not fit on one, or whose last entries hold objects three levels deep, goes over lines, indented, and
   * a list of more than six short items is grouped into aligned columns (layoutLines).
   */
  interface FormatState {
    left: number;
    entered: number;
    breakLength: number;
    /** The objects a `[Circular *n]` points back to, n-1 their index: each is written `<ref *n> …`, as Node does. */
    refs: object[];
  }
  /** The `n` of `[Circular *n]` for `v` (1-based), or 0 when nothing pointed back to it yet. */
  function refOf(state: FormatState, v: object): number {
    for (let i = 0; i < state.refs.length; i++) if (state.refs[i] === v) return i + 1;
    return 0;
  }

  function format(value: unknown, opts: FormatOptions): string {
    const seen: object[] = [];
    const text = formatValue(value, opts, 0, seen, { left: opts.maxChars * 2, entered: 0, breakLength: desc(opts, 'breakLength')?.value ?? 0, refs: [] });
    return text.length > opts.maxChars ? `${secrets.cut(text, opts.maxChars - 1)}…` : secrets.text(text);
  }

  /**
   * A cell result's full text (ObjectValue.text): Node's REPL layout, 2 levels deep, 100 items, strings of up to
   * `maxStringChars`, masked, then cut to `maxResultText` saying how much was left out. The formatter stops writing at
   * twice that budget: past it, what was left out is counted as "at least".
   */
  function resultText(value: unknown, subtype: string): string {
    const state: FormatState = { left: limits.maxResultText * 2, entered: 0, breakLength: limits.resultTextBreak, refs: [] };
    const opts: FormatOptions = {
      depth: limits.resultTextDepth,
      maxItems: limits.resultTextItems,
      maxString: limits.maxStringChars,
      maxChars: limits.maxResultText,
      showProxy: true,
    };
    // an error reads as the console writes it, its stack and properties (the host maps its frames), not cut to a preview
    const text = secrets.text(
      subtype === 'error'
        ? formatValue(value, { ...opts, errorStack: true }, 0, [], state)
        : subtype === 'promise'
          ? promiseText(value, opts, state)
          : formatValue(value, opts, 0, [], state),
    );
    if (text.length <= limits.maxResultText) return text;
    const more = `${state.left <= 0 ? 'at least ' : ''}${text.length - limits.maxResultText} more characters`;
    return `${secrets.cut(text, limits.maxResultText)}… (${more})`;
  }

  /**
   * A settled promise's full text: its value as deep as a result's own (the Node kernel's too: worker/inspect/objectText.ts),
   * on lines of its own, indented, when it spans several.
   */
  function promiseText(p: any, opts: FormatOptions, state: FormatState): string {
    trackPromise(p);
    const s = promiseState.get(p)!;
    if (s.state === 'pending') return 'Promise { <pending> }';
    const inner = `${s.state === 'rejected' ? '<rejected> ' : ''}${formatValue(s.value, opts, 0, [p], state)}`;
    return apply(strIncludes, inner, ['\n']) ? `Promise {\n  ${replaceAll(inner, NEWLINE, () => '\n  ')}\n}` : `Promise { ${inner} }`;
  }

  /**
   * An error's own stack text, or undefined: a data property's, or what V8's own accessor gives (an error's `stack` is
   * one since V8 12); never a getter a cell defined, which is user code.
   */
  function stackOf(e: any): string | undefined {
    const d = desc(e, 'stack');
    if (!d) return undefined;
    if ('value' in d) return typeof d.value === 'string' ? d.value : undefined;
    if (!nativeStackGetter || d.get !== nativeStackGetter) return undefined;
    try {
      const s = apply(nativeStackGetter, e, []);
      return typeof s === 'string' ? s : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * An error that has a stack, as Node writes it. `frames` (the console; an error that is a cell's result): its stack,
   * each line indented to its place, then its own enumerable properties, its `[cause]` and an AggregateError's
   * `[errors]`, an entry a line inside ` {` … `}`, the errors among them written so too. Otherwise (an error inside a
   * value's text or preview, as the Node kernel writes one: worker/inspect/nestedFormats.ts): the stack without its
   * frames, its entries after it on the same line (`Error: x { code: 'E' }`). The frames are the isolate's: the host
   * maps them to cell lines (IsolateRuntime).
   */
  function errorWithStack(e: any, stack: string, opts: FormatOptions, level: number, seen: object[], budget: FormatState, frames: boolean): string {
    // past the depth, one that holds more (properties, a cause) is named only, as Node names an object there
    if (level > opts.depth && (hasEnumerable(e) || desc(e, 'cause') || desc(e, 'errors'))) return `[${errorText(e)}]`;
    const items: string[] = [];
    append(seen, e);
    try {
      const keys = safeKeys(e);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        if (k === 'stack' || items.length >= opts.maxItems) continue;
        const d = desc(e, k);
        if (!d || !d.enumerable) continue;
        // a name or message the stack's first line says already (`err.name = 'MyError'`), as Node leaves it out
        if ((k === 'name' || k === 'message') && 'value' in d && typeof d.value === 'string' && apply(strIncludes, stack, [d.value])) continue;
        append(items, `${keyText(k)}: ${'value' in d ? formatValue(d.value, opts, level + 1, seen, budget) : accessorText(d)}`);
      }
      const cause = desc(e, 'cause');
      if (cause && !cause.enumerable)
        append(items, `[cause]: ${'value' in cause ? formatValue(cause.value, opts, level + 1, seen, budget) : accessorText(cause)}`);
      const errors = desc(e, 'errors');
      if (errors && !errors.enumerable && 'value' in errors && isArray(errors.value))
        append(items, `[errors]: ${formatValue(errors.value, opts, level + 1, seen, budget)}`);
    } finally {
      seen.length--;
    }
    // (its items are written by now: a `[Circular *n]` among them has named this error)
    const ref = refOf(budget, e);
    const head = ref ? `<ref *${ref}> ` : '';
    if (!frames) {
      // the lines before the first frame
      let header = '';
      for (let from = 0; from < stack.length;) {
        const end = apply(strIndexOf, stack, ['\n', from]);
        const line: string = apply(strSlice, stack, end === -1 ? [from] : [from, end]);
        if (matches(FRAME_LINE, line)) break;
        header += `${from ? ' ' : ''}${line}`;
        from = end === -1 ? stack.length : end + 1;
      }
      budget.left -= header.length;
      const inline = replaceAll(apply(arrJoin, items, [', ']), LINE_BREAK_SPACE, () => ' ');
      return `${head}${header}${items.length ? ` { ${inline} }` : ''}`;
    }
    budget.left -= stack.length;
    const pad = `\n${apply(strRepeat, ' ', [level * 2])}`;
    const text = `${head}${replaceAll(stack, NEWLINE, () => pad)}`;
    return items.length ? `${text} {${pad}  ${apply(arrJoin, items, [`,${pad}  `])}${pad}}` : text;
  }

  /**
   * A proxy as Node's util.inspect writes one: revoked, `<Revoked Proxy>`; with `showProxy` (a preview, a result's
   * text, `%o`), `Proxy [ target, handler ]`; otherwise (the console) its target, as if it were the proxy. No trap runs.
   */
  function proxyText(parts: ProxyParts, opts: FormatOptions, level: number, seen: object[], budget: FormatState): string {
    if (parts === null) return '<Revoked Proxy>';
    // (an own option only, as errorStack)
    if (desc(opts, 'showProxy')?.value !== true) return formatValue(parts.target, opts, level, seen, budget);
    if (level > opts.depth) return 'Proxy [Array]';
    budget.entered = level;
    const items = [formatValue(parts.target, opts, level + 1, seen, budget), formatValue(parts.handler, opts, level + 1, seen, budget)];
    return layoutLines('Proxy [', ']', items, level, budget, opts);
  }

  function formatValue(v: any, opts: FormatOptions, level: number, seen: object[], budget: FormatState): string {
    const prim = primitive(v, opts.maxString);
    if (prim !== undefined) return prim;
    const parts = proxyOf(v);
    if (parts !== undefined) return proxyText(parts, opts, level, seen, budget);
    // a function with own enumerable properties lists them after its name, as Node does (`[class Point] { origin: 1 }`)
    const fnText = typeof v === 'function' ? functionText(v) : undefined;
    if (fnText !== undefined && (level > opts.depth || !hasEnumerable(v))) return fnText;
    if (apply(arrIncludes, seen, [v])) {
      if (!refOf(budget, v)) append(budget.refs, v);
      return `[Circular *${refOf(budget, v)}]`;
    }
    if (budget.left <= 0) return '…';
    // a URL, URLSearchParams… of the prelude's own (makeWebApis.ts): its state, not its (empty) own properties
    const web = webPreview?.(v);
    if (web !== undefined) return web;
    const { subtype, className, size } = classify(v);
    switch (subtype) {
      case 'date': {
        const t = apply(dateTime, v, []);
        return t !== t ? 'Invalid Date' : apply(dateIso, v, []);
      }
      case 'regexp':
        return `/${apply(reSource, v, [])}/${apply(reFlags, v, [])}`;
      case 'error': {
        // (an own option only: an `errorStack` a cell puts on Object.prototype changes no preview)
        const frames = desc(opts, 'errorStack')?.value === true;
        // an error without a stack reads `[Error: x]` inside a value, as Node writes it (at any depth); a preview's own
        // error, its header
        const stack = frames || level > 0 ? stackOf(v) : undefined;
        if (stack !== undefined) return errorWithStack(v, stack, opts, level, seen, budget, frames);
        return level > 0 ? `[${errorText(v)}]` : errorText(v);
      }
      case 'weakmap':
      case 'weakset':
        return `${className} { <items unknown> }`;
      case 'weakref':
        // (its target is never read: Node writes none either)
        return `${className} {}`;
      case 'promise': {
        trackPromise(v);
        const s = promiseState.get(v)!;
        if (s.state === 'pending') return 'Promise { <pending> }';
        budget.entered = level;
        const inner = level >= opts.depth ? '…' : formatValue(s.value, opts, level + 1, seen, budget);
        return layoutLines('Promise {', '}', [s.state === 'rejected' ? `<rejected> ${inner}` : inner], level, budget, opts);
      }
      case 'boxed': {
        const [kind, inner] = boxedKind(v)!;
        return `[${kind}: ${primitive(inner, opts.maxString)}]`;
      }
      case 'arraybuffer':
      case 'dataview': {
        if (level > opts.depth) return `[${className}]`;
        budget.entered = level;
        // Node's layout (22 and later): an ArrayBuffer's first bytes in hex, then its length; a DataView's place in its
        // buffer, each in brackets (accessors of the prototype, not own properties)
        const items =
          subtype === 'arraybuffer'
            ? [`[Uint8Contents]: <${bytesHex(v, opts.maxItems)}>`, `[byteLength]: ${size}`]
            : [
                `[byteLength]: ${size}`,
                `[byteOffset]: ${apply(dvOffset, v, [])}`,
                `[buffer]: ${formatValue(apply(dvBuffer, v, []), opts, level + 1, seen, budget)}`,
              ];
        return layoutLines(`${className} {`, '}', items, level, budget, opts);
      }
      default:
        break;
    }
    // past the depth, a value is named only; an empty one is written whole (`{}`, `[]`, `Map(0) {}`), as Node writes it
    if (level > opts.depth && (size || hasEnumerable(v))) {
      if (subtype === 'array') return '[Array]';
      return `[${className || 'Object: null prototype'}]`;
    }
    append(seen, v);
    budget.entered = level;
    try {
      const items: string[] = [];
      const push = (s: string) => {
        append(items, s);
        budget.left -= s.length + 2;
      };
      const full = () => items.length >= opts.maxItems || budget.left <= 0;
      let more = 0;
      let skipIndex = false;
      // a list whose every item is a number or a bigint: its grouped columns are aligned right (layoutLines)
      let numeric = false;
      if (subtype === 'array' || subtype === 'typedarray') {
        numeric = true;
        const length = size ?? 0;
        let holes = 0;
        for (let i = 0; i < length; i++) {
          if (full()) {
            more = length - i;
            break;
          }
          const d = desc(v, i);
          if (!d) {
            holes++;
            numeric = false;
            continue;
          }
          if (holes) (push(`<${holes} empty item${holes > 1 ? 's' : ''}>`), (holes = 0));
          if (!('value' in d) || (typeof d.value !== 'number' && typeof d.value !== 'bigint')) numeric = false;
          push('value' in d ? formatValue(d.value, opts, level + 1, seen, budget) : accessorText(d));
        }
        if (holes) push(`<${holes} empty item${holes > 1 ? 's' : ''}>`);
        skipIndex = true;
      } else if (subtype === 'map' || subtype === 'set') {
        const it = apply(subtype === 'map' ? mapEntries : setValues, v, []);
        const next = subtype === 'map' ? iterNext : setIterNext;
        for (let i = 0; ; i++) {
          const step: any = apply(next, it, []);
          if (step.done) break;
          if (full()) {
            more = (size ?? 0) - i;
            break;
          }
          push(
            subtype === 'map'
              ? `${formatValue(step.value[0], opts, level + 1, seen, budget)} => ${formatValue(step.value[1], opts, level + 1, seen, budget)}`
              : formatValue(step.value, opts, level + 1, seen, budget),
          );
        }
      }
      const large = (size ?? 0) > limits.arrayNamedScanLimit;
      const keys = large ? [] : safeKeys(v);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        if (skipIndex && typeof k === 'string' && isIndex(k)) continue;
        const d = desc(v, k);
        if (!d || !d.enumerable) continue;
        if (full()) {
          more++;
          continue;
        }
        numeric = false;
        push(`${keyText(k)}: ${'value' in d ? formatValue(d.value, opts, level + 1, seen, budget) : accessorText(d)}`);
      }
      if (more) push(`... ${more} more item${more > 1 ? 's' : ''}`);
      const list = subtype === 'array' || subtype === 'typedarray';
      // (its items are written by now: a `[Circular *n]` among them has named this object)
      const body = (open: string, close: string) => {
        const ref = refOf(budget, v);
        return layoutLines(ref ? `<ref *${ref}> ${open}` : open, close, items, level, budget, opts, list ? { numeric } : undefined);
      };
      switch (subtype) {
        case 'array':
          return className && className !== 'Array' ? body(`${className} [Array] [`, ']') : body('[', ']');
        case 'typedarray':
          return body(`${className}(${size}) [`, ']');
        case 'map':
        case 'set':
          return body(`${className}(${size}) {`, '}');
        case 'generator':
          return body('Object [Generator] {', '}');
        case 'null-prototype':
          return body('[Object: null prototype] {', '}');
        default:
          if (fnText !== undefined) return body(`${fnText} {`, '}');
          return body(className && className !== 'Object' ? `${className} {` : '{', '}');
      }
    } finally {
      seen.length--;
    }
  }
  /**
   * `open` + the items + `close`: on one line (`{ a: 1 }`, `{}`), or, with a breakLength, laid out as Node's
   * util.inspect does at `compact: 3` (its reduceToSingleString and groupArrayElements): on one line when it fits in
   * breakLength at this indentation and the last object entered below is less than three levels deeper, else an item a
   * line, indented two spaces a level; a list (`list`) of more than six items grouped into columns first.
   */
  function layoutLines(
    open: string,
    close: string,
    items: string[],
    level: number,
    state: FormatState,
    opts: FormatOptions,
    list?: { numeric: boolean },
  ): string {
    if (!items.length) return `${open}${close}`;
    const breakLength = state.breakLength;
    if (!breakLength) return `${open} ${apply(arrJoin, items, [', '])} ${close}`;
    const indentation = level * 2;
    const output = list && items.length > 6 ? groupItems(items, indentation, breakLength, opts.maxItems, list.numeric) : items;
    if (state.entered - level < 3 && output.length === items.length) {
      // (Node's isBelowBreakLength: its count of separators, then the items)
      let total = output.length * 2 + indentation + open.length + 10;
      let fits = total + output.length <= breakLength;
      for (let i = 0; i < output.length && fits; i++) fits = (total += output[i]!.length) <= breakLength;
      const joined: string = fits ? apply(arrJoin, output, [', ']) : '\n';
      if (!apply(strIncludes, joined, ['\n'])) return `${open} ${joined} ${close}`;
    }
    const pad = `\n${apply(strRepeat, ' ', [indentation])}`;
    return `${open}${pad}  ${apply(arrJoin, output, [`,${pad}  `])}${pad}${close}`;
  }
  /** Node's groupArrayElements: short items in as many aligned columns as make a squarish block; the items as they were when they do not suit. */
  function groupItems(items: string[], indentation: number, breakLength: number, maxItems: number, numeric: boolean): string[] {
    // a trailing "... N more items" is not grouped
    const count = items.length > maxItems ? items.length - 1 : items.length;
    const lengths: number[] = [];
    let total = 0;
    let longest = 0;
    for (let i = 0; i < count; i++) {
      const len = items[i]!.length;
      append(lengths, len);
      total += len + 2;
      if (longest < len) longest = len;
    }
    const actualMax = longest + 2;
    if (!(actualMax * 3 + indentation < breakLength && (total / actualMax > 5 || longest <= 6))) return items;
    const averageBias = sqrt(actualMax - total / items.length);
    const biasedMax = mathMax(actualMax - 3 - averageBias, 1);
    // a squarish block (a character is about 2.5 times as high as wide), within the line, at most `compact` (3) * 4 and 15
    const columns = mathMin(round(sqrt(2.5 * biasedMax * count) / biasedMax), floor((breakLength - indentation) / actualMax), 12, 15);
    if (columns <= 1) return items;
    const widths: number[] = [];
    for (let c = 0; c < columns; c++) {
      let width = 0;
      for (let j = c; j < count; j += columns) if (lengths[j]! > width) width = lengths[j]!;
      append(widths, width + 2);
    }
    const rows: string[] = [];
    for (let i = 0; i < count; i += columns) {
      const end = mathMin(i + columns, count);
      let row = '';
      let j = i;
      for (; j < end - 1; j++) row += apply(numeric ? padStart : padEnd, `${items[j]}, `, [widths[j - i]!, ' ']);
      row += numeric ? apply(padStart, items[j]!, [widths[j - i]! - 2, ' ']) : items[j]!;
      append(rows, row);
    }
    if (count < items.length) append(rows, items[count]!);
    return rows;
  }
  function accessorText(d: PropertyDescriptor): string {
    return d.get && d.set ? '[Getter/Setter]' : d.get ? '[Getter]' : '[Setter]';
  }
  /** The first `most` bytes of an ArrayBuffer as Node's `[Uint8Contents]` shows them (`00 ff … 3 more bytes`). */
  function bytesHex(buffer: ArrayBuffer, most: number): string {
    let bytes: Uint8Array;
    try {
      bytes = new U8(buffer);
    } catch {
      return '(detached)';
    }
    const n = apply(typedLength, bytes, []) as number;
    const shown = mathMin(n, most);
    const pairs: string[] = [];
    for (let i = 0; i < shown; i++) append(pairs, (bytes[i]! < 16 ? '0' : '') + (apply(numToString, bytes[i]!, [16]) as string));
    const more = n - shown;
    return apply(arrJoin, pairs, [' ']) + (more > 0 ? ` ... ${more} more byte${more > 1 ? 's' : ''}` : '');
  }
  /** Whether `v` has an own enumerable property (read through descriptors: no getter runs). */
  function hasEnumerable(v: object): boolean {
    const keys = safeKeys(v);
    for (let i = 0; i < keys.length; i++) if (desc(v, keys[i]!)?.enumerable) return true;
    return false;
  }
  function safeKeys(v: object): PropertyKey[] {
    try {
      return ownKeys(v);
    } catch {
      return [];
    }
  }
  function isIndex(k: string): boolean {
    return matches(INDEX, k) && Number(k) < 4294967295;
  }

  const previewOptions: FormatOptions = {
    depth: 1,
    maxItems: limits.maxPreviewItems,
    maxString: limits.maxPreviewString,
    maxChars: limits.maxPreviewChars,
    showProxy: true,
  };
  /** An error property's text: a preview a level deeper (stackMapper.ts ERROR_PROP_BUDGET, the same). */
  const errorPropOptions: FormatOptions = { depth: 2, maxItems: limits.maxPreviewItems, maxString: limits.maxPreviewString, maxChars: limits.maxPreviewChars };

  // ---- handles ----
  let nextId = 1;
  const byId = sealed(new MapCtor<number, { value: object; cellId: string }>(), MAP_OPS, mapSize);
  const idOf = sealed(new WeakMapCtor<object, number>(), WEAK_MAP_OPS);
  const perCell = sealed(new MapCtor<string, Set<number>>(), MAP_OPS, mapSize);
  const newIdSet = () => sealed(new SetCtor<number>(), SET_OPS, setSize);
  const register = (value: object, cellId: string): { kernelId: string; id: number } | undefined => {
    const known = idOf.get(value);
    const entry = known !== undefined ? byId.get(known) : undefined;
    if (known !== undefined && entry) {
      // a handle the Variables view made (a pseudo owner starting with NUL, released on every refresh) is taken over
      // by the cell that shows the same object, so that refresh never breaks the cell's output (HandleRegistry.ts)
      if (entry.cellId !== cellId && entry.cellId[0] === '\u0000' && cellId[0] !== '\u0000') {
        perCell.get(entry.cellId)?.delete(known);
        entry.cellId = cellId;
        let mine = perCell.get(cellId);
        if (!mine) perCell.set(cellId, (mine = newIdSet()));
        mine.add(known);
      }
      return { kernelId: limits.kernelId, id: known };
    }
    let ids = perCell.get(cellId);
    if (!ids) perCell.set(cellId, (ids = newIdSet()));
    if (ids.size >= limits.maxHandlesPerCell) return undefined;
    const id = nextId++;
    byId.set(id, { value, cellId });
    idOf.set(value, id);
    ids.add(id);
    return { kernelId: limits.kernelId, id };
  };

  /** `withText`: a cell's result, which also gets its full text (ObjectValue.text) where that says more than its preview. */
  function describe(value: unknown, cellId: string, withText?: boolean): any {
    return secrets.value(describeUnmasked(value, cellId, withText === true));
  }
  function describeUnmasked(value: unknown, cellId: string, withText: boolean): any {
    switch (typeof value) {
      case 'undefined':
        return { type: 'undefined' };
      case 'boolean':
        return { type: 'boolean', value };
      case 'number':
        return { type: 'number', text: O.is(value, -0) ? '-0' : StringCtor(value) };
      case 'bigint':
        return { type: 'bigint', text: `${StringCtor(value)}n` };
      case 'symbol':
        return { type: 'symbol', text: apply(symToString, value, []) };
      case 'string': {
        // the masked text's length: the original's would tell how long a secret is
        const masked = secrets.text(value);
        return { type: 'string', value: masked.length > limits.maxStringChars ? secrets.cut(masked, limits.maxStringChars) : masked, length: masked.length };
      }
      default:
        if (value === null) return { type: 'null' };
    }
    try {
      const v = value as any;
      const { subtype, className, size } = classify(v);
      const owner = prototypeOwner(v);
      let preview: string;
      if (owner) preview = `${owner}.prototype`;
      else if (subtype === 'error') preview = errorText(v);
      else preview = format(v, previewOptions);
      preview = preview.length > limits.maxPreviewChars ? `${secrets.cut(preview, limits.maxPreviewChars - 1)}…` : secrets.text(preview);
      const out: any = { type: 'object', subtype, className: owner ?? className, preview };
      if (withText && !owner) {
        const text = resultText(v, subtype);
        if (text !== preview) out.text = text;
      }
      if (size !== undefined) out.size = size;
      if (subtype !== 'weakset' && subtype !== 'weakmap' && subtype !== 'regexp' && subtype !== 'date' && subtype !== 'proxy') {
        const handle = register(v, cellId);
        if (handle) out.handle = handle;
      }
      return out;
    } catch (err) {
      return { type: 'object', subtype: 'object', className: '', preview: '<value could not be described>' };
    }
  }
  function prototypeOwner(v: any): string | undefined {
    if (typeof v === 'function' || proxyOf(v) !== undefined) return undefined;
    const d = desc(v, 'constructor');
    if (!d || !('value' in d) || typeof d.value !== 'function') return undefined;
    const p = desc(d.value, 'prototype');
    if (!p || p.value !== v) return undefined;
    const n = desc(d.value, 'name');
    return n && typeof n.value === 'string' && n.value ? n.value : undefined;
  }

  // ---- expansion: indices/entries, named own properties, internal slots, [[Prototype]] ----
  function expand(handleId: number, start: number, count: number): any {
    const entry = byId.get(handleId);
    const handle = { kernelId: limits.kernelId, id: handleId };
    if (!entry) throw new Error(`stale handle ${handleId}: the value is gone (cell re-run or kernel restarted)`);
    const target: any = entry.value;
    const d = (v: unknown) => describe(v, entry.cellId);
    start = mathMax(0, floor(start));
    count = mathMin(limits.maxPageSize, mathMax(0, floor(count)));
    const sections: { length: number; row: (i: number) => any }[] = [];
    const { subtype, size } = classify(target);
    let skipIndex = false;
    let namedDone = false;
    if (subtype === 'array' || subtype === 'typedarray') {
      const length = size ?? 0;
      append(sections, {
        length,
        row: (i: number) => {
          const pd = desc(target, i);
          return pd ? descriptorRow(StringCtor(i), pd, d) : { name: StringCtor(i), value: { type: 'undefined' }, internal: true };
        },
      });
      skipIndex = true;
      if (subtype !== 'array' || length > limits.arrayNamedScanLimit) {
        const rows: (() => any)[] = subtype === 'array' ? [() => ({ name: 'length', value: d(length), enumerable: false })] : [];
        append(sections, list(rows));
        namedDone = true;
      }
    } else if (subtype === 'map' || subtype === 'set') {
      const entries: unknown[][] = [];
      const it = apply(subtype === 'map' ? mapEntries : setValues, target, []);
      const next = subtype === 'map' ? iterNext : setIterNext;
      for (;;) {
        const step: any = apply(next, it, []);
        if (step.done) break;
        append(entries, subtype === 'map' ? step.value : [undefined, step.value]);
      }
      append(sections, {
        length: entries.length,
        row: (i: number) =>
          subtype === 'map' ? { name: StringCtor(i), key: d(entries[i]![0]), value: d(entries[i]![1]) } : { name: StringCtor(i), value: d(entries[i]![1]) },
      });
    }
    if (!namedDone) append(sections, list(ownRows(target, d, skipIndex)));
    append(sections, list(internalRows(target, subtype, d)));
    let total = 0;
    for (let i = 0; i < sections.length; i++) total += sections[i]!.length;
    const items: any[] = [];
    let offset = 0;
    for (let k = 0; k < sections.length; k++) {
      const s = sections[k]!;
      const from = mathMax(start - offset, 0);
      const to = mathMin(start + count - offset, s.length);
      for (let i = from; i < to; i++) append(items, s.row(i));
      offset += s.length;
      if (offset >= start + count) break;
    }
    return { handle, start, total, items: secrets.value(items) };
  }
  function list(rows: (() => any)[]) {
    return { length: rows.length, row: (i: number) => rows[i]!() };
  }
  function descriptorRow(name: string, pd: PropertyDescriptor, d: (v: unknown) => any): any {
    const row: any = { name };
    if ('value' in pd) row.value = d(pd.value);
    else row.accessor = pd.get && pd.set ? 'get/set' : pd.get ? 'get' : 'set';
    if (!pd.enumerable) row.enumerable = false;
    return row;
  }
  /** Own properties: enumerable string keys, then enumerable symbols, then the rest (the indexes of a list left out). */
  function ownRows(target: object, d: (v: unknown) => any, skipIndex: boolean): (() => any)[] {
    const keys = safeKeys(target);
    const groups: [PropertyKey, PropertyDescriptor][][] = [[], [], []];
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (skipIndex && typeof k === 'string' && isIndex(k)) continue;
      const pd = desc(target, k);
      if (pd) append(groups[!pd.enumerable ? 2 : typeof k === 'string' ? 0 : 1]!, [k, pd]);
    }
    const rows: (() => any)[] = [];
    for (let g = 0; g < 3; g++) {
      const group = groups[g]!;
      for (let i = 0; i < group.length; i++) {
        const k = group[i]![0];
        const pd = group[i]![1];
        append(rows, () => {
          const row = descriptorRow(typeof k === 'symbol' ? apply(symToString, k, []) : (k as string), pd, d);
          if (typeof k === 'symbol') row.symbol = true;
          return row;
        });
      }
    }
    return rows;
  }
  function internalRows(target: object, subtype: string, d: (v: unknown) => any): (() => any)[] {
    const rows: (() => any)[] = [];
    if (subtype === 'promise') {
      trackPromise(target);
      const s = promiseState.get(target)!;
      append(rows, () => ({ name: '[[PromiseState]]', value: d(s.state), internal: true }));
      if (s.state !== 'pending') append(rows, () => ({ name: '[[PromiseResult]]', value: d(s.value), internal: true }));
    }
    if (subtype === 'boxed') append(rows, () => ({ name: '[[PrimitiveValue]]', value: d(boxedKind(target)![1]), internal: true }));
    if (subtype === 'weakref') append(rows, () => ({ name: '[[WeakRefTarget]]', value: d(apply(weakRefDeref, target, [])), internal: true }));
    const proto = protoOf(target);
    append(rows, () => ({ name: '[[Prototype]]', value: d(proto), internal: true }));
    return rows;
  }

  function release(cellId: string): number {
    const ids = perCell.get(cellId);
    if (!ids) return 0;
    const it = ids.values();
    for (let r: any = apply(setIterNext, it, []); !r.done; r = apply(setIterNext, it, [])) byId.delete(r.value);
    perCell.delete(cellId);
    return ids.size;
  }

  // ---- errors as plain data (the host maps the frames); never throws ----
  function errorData(thrown: unknown, depth = 0): any {
    const data = errorDataUnmasked(thrown, depth);
    try {
      return depth === 0 ? secrets.value(data) : data;
    } catch {
      return { name: 'Error', message: 'Uncaught exception (could not be described)' };
    }
  }
  function errorDataUnmasked(thrown: unknown, depth: number): any {
    try {
      if (thrown === null || (typeof thrown !== 'object' && typeof thrown !== 'function')) {
        return { name: 'Uncaught', message: typeof thrown === 'string' ? quote(thrown, 10_000) : (primitive(thrown, 10_000) ?? StringCtor(thrown)) };
      }
      // a thrown proxy is written as a result's preview writes it (no trap runs)
      if (proxyOf(thrown) !== undefined) return { name: 'Uncaught', message: format(thrown, previewOptions) };
      const e: any = thrown;
      const field = (key: string): unknown => {
        for (let o = e, i = 0; o && i < 20; o = protoOf(o), i++) {
          const pd = desc(o, key);
          if (pd) return 'value' in pd ? pd.value : undefined;
        }
        return undefined;
      };
      // a thrown object that is no error (`throw { code: 42 }`): shown as what it is, not as an `Error` it never was
      // (one shaped as an error, a name and a message, reads as one)
      const own = desc(e, 'stack');
      const errorShaped =
        (own && 'value' in own && typeof own.value === 'string') || (typeof field('name') === 'string' && typeof field('message') === 'string');
      if (!isError(e) && !errorShaped) return { name: 'Uncaught', message: format(e, { depth: 2, maxItems: 10, maxString: 200, maxChars: 500 }) };
      const name = field('name');
      const message = field('message');
      const out: any = { name: typeof name === 'string' ? name : 'Error', message: typeof message === 'string' ? message : '' };
      let stack: unknown;
      const sd = desc(e, 'stack');
      if (sd && 'value' in sd) stack = sd.value;
      else if (isError(e)) {
        try {
          stack = e.stack;
        } catch {
          stack = undefined;
        }
      }
      if (typeof stack === 'string') out.stack = secrets.cut(stack, 20_000);
      const cause = desc(e, 'cause');
      if (depth < 4 && cause && 'value' in cause && cause.value !== undefined) out.cause = errorData(cause.value, depth + 1);
      const errors = desc(e, 'errors');
      if (depth < 2 && errors && isArray(errors.value)) {
        out.errors = [];
        for (let i = 0; i < errors.value.length && i < 10; i++) append(out.errors, errorData(errors.value[i], depth + 1));
      }
      const props: Record<string, string> = {};
      let n = 0;
      const keys = safeKeys(e);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        if (typeof k !== 'string' || k === 'cause' || k === 'errors' || k === 'stack' || n >= 10) continue;
        const pd = desc(e, k);
        if (!pd || !pd.enumerable) continue;
        if (!('value' in pd)) {
          // an accessor is never called, as util.inspect shows one (stackMapper.ts errorProps, the same list)
          props[k] = accessorText(pd);
          n++;
          continue;
        }
        const v = pd.value;
        // `err.name = 'MyError'` makes an own property, and a class may set its message as one: the header says them already
        if ((k === 'name' && v === out.name) || (k === 'message' && v === out.message)) continue;
        props[k] =
          typeof v === 'string'
            ? quote(v, 200)
            : (typeof v === 'object' && v !== null) || typeof v === 'function'
              ? format(v, errorPropOptions)
              : (primitive(v, 200) ?? typeof v);
        n++;
      }
      if (n) out.props = props;
      return out;
    } catch {
      return { name: 'Error', message: 'Uncaught exception (could not be described)' };
    }
  }

  /** A tracked promise's state as its native `then` last saw it, and once settled its value or reason (undefined: not tracked). */
  const promiseStateOf = (p: object): { state: string; value?: unknown } | undefined => promiseState.get(p);
  return { describe, expand, release, format, errorData, trackPromise, promiseStateOf, isPromise, isError, primitive, symDescription, secrets, proxyOf };
}
