/**
 * Everything the isolate sends is untrusted data: a cell can reshape the prelude's output (prototype pollution,
 * replaced built-ins). These functions rebuild values, pages, console entries and display data field by field
 * from known keys, with bounded sizes, so nothing from inside can add a key the host did not ask for (no
 * `__proto__`), claim another kernel's handles, or smuggle an oversized payload through.
 */
import {
  CONSOLE_METHODS,
  MAX_CONSOLE_TEXT,
  type ConsoleEntry,
  type ConsoleLevel,
  type ConsoleMethod,
  type DisplayData,
  type ObjectSubtype,
  type PropertyItem,
  type PropertyPage,
  type RemoteValue,
} from '../../protocol';

/** Characters of any text field taken from the isolate. */
export const MAX_FIELD_CHARS = 1_000_000;
/** Items of a page or list taken from the isolate. */
export const MAX_LIST_ITEMS = 10_000;
/** Bytes of one display() payload (base64 images included). */
export const MAX_DISPLAY_CHARS = 8 * 1024 * 1024;

const METHODS = new Set<ConsoleMethod>(CONSOLE_METHODS);
const LEVELS = new Set<ConsoleLevel>(['log', 'info', 'warn', 'error', 'debug']);
const SUBTYPES = new Set<ObjectSubtype>([
  'object',
  'array',
  'typedarray',
  'arraybuffer',
  'dataview',
  'map',
  'set',
  'weakmap',
  'weakset',
  'weakref',
  'date',
  'regexp',
  'error',
  'promise',
  'proxy',
  'function',
  'class',
  'generator',
  'iterator',
  'boxed',
  'module',
  'buffer',
  'null-prototype',
]);

type Raw = Record<string, unknown>;

export const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
export const text = (v: unknown, max = MAX_FIELD_CHARS): string => (typeof v === 'string' ? (v.length > max ? v.slice(0, max) : v) : '');
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v.slice(0, MAX_LIST_ITEMS) : []);

/** Rebuilds a RemoteValue; handles are stamped with this kernel's id. `onHandle` learns every handle id. */
export function checkValue(v: unknown, kernelId: string, onHandle?: (id: number) => void): RemoteValue {
  if (!isRecord(v)) return { type: 'undefined' };
  switch (v.type) {
    case 'undefined':
    case 'null':
      return { type: v.type };
    case 'boolean':
      return { type: 'boolean', value: v.value === true };
    case 'number':
    case 'bigint':
    case 'symbol':
      return { type: v.type, text: text(v.text, 10_000) };
    case 'string':
      return { type: 'string', value: text(v.value), length: count(v.length) ?? text(v.value).length };
    case 'object': {
      const subtype = SUBTYPES.has(v.subtype as ObjectSubtype) ? (v.subtype as ObjectSubtype) : 'object';
      const out: RemoteValue = { type: 'object', subtype, className: text(v.className, 200), preview: text(v.preview, 2_000) };
      const size = count(v.size);
      if (size !== undefined) out.size = size;
      const id = isRecord(v.handle) ? count(v.handle.id) : undefined;
      if (id !== undefined && id > 0) {
        out.handle = { kernelId, id };
        onHandle?.(id);
      }
      return out;
    }
    default:
      return { type: 'undefined' };
  }
}

/** Characters of a result's full text taken from the isolate: its budget and the "… (N more characters)" that says what was cut. */
export const MAX_RESULT_TEXT_FIELD = MAX_CONSOLE_TEXT + 100;

/** A cell's result: its value, and an object's full text (ObjectValue.text) when the isolate wrote one that says more. */
export function checkResult(v: unknown, kernelId: string, onHandle?: (id: number) => void): RemoteValue {
  const out = checkValue(v, kernelId, onHandle);
  if (out.type === 'object' && isRecord(v) && typeof v.text === 'string' && v.text !== out.preview) out.text = text(v.text, MAX_RESULT_TEXT_FIELD);
  return out;
}

export function checkPage(p: unknown, kernelId: string, handleId: number, onHandle?: (id: number) => void): PropertyPage {
  const page = isRecord(p) ? p : {};
  const items = list(page.items)
    .filter(isRecord)
    .map((raw): PropertyItem => {
      const item: PropertyItem = { name: text(raw.name, 2_000) };
      if (raw.key !== undefined) item.key = checkValue(raw.key, kernelId, onHandle);
      if (raw.value !== undefined) item.value = checkValue(raw.value, kernelId, onHandle);
      if (raw.accessor === 'get' || raw.accessor === 'set' || raw.accessor === 'get/set') item.accessor = raw.accessor;
      if (raw.internal === true) item.internal = true;
      if (raw.enumerable === false) item.enumerable = false;
      if (raw.symbol === true) item.symbol = true;
      return item;
    });
  return { handle: { kernelId, id: handleId }, start: count(page.start) ?? 0, total: count(page.total) ?? items.length, items };
}

/** A console entry without its frames (the caller maps `stack` and `errorStack`, returned beside it). */
export function checkEntry(
  raw: unknown,
  kernelId: string,
  onHandle?: (cellId: string, id: number) => void,
): { entry: ConsoleEntry; stack: string; errorStack: string } | undefined {
  if (!isRecord(raw) || !METHODS.has(raw.method as ConsoleMethod)) return undefined;
  const cellId = text(raw.cellId, 500);
  const entry: ConsoleEntry = {
    method: raw.method as ConsoleMethod,
    level: LEVELS.has(raw.level as ConsoleLevel) ? (raw.level as ConsoleLevel) : 'log',
    cellId,
    executionId: count(raw.executionId) ?? 0,
    time: typeof raw.time === 'number' && Number.isFinite(raw.time) ? raw.time : Date.now(),
    depth: Math.min(count(raw.depth) ?? 0, 100),
    text: text(raw.text, 40_000),
  };
  const values = list(raw.values)
    .slice(0, 8)
    .map((v) => checkValue(v, kernelId, (id) => onHandle?.(cellId, id)));
  if (values.length) entry.values = values;
  // text pieces and slots of existing values only, within the entry's own text budget
  if (values.length && Array.isArray(raw.segments) && raw.segments.length <= 2 * values.length + 64) {
    let budget = 40_000;
    const segments: NonNullable<ConsoleEntry['segments']> = [];
    for (const s of raw.segments as unknown[]) {
      if (typeof s === 'string' && (budget -= s.length) >= 0) segments.push(s);
      else if (isRecord(s) && Number.isInteger(s.value) && (s.value as number) >= 0 && (s.value as number) < values.length)
        segments.push({ value: s.value as number });
      else {
        segments.length = 0;
        break;
      }
    }
    if (segments.length) entry.segments = segments;
  }
  if (isRecord(raw.table)) {
    const columns = list(raw.table.columns).map((c) => text(c, 200));
    const rows = list(raw.table.rows).map((r) =>
      list(r)
        .slice(0, columns.length)
        .map((c) => text(c, 500)),
    );
    entry.table = { columns, rows };
  }
  if (raw.collapsed === true) entry.collapsed = true;
  return { entry, stack: text(raw.stack, 20_000), errorStack: text(raw.errorStack, 20_000) };
}

export function checkDisplay(raw: unknown): DisplayData[] {
  let budget = MAX_DISPLAY_CHARS;
  const out: DisplayData[] = [];
  for (const d of list(raw).slice(0, 8)) {
    if (!isRecord(d) || typeof d.mime !== 'string' || !/^[\w.+-]+\/[\w.+-]+$/.test(d.mime) || typeof d.data !== 'string') continue;
    if (d.data.length > budget) throw new RangeError(`display(): ${d.data.length} characters is over the ${MAX_DISPLAY_CHARS} limit`);
    budget -= d.data.length;
    const item: DisplayData = { mime: d.mime, data: d.data };
    if (d.encoding === 'base64') item.encoding = 'base64';
    out.push(item);
  }
  return out;
}
