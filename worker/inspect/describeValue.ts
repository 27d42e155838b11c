/**
 * A bounded, one-line description of any value, plus a handle to expand it later.
 * Never runs user code (no getters, Proxy traps or custom inspect functions) and never throws.
 */
import { inspect } from 'node:util';
import { maskedCut, NO_SECRETS, withoutCutCounts, type Masker, type RemoteValue, type ValueFormat } from '../../protocol';
import { classify } from './classify';
import type { HandleRegistry } from './HandleRegistry';
import { stripInternalSymbols } from './internalSymbols';
import { withNestedFormats } from './nestedFormats';
import { isTracked, promiseSettlement } from './promiseState';
import { customFormat } from './valueFormatter';
import { webApiView, type WebApiView } from './webApiViews';

/** Characters of a string value sent as is; the full length is reported beside it. */
export const MAX_STRING_CHARS = 10_000;
/** Characters of an object's one-line preview. */
export const MAX_PREVIEW_CHARS = 240;
/** Elements/properties util.inspect lists before "... more items". */
export const MAX_PREVIEW_ITEMS = 12;
/** Characters of a string shown inside an object preview. */
export const MAX_PREVIEW_STRING = 60;

const PREVIEW_OPTIONS = {
  depth: 1,
  colors: false,
  customInspect: false,
  showProxy: true,
  getters: false,
  maxArrayLength: MAX_PREVIEW_ITEMS,
  maxStringLength: MAX_PREVIEW_STRING,
  breakLength: Infinity,
  compact: true,
  sorted: false,
} as const;

export interface DescribeOptions {
  registry?: HandleRegistry;
  cellId: string;
  /** The kernel's secrets: masked in every text before it is cut to a budget. */
  mask?: Masker;
}

export function describeValue(value: unknown, opts: DescribeOptions): RemoteValue {
  const mask = opts.mask ?? NO_SECRETS;
  try {
    return mask(describe(value, opts, mask));
  } catch (err) {
    return { type: 'object', subtype: 'object', className: '', preview: mask.text(`<value could not be described: ${String(err)}>`) };
  }
}

function describe(value: unknown, opts: DescribeOptions, mask: Masker): RemoteValue {
  switch (typeof value) {
    case 'undefined':
      return { type: 'undefined' };
    case 'boolean':
      return { type: 'boolean', value };
    case 'number':
      return { type: 'number', text: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      return { type: 'bigint', text: `${value}n` };
    case 'symbol':
      return { type: 'symbol', text: value.toString() };
    case 'string': {
      // the masked text's length: the original's would tell how long a secret is
      const { text, length } = maskedCut(mask, value, MAX_STRING_CHARS);
      return { type: 'string', value: text, length };
    }
    default:
      if (value === null) return { type: 'null' };
      return describeObject(value as object, opts, mask);
  }
}

function describeObject(value: object, opts: DescribeOptions, mask: Masker): RemoteValue {
  const custom = customFormat(value);
  if (custom) return customValue(value, custom, opts, mask);
  const { subtype, className, size } = classify(value);
  const proto = prototypeOwner(value);
  const view = subtype === 'object' && !proto ? webApiView(value) : undefined;
  const preview = proto
    ? `${proto}.prototype`
    : view
      ? viewPreview(view, mask)
      : subtype === 'promise'
        ? promisePreview(value as Promise<unknown>, mask)
        : subtype === 'error'
          ? errorPreview(value, mask)
          : previewText(value, MAX_PREVIEW_CHARS, mask);
  const out: RemoteValue = { type: 'object', subtype, className: proto ?? className, preview };
  if (size !== undefined) out.size = size;
  if (opts.registry && isExpandable(subtype)) {
    const handle = opts.registry.register(value, opts.cellId);
    if (handle) out.handle = handle;
  }
  return out;
}

/** A plugin's preview; expanding it lists the plugin's rows (a null-prototype copy), or the value's own. */
function customValue(value: object, custom: ValueFormat, opts: DescribeOptions, mask: Masker): RemoteValue {
  const { subtype, className } = classify(value);
  const text = custom.preview.replace(/\s*\n\s*/g, ' ');
  const preview = text.length > MAX_PREVIEW_CHARS ? `${mask.cut(text, MAX_PREVIEW_CHARS - 1)}…` : mask.text(text);
  const out: RemoteValue = { type: 'object', subtype, className: custom.className ?? className, preview };
  const rows = custom.properties ? Object.assign(Object.create(null) as object, custom.properties) : value;
  const handle = opts.registry?.register(rows, opts.cellId);
  if (handle) out.handle = handle;
  return out;
}

/** Leaves with nothing more to show than their preview. */
function isExpandable(subtype: string): boolean {
  return subtype !== 'weakset' && subtype !== 'weakmap' && subtype !== 'regexp' && subtype !== 'date' && subtype !== 'proxy';
}

/** `URL {href: 'https://…', origin: …}`: a Web API object by its public state (worker/inspect/webApiViews.ts). */
function viewPreview(view: WebApiView, mask: Masker): string {
  const parts = view.fields.slice(0, MAX_PREVIEW_ITEMS).map(([name, v]) => `${/^[\w$]+$/.test(name) ? name : JSON.stringify(name)}: ${fieldText(v, mask)}`);
  const more = view.fields.length > MAX_PREVIEW_ITEMS ? ', …' : '';
  const text = `${view.className} {${parts.join(', ')}${more}}`;
  return text.length > MAX_PREVIEW_CHARS ? `${mask.cut(text, MAX_PREVIEW_CHARS - 1)}…` : mask.text(text);
}

function fieldText(v: unknown, mask: Masker): string {
  if (typeof v === 'string') {
    const { text, length } = maskedCut(mask, v, MAX_PREVIEW_STRING);
    return `'${text}${length > MAX_PREVIEW_STRING ? '…' : ''}'`;
  }
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return String(v);
  const view = webApiView(v as object);
  return view ? `${view.className} {…}` : `${classify(v as object).className || 'Object'} {…}`;
}

/** util.inspect with user hooks switched off, secrets masked, cut to the preview budget. */
export function previewText(value: unknown, maxChars = MAX_PREVIEW_CHARS, mask: Masker = NO_SECRETS): string {
  let text: string;
  try {
    // values a plugin formats show its preview inside this one too (worker/inspect/nestedFormats.ts)
    const nested = withNestedFormats(value, PREVIEW_OPTIONS.depth, MAX_PREVIEW_ITEMS);
    text = withoutStackFrames(inspect(nested ? nested.value : value, PREVIEW_OPTIONS));
    if (nested) text = nested.restore(text);
  } catch (err) {
    text = `<uninspectable: ${String(err)}>`;
  }
  // masked before line breaks are folded: a raw line break inside a secret (a symbol's description) would hide it
  text = withoutCutCounts(mask, mask.text(stripInternalSymbols(text))).replace(/\s*\n\s*/g, ' ');
  return text.length > maxChars ? `${mask.cut(text, maxChars - 1)}…` : text;
}

/**
 * An error inside a value reads as it does at the top (`{ e: Error: inner }`, `Map(1) { 'k' => Error: x }`): the stack
 * frames util.inspect prints under it are dropped, with the kernel's own and the cell file's unmapped places (expanding
 * the error shows its stack, mapped). Only an error's stack spans lines in a one-line preview (util.inspect escapes the
 * line breaks of strings and keys); what follows a frame on its line (` }`, `, next: 1`) is kept.
 */
export function withoutStackFrames(text: string): string {
  if (!text.includes('\n')) return text;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const frame = STACK_LINE.exec(line);
    if (frame && out.length) out.push(`${out.pop()!}${line.slice(frame[0].length)}`);
    else out.push(line);
  }
  return out.join('\n');
}

/**
 * A stack frame as V8, Deno and Bun print it (`at f (file:1:2)`, `at file:1:2`, `at new P (<anonymous>)`, `at f
 * (native)`), or util.inspect's elision of the frames an error shares with its cause; what follows it is not matched.
 */
const STACK_LINE = /^\s+(?:at (?:[^()]*\([^()]*\)|\S+:\d+:\d+|<anonymous>|native|unknown)|\.\.\. \d+ lines? matching cause stack trace \.\.\.)(?=$|[\s,\]}])/;

/**
 * A promise's preview never attaches a handler to it: one would hide its rejection from Node, which reports a rejected
 * promise nothing handles (a cell that logged one would lose the error). util.inspect reads its state and value; one the
 * kernel tracks (a cell's result, an expanded promise: promiseState.ts) shows its value with the plugins' formats.
 */
function promisePreview(p: Promise<unknown>, mask: Masker): string {
  const s = promiseSettlement(p);
  if (s.state === 'pending') return 'Promise { <pending> }';
  if (!('value' in s) || !isTracked(p)) return previewText(p, MAX_PREVIEW_CHARS, mask);
  const inner = previewText(s.value, MAX_PREVIEW_CHARS - 24, mask);
  return s.state === 'rejected' ? `Promise { <rejected> ${inner} }` : `Promise { ${inner} }`;
}

/** How many of an AggregateError's errors its preview names. */
const AGGREGATED_SHOWN = 3;

/** `Name: message` (and the cause, an AggregateError's errors), without the stack util.inspect would print. No getters are invoked. */
function errorPreview(err: object, mask: Masker, depth = 0): string {
  const own = (obj: object | null, key: string): unknown => {
    for (let o = obj, depth = 0; o && depth < 20; o = Object.getPrototypeOf(o) as object | null, depth++) {
      const d = Object.getOwnPropertyDescriptor(o, key);
      if (d) return 'value' in d ? d.value : undefined;
    }
    return undefined;
  };
  const name = String(own(err, 'name') ?? 'Error');
  const message = own(err, 'message');
  let text = message === undefined || message === '' ? name : `${name}: ${String(message)}`;
  // a value the error holds: an error as this preview, anything else as a short one
  const inner = (v: unknown) => (v instanceof Error && depth < 3 ? errorPreview(v, mask, depth + 1) : previewText(v, 80, mask));
  const cause = Object.getOwnPropertyDescriptor(err, 'cause');
  // (an own cause of undefined says nothing: Bun gives Promise.any's AggregateError one)
  if (cause && 'value' in cause && cause.value !== undefined) text += ` (cause: ${inner(cause.value)})`;
  // an AggregateError's (Promise.any's rejection): the errors it holds, the first few
  const errors = Object.getOwnPropertyDescriptor(err, 'errors');
  if (errors && 'value' in errors && Array.isArray(errors.value) && errors.value.length) {
    const list = errors.value as unknown[];
    const shown = list.slice(0, AGGREGATED_SHOWN).map(inner);
    text += ` (errors: ${shown.join(', ')}${list.length > AGGREGATED_SHOWN ? `, … ${list.length - AGGREGATED_SHOWN} more` : ''})`;
  }
  return text.length > MAX_PREVIEW_CHARS ? `${mask.cut(text, MAX_PREVIEW_CHARS - 1)}…` : mask.text(text);
}

/** `Foo` when the value is `Foo.prototype` (an own data property `constructor` pointing back at it). */
function prototypeOwner(value: object): string | undefined {
  if (typeof value === 'function') return undefined;
  const d = Object.getOwnPropertyDescriptor(value, 'constructor');
  if (!d || !('value' in d) || typeof d.value !== 'function') return undefined;
  const p = Object.getOwnPropertyDescriptor(d.value, 'prototype');
  if (!p || p.value !== value) return undefined;
  const name = Object.getOwnPropertyDescriptor(d.value, 'name')?.value;
  return typeof name === 'string' && name ? name : undefined;
}
