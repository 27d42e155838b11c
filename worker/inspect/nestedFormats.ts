/**
 * Plugins' previews (formatValue, worker/inspect/valueFormatter.ts) for values inside other values' one-line text:
 * `[ 12.50 EUR, 1 ]` rather than `[ Money { currency: 'EUR', cents: 1250 }, 1 ]`, in previews and console lines.
 * util.inspect (with user hooks off) still writes the text: the containers on the way to a formatted value — arrays,
 * plain objects and class instances, Maps and Sets — are copied with that value replaced by a placeholder whose text
 * is put back as the plugin's preview afterwards. Nothing of the user's runs but the plugins' formatValue (no getter, no
 * Proxy trap, no custom inspect function); containers with nothing formatted inside are not copied. A class instance's
 * copy keeps its class name through a stand-in class of the same name.
 *
 * A cell result's full text replaces the errors inside it the same way (`errorText`): util.inspect lays a value out
 * with each error's stack frames, which that text leaves out (inspectText.ts withoutStackFrames), so without this
 * `[ Error: x ]` would be left over lines the frames no longer fill.
 */
import { types } from 'node:util';
import { classify, protoOf } from './classify';
import { customFormat, formatterActive } from './valueFormatter';
import { randomUUID } from '../runtime/randomUUID';

/** Characters of a plugin's preview inside another value's text. */
export const MAX_NESTED_PREVIEW = 80;
/** Characters of an error's text inside a cell result's full text. */
export const MAX_NESTED_ERROR = 1000;
/** Containers with more entries than this are left as they are (copying them would cost more than a preview is worth). */
export const MAX_NESTED_COPY = 10_000;

const ObjectDefineProperty = Object.defineProperty;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectCreate = Object.create;
const ReflectOwnKeys = Reflect.ownKeys;
const ArrayCtor = Array;
const MapCtor = Map;
const SetCtor = Set;
const mapEntries = Map.prototype.entries;
const mapSet = Map.prototype.set;
const setValues = Set.prototype.values;
const setAdd = Set.prototype.add;
const ArrayProto = Array.prototype;
const MapProto = Map.prototype;
const SetProto = Set.prototype;
const ObjectProto = Object.prototype;

export interface NestedFormats {
  /** The value to inspect instead (copies with formatted values replaced). */
  value: unknown;
  /** util.inspect's text of `value` with the plugins' previews put back. */
  restore(text: string): string;
}

/**
 * The value with the plugins' previews in place, for util.inspect at `depth` listing `maxItems` entries per container;
 * undefined when no plugin formats anything in it (inspect the value itself). `top`: the value itself may be replaced.
 */
export function withNestedFormats(
  value: unknown,
  depth: number,
  maxItems: number,
  top = true,
  errorText?: (error: object) => string,
  maxString = Infinity,
): NestedFormats | undefined {
  if ((!formatterActive() && !errorText) || value === null || typeof value !== 'object') return undefined;
  const previews: string[] = [];
  // private-use characters, which util.inspect writes as they are: a random mark (short: a placeholder is no longer
  // than a preview of seven characters), then the preview's number
  const mark = randomUUID()
    .slice(0, 2)
    .replace(/[0-9a-f]/g, (h) => String.fromCharCode(MARK_DIGITS + parseInt(h, 16)));
  const placeholder = (preview: string, most = MAX_NESTED_PREVIEW): string => {
    const folded = preview.replace(/\s*\n\s*/g, ' ');
    const text = folded.length > most ? `${folded.slice(0, most - 1)}…` : folded;
    const core = `${PLACEHOLDER_START}${mark}${previews.length}${PLACEHOLDER_END}`;
    previews.push(text);
    // as long as the preview once quoted (within the strings' budget), so that util.inspect lays the value out for it
    return core + PLACEHOLDER_FILL.repeat(Math.max(0, Math.min(text.length - 2, maxString) - core.length));
  };
  const rewritten = new Rewriter(depth, maxItems, placeholder, errorText).rewrite(value, top ? 0 : 1);
  if (!previews.length) return undefined;
  // quoted inside a value (Deno's util.inspect may pick another quote), bare as a console argument of its own
  const pattern = new RegExp(`(['"\`]?)${PLACEHOLDER_START}${mark}(\\d+)${PLACEHOLDER_END}${PLACEHOLDER_FILL}*\\1`, 'g');
  return { value: rewritten, restore: (text) => text.replace(pattern, (m, _quote: string, n: string) => previews[Number(n)] ?? m) };
}

/**
 * A placeholder is a string util.inspect writes with the same length as the preview it stands for (a symbol's text,
 * `Symbol(…)` with a unique name, was longer than most previews, and a value laid out for it went over lines it did not
 * fill): private-use characters, which no inspect escapes, around a random mark and the preview's number.
 */
const PLACEHOLDER_START = '\uE000';
const PLACEHOLDER_END = '\uE001';
const PLACEHOLDER_FILL = '\uE002';
/** The mark's hex digits, as the private-use characters from here. */
const MARK_DIGITS = 0xe010;

/** What a container is, for copying it: only these are copied (others print as they are). */
type Kind = 'array' | 'map' | 'set' | 'object';

class Rewriter {
  private readonly done = new Map<object, unknown>();
  private readonly holds = new Map<object, boolean>();
  private readonly standIns = new Map<object, object>();

  constructor(
    private readonly depth: number,
    private readonly maxItems: number,
    private readonly placeholder: (preview: string, most?: number) => string,
    private readonly errorText?: (error: object) => string,
  ) {}

  /** An error inside the value whose text replaces it (never the value itself, level 0). */
  private replacedError(v: object, level: number): boolean {
    return !!this.errorText && level > 0 && classify(v).subtype === 'error';
  }

  /** A plugin's preview of `v`, or the text of an error inside the value. */
  private formatOf(v: object, level: number): { preview: string; most?: number } | undefined {
    const format = customFormat(v);
    if (format) return format;
    return this.replacedError(v, level) ? { preview: this.errorText!(v), most: MAX_NESTED_ERROR } : undefined;
  }

  /** The value, or its copy with formatted values inside replaced; `level` 0 is the inspected value itself. */
  rewrite(v: unknown, level: number): unknown {
    if (v === null || typeof v !== 'object' || types.isProxy(v)) return v;
    const seen = this.done.get(v);
    if (seen !== undefined) return seen;
    const format = this.formatOf(v, level);
    if (format) {
      const out = this.placeholder(format.preview, format.most);
      this.done.set(v, out);
      return out;
    }
    const kind = level <= this.depth ? kindOf(v) : undefined;
    if (!kind || !this.holdsFormatted(v, kind, level)) {
      this.done.set(v, v);
      return v;
    }
    // the copy is known before its entries are: a cycle back to the value reaches the copy
    const out = this.shell(v, kind);
    this.done.set(v, out);
    this.fill(v, kind, out, level);
    return out;
  }

  /** Whether a formatted value sits in this container, as deep as util.inspect shows it (a cycle adds nothing). */
  private holdsFormatted(v: object, kind: Kind, level: number): boolean {
    const known = this.holds.get(v);
    if (known !== undefined) return known;
    this.holds.set(v, false);
    const found = this.children(v, kind).some((c) => {
      if (c === null || typeof c !== 'object' || types.isProxy(c)) return false;
      // (an error's text is written only where it is replaced, not to find out that it is)
      if (customFormat(c) || this.replacedError(c, level + 1)) return true;
      const k = level + 1 <= this.depth ? kindOf(c) : undefined;
      return k !== undefined && this.holdsFormatted(c, k, level + 1);
    });
    this.holds.set(v, found);
    return found;
  }

  /** The entries util.inspect lists (the first maxItems of a list; an object's enumerable data properties). */
  private children(v: object, kind: Kind): unknown[] {
    const out: unknown[] = [];
    if (kind === 'map' || kind === 'set') {
      if ((v as Map<unknown, unknown>).size > MAX_NESTED_COPY) return out;
      let i = 0;
      if (kind === 'map') {
        for (const [k, value] of mapEntries.call(v as Map<unknown, unknown>)) {
          if (i++ >= this.maxItems) break;
          out.push(k, value);
        }
      } else {
        for (const value of setValues.call(v as Set<unknown>)) {
          if (i++ >= this.maxItems) break;
          out.push(value);
        }
      }
      return out;
    }
    const keys = ReflectOwnKeys(v);
    if (keys.length > MAX_NESTED_COPY) return out;
    for (const key of keys) {
      if (kind === 'array' && isIndex(key) && Number(key) >= this.maxItems) continue;
      const d = ObjectGetOwnPropertyDescriptor(v, key);
      if (d && 'value' in d && (d.enumerable || (kind === 'array' && key !== 'length'))) out.push(d.value);
    }
    return out;
  }

  private shell(v: object, kind: Kind): object {
    switch (kind) {
      case 'array':
        return new ArrayCtor((v as unknown[]).length);
      case 'map':
        return new MapCtor();
      case 'set':
        return new SetCtor();
      default: {
        const proto = protoOf(v);
        return ObjectCreate(proto === null || proto === ObjectProto ? proto : this.standIn(v, proto)) as object;
      }
    }
  }

  private fill(v: object, kind: Kind, out: object, level: number): void {
    if (kind === 'map') {
      let i = 0;
      for (const [k, value] of mapEntries.call(v as Map<unknown, unknown>)) {
        const listed = i++ < this.maxItems;
        mapSet.call(out as Map<unknown, unknown>, listed ? this.rewrite(k, level + 1) : k, listed ? this.rewrite(value, level + 1) : value);
      }
      return;
    }
    if (kind === 'set') {
      let i = 0;
      for (const value of setValues.call(v as Set<unknown>)) setAdd.call(out as Set<unknown>, i++ < this.maxItems ? this.rewrite(value, level + 1) : value);
      return;
    }
    for (const key of ReflectOwnKeys(v)) {
      if (kind === 'array' && key === 'length') continue;
      const d = ObjectGetOwnPropertyDescriptor(v, key)!;
      // an array's elements past the listed ones are counted by its length only; getters are copied, never called
      const listed = kind !== 'array' || !isIndex(key) || Number(key) < this.maxItems;
      if ('value' in d && listed) d.value = this.rewrite(d.value, level + 1);
      if (kind === 'array' && isIndex(key) && !listed) continue;
      ObjectDefineProperty(out, key, d);
    }
  }

  /** A prototype whose `constructor` has the instance's class name, so the copy prints as `Name { … }`. */
  private standIn(o: object, proto: object): object {
    const known = this.standIns.get(proto);
    if (known) return known;
    const name = classify(o).className || 'Object';
    const StandIn = function () {} as unknown as { prototype: object };
    ObjectDefineProperty(StandIn, 'name', { value: name });
    this.standIns.set(proto, StandIn.prototype);
    return StandIn.prototype;
  }
}

const isIndex = (key: string | symbol): key is string => typeof key === 'string' && /^(?:0|[1-9]\d*)$/.test(key);

/** Containers copied: plain arrays, Maps and Sets, and ordinary objects (plain, class instances, null prototype). */
function kindOf(v: object): Kind | undefined {
  const { subtype } = classify(v);
  const proto = protoOf(v);
  if (subtype === 'array') return proto === ArrayProto && (v as unknown[]).length <= MAX_NESTED_COPY ? 'array' : undefined;
  if (subtype === 'map') return proto === MapProto ? 'map' : undefined;
  if (subtype === 'set') return proto === SetProto ? 'set' : undefined;
  return subtype === 'object' || subtype === 'null-prototype' ? 'object' : undefined;
}
