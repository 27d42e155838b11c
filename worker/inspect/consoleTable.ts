/**
 * console.table data the way Node lays it out: an `(index)` column, one column per key met in the rows
 * (or the `columns` filter), and a `Values` column for primitive rows. Bounded in rows and cell width.
 */
import { inspect } from 'node:util';
import { NO_SECRETS, type Masker } from '../../protocol';
import { makeDrawTable } from '../runtime/makeDrawTable';

/** Rows kept from a huge table (the text says how many more). */
export const MAX_TABLE_ROWS = 1000;
/** Characters of one table cell. */
export const MAX_TABLE_CELL = 120;

export interface BuiltTable {
  columns: string[];
  rows: string[][];
  text: string;
}

const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;

/** One cell's text, secrets masked before it is cut to the cell width. */
function cell(v: unknown, mask: Masker): string {
  const s = inspect(v, { depth: 0, colors: false, customInspect: false, breakLength: Infinity, maxArrayLength: 10 });
  return s.length > MAX_TABLE_CELL ? `${mask.cut(s, MAX_TABLE_CELL - 1)}…` : mask.text(s);
}

/** undefined when the data is not tabular (primitives): the caller logs it like console.log. */
export function buildConsoleTable(data: unknown, filter?: string[], mask: Masker = NO_SECRETS): BuiltTable | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const records: [string, unknown][] = [];
  let indexHeader = '(index)';
  if (data instanceof Map) {
    indexHeader = '(iteration index)';
    let i = 0;
    for (const [k, v] of mapEntries.call(data)) records.push([String(i++), { Key: k, Values: v }]);
  } else if (data instanceof Set) {
    indexHeader = '(iteration index)';
    let i = 0;
    for (const v of setValues.call(data)) records.push([String(i++), v]);
  } else {
    for (const k of Object.keys(data)) records.push([k, (data as Record<string, unknown>)[k]]);
  }
  const shown = records.slice(0, MAX_TABLE_ROWS);
  const keys: string[] = [];
  let hasValues = false;
  for (const [, v] of shown) {
    if (v !== null && typeof v === 'object') {
      for (const k of Object.keys(v)) if (!keys.includes(k) && (!filter || filter.includes(k))) keys.push(k);
    } else hasValues = true;
  }
  const dataCols = filter ?? keys;
  const columns = [indexHeader, ...dataCols.map((k) => mask.text(k))];
  if (hasValues) columns.push('Values');
  const rows = shown.map(([k, v]) => {
    const row = [mask.text(k)];
    const obj = v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
    for (const c of dataCols) row.push(obj && Object.prototype.hasOwnProperty.call(obj, c) ? cell(obj[c], mask) : '');
    if (hasValues) row.push(obj ? '' : cell(v, mask));
    return row;
  });
  let text = drawTable(columns, rows);
  if (records.length > shown.length) text += `\n… ${records.length - shown.length} more rows`;
  return { columns, rows, text };
}

/** Box-drawn table like Node's console.table output (the Sandbox's prelude draws its tables with the same function). */
export const drawTable = makeDrawTable();
