/**
 * Web API objects (URL, URLSearchParams, Headers, Request, Response, Blob, AbortController, AbortSignal, …) as a
 * developer expects to see them: the class name and the public state (`URL {href: 'https://…'}`), not the
 * runtime's internal slots (Deno keeps them under symbols such as `[[webidl.brand]]`, Node in private fields).
 *
 * Reading that state calls getters, which previews never do for user code; these getters are the runtime's own,
 * taken from the built-in prototypes when this module loads (before any cell runs), and they check that the object
 * really is one of theirs (a look-alike or a subclass with its own getters gets the generic preview). A cell that
 * replaces `URL.prototype.href` later changes nothing here.
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

/** The getter a built-in prototype had when this module loaded. */
function getterOf(ctor: unknown, name: string): ((this: object) => unknown) | undefined {
  const proto = typeof ctor === 'function' ? (ctor as { prototype?: object }).prototype : undefined;
  const get = proto ? Object.getOwnPropertyDescriptor(proto, name)?.get : undefined;
  return typeof get === 'function' ? (get as (this: object) => unknown) : undefined;
}

function methodOf(ctor: unknown, name: string): ((this: object, ...a: unknown[]) => unknown) | undefined {
  const proto = typeof ctor === 'function' ? (ctor as { prototype?: object }).prototype : undefined;
  const fn = proto ? Object.getOwnPropertyDescriptor(proto, name)?.value : undefined;
  return typeof fn === 'function' ? (fn as (this: object, ...a: unknown[]) => unknown) : undefined;
}

/** Fields read through the captured getters (each one brand-checks `value`; one that throws is left out). */
function getters(ctor: unknown, names: string[]): Reader {
  const read = names.map((n) => [n, getterOf(ctor, n)] as const).filter((e): e is readonly [string, (this: object) => unknown] => !!e[1]);
  return (value) => {
    const out: [string, unknown][] = [];
    for (const [name, get] of read) {
      try {
        out.push([name, apply(get, value, [])]);
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

const KINDS: Record<string, Kind> = {
  URL: { ctor: g.URL as Kind['ctor'], read: getters(g.URL, ['href', 'origin', 'protocol', 'host', 'pathname', 'search', 'hash']) },
  URLSearchParams: { ctor: g.URLSearchParams as Kind['ctor'], read: entries(g.URLSearchParams) },
  Headers: { ctor: g.Headers as Kind['ctor'], read: entries(g.Headers) },
  FormData: { ctor: g.FormData as Kind['ctor'], read: entries(g.FormData) },
  Request: { ctor: g.Request as Kind['ctor'], read: getters(g.Request, ['method', 'url', 'headers', 'redirect', 'bodyUsed']) },
  Response: { ctor: g.Response as Kind['ctor'], read: getters(g.Response, ['status', 'statusText', 'ok', 'url', 'type', 'headers', 'bodyUsed']) },
  Blob: { ctor: g.Blob as Kind['ctor'], read: getters(g.Blob, ['size', 'type']) },
  File: { ctor: g.File as Kind['ctor'], read: getters(g.File, ['name', 'size', 'type', 'lastModified']) },
  AbortController: { ctor: g.AbortController as Kind['ctor'], read: getters(g.AbortController, ['signal']) },
  AbortSignal: { ctor: g.AbortSignal as Kind['ctor'], read: getters(g.AbortSignal, ['aborted', 'reason']) },
  TextEncoder: { ctor: g.TextEncoder as Kind['ctor'], read: getters(g.TextEncoder, ['encoding']) },
  TextDecoder: { ctor: g.TextDecoder as Kind['ctor'], read: getters(g.TextDecoder, ['encoding', 'fatal', 'ignoreBOM']) },
};

/** The built-in prototypes, for telling a genuine instance (its class untouched) from a subclass or a look-alike. */
const PROTOTYPES = new Map<object, string>();
for (const [name, kind] of Object.entries(KINDS)) {
  const proto = kind.ctor?.prototype as object | undefined;
  if (proto) PROTOTYPES.set(proto, name);
}

/** The view of a Web API object whose prototype is the built-in one, or undefined. */
export function webApiView(value: object): WebApiView | undefined {
  let proto: unknown;
  try {
    proto = getPrototypeOf(value);
  } catch {
    return undefined; // a Proxy whose trap throws
  }
  const className = proto && typeof proto === 'object' ? PROTOTYPES.get(proto) : undefined;
  if (!className) return undefined;
  try {
    const fields = KINDS[className]!.read(value);
    return fields.length || className === 'URLSearchParams' || className === 'Headers' || className === 'FormData' ? { className, fields } : undefined;
  } catch {
    return undefined;
  }
}
