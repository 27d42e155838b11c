/**
 * The Jupyter notebook format (nbformat 4), as much of it as CodaJS reads and writes. Multiline strings are a string
 * or an array of strings (each line with its own '\n'); writers use the array form, as Jupyter does.
 * https://github.com/jupyter/nbformat/blob/main/nbformat/v4/nbformat.v4.schema.json
 */

export type MultilineString = string | string[];

/** MIME type → data: a (multiline) string for text and base64 data, any JSON for `application/json` and `*+json`. */
export type MimeBundle = Record<string, unknown>;

export interface IpynbStreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: MultilineString;
}

export interface IpynbDisplayData {
  output_type: 'display_data';
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient?: Record<string, unknown>;
}

export interface IpynbExecuteResult {
  output_type: 'execute_result';
  data: MimeBundle;
  metadata: Record<string, unknown>;
  execution_count: number | null;
}

export interface IpynbError {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}

export type IpynbOutput = IpynbStreamOutput | IpynbDisplayData | IpynbExecuteResult | IpynbError;

export interface IpynbCodeCell {
  cell_type: 'code';
  id?: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  outputs: IpynbOutput[];
  execution_count: number | null;
}

export interface IpynbTextCell {
  cell_type: 'markdown' | 'raw';
  id?: string;
  metadata: Record<string, unknown>;
  source: MultilineString;
  attachments?: Record<string, MimeBundle>;
}

export type IpynbCell = IpynbCodeCell | IpynbTextCell;

export interface IpynbKernelspec {
  name: string;
  display_name: string;
  language?: string;
  [key: string]: unknown;
}

export interface IpynbNotebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: { kernelspec?: IpynbKernelspec; language_info?: { name: string; [key: string]: unknown }; [key: string]: unknown };
  cells: IpynbCell[];
}

/** Text of a multiline string. */
export function joinMultiline(s: unknown): string {
  if (typeof s === 'string') return s;
  return Array.isArray(s) ? s.map((x) => (typeof x === 'string' ? x : '')).join('') : '';
}

/** The array form Jupyter writes: one entry per line, each but the last ending in '\n'. */
export function splitMultiline(text: string): string[] {
  const lines = text.split('\n').map((l) => `${l}\n`);
  const last = lines.length - 1;
  lines[last] = lines[last]!.slice(0, -1);
  return lines[last] === '' ? lines.slice(0, -1) : lines;
}

/** Objects with their keys sorted, as Jupyter writes them (undefined members dropped, as JSON does). */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => [k, sortKeys(o[k])]),
  );
}

/** Equal as JSON, whatever the order of keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
