/**
 * Web API objects (URL, URLSearchParams, Headers, Request, Response, Blob, AbortController, AbortSignal, events,
 * streams, message channels, performance entries, …) as a
 * developer expects to see them: the class name and the public state (`URL {href: 'https://…'}`), not the
 * runtime's internal slots (Deno keeps them under symbols such as `[[webidl.brand]]`, Node in private fields).
 *
 * Reading that state calls getters, which previews never do for user code; these getters are the runtime's own,
 * taken from the built-in prototypes when this module loads (before any cell runs; Node's fetch classes: see
 * NODE_LAZY), and they check that the object really is one of theirs (a look-alike or a subclass with its own
 * getters gets the generic preview). A cell that replaces `URL.prototype.href` later changes nothing here.
 */

export interface WebApiView {
  /** `URL`, `Headers`, … */
  className: string;
  /** Public state, in order, as name → value (values are primitives or objects described as usual). */
  fields: [string, unknown][];
}

type Reader = (value: object) => [string, unknown][];

/** Entries of a Headers, URLSearchParams or FormData shown at the most. */
export const MAX_ENTRIES = 200;

interface Kind {
  ctor: (abstract new (...args: never[]) => object) | undefined;
  read: Reader;
}

const g = globalThis as Record<string, unknown>;
const apply = Reflect.apply;
const getPrototypeOf = Object.getPrototypeOf;

/** The getter a built-in prototype had when this module loaded, its own or inherited (CustomEvent's `type` is Event's). */
function getterOf(ctor: unknown, name: string): ((this: object) => unknown) | undefined {
  let proto = typeof ctor === 'function' ? (ctor as { prototype?: object }).prototype : undefined;
  for (; proto && proto !== Object.prototype; proto = getPrototypeOf(proto) as object | undefined) {
    const get = Object.getOwnPropertyDescriptor(proto, name)?.get;
    if (typeof get === 'function') return get as (this: object) => unknown;
  }
  return undefined;
}

function methodOf(ctor: unknown, name: string): ((this: object, ...a: unknown[]) => unknown) | undefined {
  const proto = typeof ctor === 'function' ? (ctor as { prototype?: object }).prototype : undefined;
  const fn = proto ? Object.getOwnPropertyDescriptor(proto, name)?.value : undefined;
  return typeof fn === 'function' ? (fn as (this: object, ...a: unknown[]) => unknown) : undefined;
}

/**
 * Fields read through the captured getters (each one brand-checks `value`; one that throws is left out). With `own`, a
 * field the instance holds as its own data property is read from it first (Node's MessageChannel keeps its ports so,
 * Deno's MessageEvent its data, and Deno's channel in a Node-compatible process its ports).
 */
function getters(ctor: unknown, names: string[], own = false): Reader {
  const read = names.map((n) => [n, getterOf(ctor, n)] as const).filter((e) => own || !!e[1]);
  return (value) => {
    const out: [string, unknown][] = [];
    for (const [name, get] of read) {
      try {
        const d = own ? Object.getOwnPropertyDescriptor(value, name) : undefined;
        if (d && 'value' in d) out.push([name, d.value]);
        else if (get) out.push([name, apply(get, value, [])]);
      } catch {
        // not a genuine instance for this getter
      }
    }
    return out;
  };
}

/** Entries of a built-in iterable (Headers, URLSearchParams, FormData) through its captured `entries` and `next`. */
function entries(ctor: unknown): Reader {
  const entriesOf = methodOf(ctor, 'entries');
  let next: ((this: object) => IteratorResult<[string, unknown]>) | undefined;
  try {
    // the iterator's own `next`, from an instance made now (a cell may later replace the iterator prototype's)
    const sample = entriesOf ? apply(entriesOf, new (ctor as new () => object)(), []) : undefined;
    next = sample ? (getPrototypeOf(sample) as { next?: typeof next }).next : undefined;
  } catch {
    next = undefined;
  }
  return (value) => {
    if (!entriesOf || !next) return [];
    const out: [string, unknown][] = [];
    const it = apply(entriesOf, value, []) as object;
    for (let i = 0; i < MAX_ENTRIES; i++) {
      const step = apply(next, it, []) as IteratorResult<[string, unknown]>;
      if (step.done) break;
      out.push([String(step.value[0]), step.value[1]]);
    }
    return out;
  };
}

const EVENT_FIELDS = ['type', 'defaultPrevented', 'cancelable', 'timeStamp'];
const PERFORMANCE_ENTRY_FIELDS = ['name', 'entryType', 'startTime', 'duration'];

/** What each kind's view reads, taken from the built-in prototypes (`URL` → its getters). */
const READERS: Record<string, () => Reader> = {
  URL: () => getters(g.URL, ['href', 'origin', 'protocol', 'host', 'pathname', 'search', 'hash']),
  URLSearchParams: () => entries(g.URLSearchParams),
  Headers: () => entries(g.Headers),
  FormData: () => entries(g.FormData),
  Request: () => getters(g.Request, ['method', 'url', 'headers', 'redirect', 'bodyUsed']),
  Response: () => getters(g.Response, ['status', 'statusText', 'ok', 'url', 'type', 'headers', 'bodyUsed']),
  Blob: () => getters(g.Blob, ['size', 'type']),
  File: () => getters(g.File, ['name', 'size', 'type', 'lastModified']),
  AbortController: () => getters(g.AbortController, ['signal']),
  AbortSignal: () => getters(g.AbortSignal, ['aborted', 'reason']),
  TextEncoder: () => getters(g.TextEncoder, ['encoding']),
  TextDecoder: () => getters(g.TextDecoder, ['encoding', 'fatal', 'ignoreBOM']),
  Event: () => getters(g.Event, EVENT_FIELDS),
  CustomEvent: () => getters(g.CustomEvent, ['type', 'detail', ...EVENT_FIELDS.slice(1)]),
  MessageEvent: () => getters(g.MessageEvent, ['type', 'data', 'origin', 'lastEventId', ...EVENT_FIELDS.slice(1)], true),
  EventTarget: () => ownData,
  ReadableStream: () => getters(g.ReadableStream, ['locked']),
  WritableStream: () => getters(g.WritableStream, ['locked']),
  TransformStream: () => getters(g.TransformStream, ['readable', 'writable']),
  MessageChannel: () => getters(g.MessageChannel, ['port1', 'port2'], true),
  MessagePort: () => ownData,
  BroadcastChannel: () => getters(g.BroadcastChannel, ['name']),
  PerformanceMark: () => getters(g.PerformanceMark, [...PERFORMANCE_ENTRY_FIELDS, 'detail']),
  PerformanceMeasure: () => getters(g.PerformanceMeasure, [...PERFORMANCE_ENTRY_FIELDS, 'detail']),
};

/**
 * A kind with no public state (EventTarget, MessagePort): what the cell put on it (`target.name = …`), its own string-keyed
 * data properties (no getter is called), without the runtime's internal slots, which are symbol-keyed.
 */
function ownData(value: object): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const key of Object.keys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key);
    // state, not methods (Deno's MessagePort carries Node's event methods as its own)
    if (d && 'value' in d && typeof d.value !== 'function') out.push([key, d.value]);
    if (out.length >= MAX_ENTRIES) break;
  }
  return out;
}

/** Kinds a view shows even with no fields (`EventTarget {}`), rather than their runtime's internal slots. */
const STATELESS = new Set(['EventTarget', 'MessagePort', 'URLSearchParams', 'Headers', 'FormData']);

/**
 * Some of Node's classes live in modules Node loads when a cell first names one of them: the fetch classes and
 * MessageEvent come with undici (20–40 ms, with zlib and http), the streams with Node's web streams. Reading such a
 * global loads its module (on Node 24 even its property descriptor does), so a kernel start does not read them: each is
 * taken once its module is found loaded, when a value is first described after that (so after, or during, the cell
 * that first used them; a getter that same cell replaced before is read through its replacement). Deno and Bun have
 * them from the start.
 */
const NODE_LAZY: Record<string, string> = {
  Headers: 'internal/deps/undici/undici',
  FormData: 'internal/deps/undici/undici',
  Request: 'internal/deps/undici/undici',
  Response: 'internal/deps/undici/undici',
  MessageEvent: 'internal/deps/undici/undici',
  ReadableStream: 'internal/webstreams/readablestream',
  WritableStream: 'internal/webstreams/writablestream',
  TransformStream: 'internal/webstreams/transformstream',
};
const proc = (g.process ?? undefined) as { moduleLoadList?: unknown } | undefined;
const loadList =
  typeof g.Deno === 'undefined' && typeof g.Bun === 'undefined' && Array.isArray(proc?.moduleLoadList) ? (proc.moduleLoadList as unknown[]) : undefined;
/** The modules of NODE_LAZY Node has loaded so far (its list says `NativeModule internal/…`): a new one is looked for from where the last look ended. */
const WANTED = new Set(Object.values(NODE_LAZY).map((m) => `NativeModule ${m}`));
let looked = 0;
const loaded = new Set<string>();
function lookForModules(): void {
  for (; looked < loadList!.length; looked++) {
    const entry = String(loadList![looked]);
    if (WANTED.has(entry)) loaded.add(entry.slice('NativeModule '.length));
  }
}
/** The kinds whose module Node has not loaded yet. */
const pending = new Set<string>();
if (loadList) {
  lookForModules();
  for (const [name, module] of Object.entries(NODE_LAZY)) if (!loaded.has(module)) pending.add(name);
}

const KINDS: Record<string, Kind> = {};
/** The built-in prototypes, for telling a genuine instance (its class untouched) from a subclass or a look-alike. */
const PROTOTYPES = new Map<object, string>();

function take(names: string[]): void {
  for (const name of names) {
    const ctor = g[name] as Kind['ctor'];
    KINDS[name] = { ctor, read: READERS[name]!() };
    const proto = ctor?.prototype as object | undefined;
    // the first name a prototype is found under (Bun's File and Blob share one: a Blob is no File)
    if (proto && !PROTOTYPES.has(proto)) PROTOTYPES.set(proto, name);
  }
}
take(Object.keys(READERS).filter((name) => !pending.has(name)));

/** The kind a prototype is the built-in one of; a kind of a lazy module is taken on first need once the module is in. */
function kindOf(proto: object): string | undefined {
  const known = PROTOTYPES.get(proto);
  if (known || !pending.size) return known;
  const before = looked;
  lookForModules();
  if (looked === before) return undefined;
  const ready = [...pending].filter((name) => loaded.has(NODE_LAZY[name]!));
  ready.forEach((name) => pending.delete(name));
  take(ready);
  return PROTOTYPES.get(proto);
}

/** The view of a Web API object whose prototype is the built-in one, or undefined. */
export function webApiView(value: object): WebApiView | undefined {
  let proto: unknown;
  try {
    proto = getPrototypeOf(value);
  } catch {
    return undefined; // a Proxy whose trap throws
  }
  const className = proto && typeof proto === 'object' ? kindOf(proto) : undefined;
  if (!className) return undefined;
  try {
    const fields = KINDS[className]!.read(value);
    return fields.length || STATELESS.has(className) ? { className, fields } : undefined;
  } catch {
    return undefined;
  }
}
