/**
 * One page of an object's rows for the object inspector. Rows come in a fixed order:
 * indices or entries first, then named own properties, then internal slots and `[[Prototype]]`.
 * Getters are never invoked and Proxies never expanded, so no user code runs.
 */
import { types } from 'node:util';
import { NO_SECRETS, type ExpandParams, type Masker, type PropertyItem, type PropertyPage } from '../../protocol';
import { classify, protoOf } from './classify';
import { describeValue } from './describeValue';
import type { HandleRegistry } from './HandleRegistry';
import { isInternalSymbol } from './internalSymbols';
import { promiseSettlement } from './promiseState';
import { webApiView } from './webApiViews';

/** Rows one page may hold, whatever the caller asks for. */
export const MAX_PAGE_SIZE = 1000;
/** Arrays longer than this skip the scan for non-index own properties (it would touch every index). */
export const ARRAY_NAMED_SCAN_LIMIT = 100_000;

// captured before any user code runs, so monkey-patching them in a cell changes nothing here
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;

type Row = () => PropertyItem;

/**
 * `mask`: the kernel's secrets (property names and values are masked before anything is cut). `rewriteStack`: an
 * error's own `stack` shown with its frames mapped to cells and the kernel's own frames dropped.
 */
export function expandValue(registry: HandleRegistry, params: ExpandParams, mask: Masker = NO_SECRETS, rewriteStack?: (stack: string) => string): PropertyPage {
  const target = registry.get(params.handleId);
  const handle = { kernelId: registry.kernelId, id: params.handleId };
  if (target === undefined) throw new Error(`stale handle ${params.handleId}: the value is gone (cell re-run or kernel restarted)`);
  const cellId = registry.ownerOf(params.handleId) ?? '';
  // read as a data property (no getter runs); only that very string is rewritten
  const stack = rewriteStack && types.isNativeError(target) ? Object.getOwnPropertyDescriptor(target, 'stack')?.value : undefined;
  const describe = (v: unknown) => describeValue(typeof stack === 'string' && v === stack ? rewriteStack!(stack) : v, { registry, cellId, mask });
  const start = Math.max(0, Math.floor(params.start));
  const count = Math.min(MAX_PAGE_SIZE, Math.max(0, Math.floor(params.count)));
  const sections = rowSections(target, describe);
  const total = sections.reduce((n, s) => n + s.length, 0);
  const items: PropertyItem[] = [];
  let offset = 0;
  for (const s of sections) {
    const from = Math.max(start - offset, 0);
    const to = Math.min(start + count - offset, s.length);
    for (let i = from; i < to; i++) items.push(s.row(i));
    offset += s.length;
    if (offset >= start + count) break;
  }
  return { handle, start, total, items: mask(items) };
}

interface Section {
  length: number;
  row(i: number): PropertyItem;
}

const list = (rows: Row[]): Section => ({ length: rows.length, row: (i) => rows[i]!() });

function rowSections(target: object, describe: (v: unknown) => PropertyItem['value']): Section[] {
  const { subtype } = classify(target);
  const sections: Section[] = [];
  let skipNames: (key: string | symbol) => boolean = () => false;
  if (subtype === 'array' || subtype === 'typedarray' || subtype === 'buffer') {
    const arr = target as ArrayLike<unknown>;
    const length = arr.length;
    sections.push({ length, row: (i) => indexRow(arr, i, describe) });
    skipNames = (k) => typeof k === 'string' && isIndex(k);
    if (subtype !== 'array' || length > ARRAY_NAMED_SCAN_LIMIT) {
      const named: Row[] = subtype === 'array' ? [() => ({ name: 'length', value: describe(length), enumerable: false })] : [];
      sections.push(list([...named, ...internalRows(target, describe)]));
      return sections;
    }
  } else if (subtype === 'map') {
    sections.push(entriesSection([...mapEntries.call(target as Map<unknown, unknown>)], describe));
  } else if (subtype === 'set') {
    sections.push(
      entriesSection(
        [...setValues.call(target as Set<unknown>)].map((v) => [undefined, v]),
        describe,
        true,
      ),
    );
  }
  // a Web API object: its public state first, its runtime's internal slots (symbol-keyed) left out
  const view = subtype === 'object' ? webApiView(target) : undefined;
  if (view) {
    sections.push(list(view.fields.map(([name, v]) => () => ({ name, value: describe(v) }))));
    const ownSkip = skipNames;
    skipNames = (k) => typeof k === 'symbol' || ownSkip(k);
  }
  sections.push(list(ownRows(target, describe, skipNames)));
  sections.push(list(internalRows(target, describe)));
  return sections;
}

function isIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key) && Number(key) < 4294967295;
}

function indexRow(arr: ArrayLike<unknown>, i: number, describe: (v: unknown) => PropertyItem['value']): PropertyItem {
  const desc = Object.getOwnPropertyDescriptor(arr, i);
  if (!desc) return { name: String(i), value: { type: 'undefined' }, internal: true };
  return descriptorRow(String(i), desc, describe);
}

function entriesSection(entries: unknown[][], describe: (v: unknown) => PropertyItem['value'], setLike = false): Section {
  return {
    length: entries.length,
    row: (i) => {
      const [k, v] = entries[i]!;
      return setLike ? { name: String(i), value: describe(v) } : { name: String(i), key: describe(k), value: describe(v) };
    },
  };
}

function descriptorRow(name: string, desc: PropertyDescriptor, describe: (v: unknown) => PropertyItem['value']): PropertyItem {
  const row: PropertyItem = { name };
  if ('value' in desc) row.value = describe(desc.value);
  else row.accessor = desc.get && desc.set ? 'get/set' : desc.get ? 'get' : 'set';
  if (!desc.enumerable) row.enumerable = false;
  return row;
}

function ownRows(target: object, describe: (v: unknown) => PropertyItem['value'], skip: (k: string | symbol) => boolean): Row[] {
  const keys = Reflect.ownKeys(target).filter((k) => !skip(k) && !isInternalSymbol(k));
  const descs = keys.map((k) => [k, Object.getOwnPropertyDescriptor(target, k)] as const);
  const ordered = [
    ...descs.filter(([k, d]) => typeof k === 'string' && d?.enumerable),
    ...descs.filter(([k, d]) => typeof k === 'symbol' && d?.enumerable),
    ...descs.filter(([, d]) => d && !d.enumerable),
  ];
  return ordered.map(([k, d]) => () => {
    const row = descriptorRow(typeof k === 'symbol' ? k.toString() : k, d!, describe);
    if (typeof k === 'symbol') row.symbol = true;
    return row;
  });
}

function internalRows(target: object, describe: (v: unknown) => PropertyItem['value']): Row[] {
  const rows: Row[] = [];
  if (types.isPromise(target)) {
    const s = promiseSettlement(target);
    rows.push(() => ({ name: '[[PromiseState]]', value: describe(s.state), internal: true }));
    if (s.state !== 'pending') rows.push(() => ({ name: '[[PromiseResult]]', value: describe(s.value), internal: true }));
  }
  if (types.isBoxedPrimitive(target)) {
    rows.push(() => ({ name: '[[PrimitiveValue]]', value: describe(Object.prototype.valueOf.call(target)), internal: true }));
  }
  const proto = protoOf(target);
  rows.push(() => ({ name: '[[Prototype]]', value: describe(proto), internal: true }));
  return rows;
}
