/**
 * How a cell result's full text may be laid out (inspectText.ts), from a walk of what util.inspect would show (as deep,
 * as many items of a list), reading property descriptors only:
 * - `columns`: in Node's REPL layout (`compact: 3`). That layout groups an array of more than six short items into
 *   aligned columns, and to choose how to pad them it reads the array's items again as `value[i]` (Node's
 *   groupArrayElements; Deno's and Bun's util.inspect are ports of it): a getter at an index, or a hole whose read
 *   reaches a getter or a Proxy up the prototype chain, would run there, whatever `getters: false` says.
 * - `flat`: the same without grouping, where such a read may run code, or where the walk cannot see what util.inspect
 *   shows (a Proxy's target, an object in a promise the kernel does not track, a Map or Set iterator).
 * - `too-large`: no text at all, where util.inspect would list more than MAX_TEXT_ENTRIES entries: the text would be cut
 *   to its budget anyway, after util.inspect wrote all of it (a result of 300,000 keys took a second more per run).
 * The one-line preview (`compact: true`) never groups.
 */
import { inspect, types } from 'node:util';
import { isTracked, promiseSettlement } from './promiseState';

/**
 * Entries (properties, items, map and set entries) util.inspect may list in a result's full text: each takes a few
 * characters at least, so a text of more is over its budget (20,000 characters) several times.
 */
export const MAX_TEXT_ENTRIES = 10_000;
/** Prototypes looked through for a hole's read. */
const MAX_PROTO_CHAIN = 20;

const gOPD = Object.getOwnPropertyDescriptor;
const getProto = Object.getPrototypeOf;
const ownKeys = Reflect.ownKeys;
const isArray = Array.isArray;
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const mapSize = gOPD(Map.prototype, 'size')!.get!;
const setSize = gOPD(Set.prototype, 'size')!.get!;
const typedLength = gOPD(Object.getPrototypeOf(Uint8Array.prototype) as object, 'length')!.get!;

export type TextLayout = 'columns' | 'flat' | 'too-large';

/** How util.inspect at `depth`, listing `maxItems` items per list, may write `value` (see above). */
export function textLayout(value: unknown, depth: number, maxItems: number): TextLayout {
  const walk = new Walk(depth, maxItems);
  try {
    const safe = walk.safe(value, 0);
    return walk.entries > MAX_TEXT_ENTRIES ? 'too-large' : safe ? 'columns' : 'flat';
  } catch (err) {
    return err === TOO_LARGE ? 'too-large' : 'flat';
  }
}

/** Thrown by a walk that has counted more than MAX_TEXT_ENTRIES entries: it stops there. */
const TOO_LARGE = Symbol('too large');

class Walk {
  /** The shallowest level each value was walked at: one met again higher up shows more of what it holds. */
  private readonly seen = new Map<object, number>();
  /** Entries util.inspect lists, counted so far. */
  entries = 0;

  constructor(
    private readonly depth: number,
    private readonly maxItems: number,
  ) {}

  /**
   * `v` is shown at `level` (0: the value itself); util.inspect formats what is at `depth` or above. False where grouping
   * its lists would run code or the walk cannot see what util.inspect shows (the walk goes on elsewhere); throws
   * TOO_LARGE once more than MAX_TEXT_ENTRIES entries are counted.
   */
  safe(v: unknown, level: number): boolean {
    if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return true;
    if (level > this.depth || (this.seen.get(v) ?? Infinity) <= level) return true;
    // util.inspect shows a Proxy's target and handler (showProxy), which cannot be read from here without its traps
    if (types.isProxy(v) || types.isMapIterator(v) || types.isSetIterator(v)) return false;
    this.seen.set(v, level);
    let safe = true;
    const child = (c: unknown) => {
      if (!this.safe(c, level + 1)) safe = false;
    };
    if (types.isPromise(v)) {
      const s = promiseSettlement(v);
      // a promise the kernel does not track holds a value this cannot read: only a primitive one is known safe
      if (s.state !== 'pending' && !isTracked(v)) {
        if (!holdsPrimitive(v)) safe = false;
      } else if ('value' in s) child(s.value);
    }
    if (types.isMap(v) || types.isSet(v)) this.entriesOf(v, child);
    // a typed array's items are read as util.inspect reads them without running code (no getter can be at an index)
    const list = isArray(v) || types.isArgumentsObject(v);
    const keys = list || types.isTypedArray(v) ? this.listKeys(v) : ownKeys(v);
    if (!keys) return false;
    this.count(keys.length);
    for (const k of keys) {
      const d = gOPD(v, k);
      if (d && 'value' in d) child(d.value);
    }
    return safe && (!list || this.readsSafe(v, keys.filter((k) => !isIndex(k)).length));
  }

  /** Counts `n` more entries listed; throws TOO_LARGE past the limit. */
  private count(n: number): void {
    this.entries += n;
    if (this.entries > MAX_TEXT_ENTRIES) throw TOO_LARGE;
  }

  /** A Map's keys and values, a Set's values, as many as util.inspect lists (through the intrinsic iterators). */
  private entriesOf(v: Map<unknown, unknown> | Set<unknown>, child: (c: unknown) => void): void {
    let i = 0;
    if (types.isMap(v)) {
      this.count(Math.min(Reflect.apply(mapSize, v, []) as number, this.maxItems));
      for (const [k, value] of Reflect.apply(mapEntries, v, []) as MapIterator<[unknown, unknown]>) {
        if (i++ >= this.maxItems) break;
        child(k);
        child(value);
      }
      return;
    }
    this.count(Math.min(Reflect.apply(setSize, v, []) as number, this.maxItems));
    for (const value of Reflect.apply(setValues, v, []) as SetIterator<unknown>) {
      if (i++ >= this.maxItems) break;
      child(value);
    }
  }

  /**
   * The keys of a list util.inspect shows: its first items and every key that is no index. A list too long to list its
   * keys (Reflect.ownKeys of a million items takes half a second) is walked when it has no other key, which a one-item
   * util.inspect tells (`[ ... 1000000 more items ]`); undefined when it has others.
   */
  private listKeys(v: object): (string | symbol)[] | undefined {
    const length = lengthOf(v);
    if (length === undefined) return undefined;
    if (length <= MAX_TEXT_ENTRIES) return ownKeys(v).filter((k) => !isIndex(k) || Number(k) < this.maxItems);
    const keys: string[] = [];
    for (let i = 0; i < this.maxItems; i++) keys.push(String(i));
    return onlyItems(v, length) ? keys : undefined;
  }

  /**
   * The reads util.inspect's grouping makes: `value[i]` for i below the number of entries it shows (items, a "more
   * items" entry, other keys), each while the items before were numbers. True when none reaches a getter or a Proxy.
   */
  private readsSafe(v: object, others: number): boolean {
    const length = lengthOf(v) ?? 0;
    const reads = Math.min(length, this.maxItems) + 1 + others;
    for (let i = 0; i < reads; i++) {
      const read = readAt(v, i);
      if (read === UNSAFE) return false;
      if (typeof read !== 'number' && typeof read !== 'bigint') return true;
    }
    return true;
  }
}

const UNSAFE = Symbol('unsafe');

/** What `v[i]` gives, read from descriptors down the prototype chain, or UNSAFE where the read would run code. */
function readAt(v: object, i: number): unknown {
  let o: object | null = v;
  for (let n = 0; o && n < MAX_PROTO_CHAIN; n++) {
    if (types.isProxy(o)) return UNSAFE;
    const d = gOPD(o, i);
    if (d) return 'value' in d ? d.value : UNSAFE;
    o = getProto(o) as object | null;
  }
  return o ? UNSAFE : undefined;
}

/** A list's length: a typed array's from its intrinsic getter, an array's (or arguments object's) own data property. */
function lengthOf(v: object): number | undefined {
  if (types.isTypedArray(v)) return Reflect.apply(typedLength, v, []) as number;
  const d = gOPD(v, 'length');
  return d && 'value' in d && typeof d.value === 'number' && d.value >= 0 ? d.value : undefined;
}

const isIndex = (k: string | symbol): boolean => typeof k === 'string' && /^(?:0|[1-9]\d*)$/.test(k);

/**
 * True when a long list has no key but its items: util.inspect, listing none of them, shows `[ ... N more items ]`
 * (Node's native listing of the other keys, no user code: hooks off, depth 0, no grouping on one line).
 */
function onlyItems(v: object, length: number): boolean {
  const text = inspect(v, COUNT_ONLY);
  return text.endsWith(`[ ... ${length} more items ]`) && !text.includes(',');
}

/**
 * True when a settled promise's value is a primitive: util.inspect, showing nothing below the promise, writes an
 * object value as `[Object]`, `[Array]`, `[Foo]` (or `{}`, `[]`), a primitive as itself (`1`, `'text'`, `undefined`).
 */
function holdsPrimitive(p: Promise<unknown>): boolean {
  const shown = /^Promise \{ (?:<rejected> )?(.)/.exec(inspect(p, COUNT_ONLY));
  return !!shown && shown[1] !== '[' && shown[1] !== '{';
}

const COUNT_ONLY = { depth: 0, maxArrayLength: 0, compact: true, breakLength: Infinity, customInspect: false, getters: false, showProxy: true, colors: false };
