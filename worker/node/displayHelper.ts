/**
 * `display(...)` in cells: rich output (HTML, Markdown, SVG, PNG, JSON, tables) sent as `display` events for
 * the cell that is running, rendered by VS Code's built-in renderers.
 */
import { inspect } from 'node:util';
import type { DisplayData } from '../../protocol';
import { drawTable } from '../inspect/consoleTable';
import { currentCell } from './cellContext';
import { makeHtmlEscape } from '../runtime/makeHtmlEscape';

/** Characters of JSON a display.json call may send. */
export const MAX_DISPLAY_JSON = 2 * 1024 * 1024;

type Emit = (cellId: string, executionId: number, data: DisplayData[]) => void;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

// taken before any cell runs
const escapeHtml = makeHtmlEscape();

export function createDisplay(emit: Emit) {
  const send = (...data: DisplayData[]) => {
    const cell = currentCell();
    if (!cell) throw new Error('display() can only be called while a cell runs (or from its timers/promises)');
    emit(cell.cellId, cell.executionId, data);
  };
  const text = (mime: string) => (value: unknown) => send({ mime, data: String(value) });
  const png = (value: unknown) => {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(value as Uint8Array);
    if (!PNG_MAGIC.every((b, i) => bytes[i] === b)) throw new TypeError('display.png expects PNG bytes (a Buffer/Uint8Array or a base64 string)');
    send({ mime: 'image/png', data: bytes.toString('base64'), encoding: 'base64' });
  };
  const json = (value: unknown) => {
    const data = JSON.stringify(value, null, 2) ?? 'null';
    if (data.length > MAX_DISPLAY_JSON) throw new RangeError(`display.json: ${data.length} characters is over the ${MAX_DISPLAY_JSON} limit`);
    send({ mime: 'application/json', data }, { mime: 'text/plain', data: inspect(value, { depth: 4 }) });
  };
  const table = (rows: unknown) => {
    if (!Array.isArray(rows)) throw new TypeError('display.table expects an array of row objects');
    const columns = [...new Set(rows.flatMap((r) => (r && typeof r === 'object' ? Object.keys(r) : [])))];
    const cells = rows.map((r) => columns.map((c) => cellText((r as Record<string, unknown>)?.[c])));
    const html = `<table><thead><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${cells
      .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
      .join('')}</tbody></table>`;
    send({ mime: 'text/html', data: html }, { mime: 'text/plain', data: drawTable(columns, cells) });
  };
  const display = (value: unknown) => {
    if (typeof value === 'string') return text('text/plain')(value);
    if (value instanceof Uint8Array && PNG_MAGIC.every((b, i) => value[i] === b)) return png(value);
    if (Array.isArray(value) && value.every((r) => r && typeof r === 'object')) return table(value);
    return json(value);
  };
  return Object.assign(display, {
    html: text('text/html'),
    markdown: text('text/markdown'),
    svg: text('image/svg+xml'),
    text: text('text/plain'),
    png,
    json,
    table,
  });
}

function cellText(v: unknown): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : inspect(v, { depth: 0, breakLength: Infinity });
}
