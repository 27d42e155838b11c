/**
 * Terminal rendering of cell outputs for `coda run`. Pure functions (tested against golden files):
 * colours are applied through the `paint` argument so goldens stay plain.
 */
import {
  formatFrame,
  framesBelowText,
  shownLength,
  type ConsoleEntry,
  type DisplayData,
  type RemoteValue,
  type ScriptPlace,
  type SerializedError,
} from '../../protocol';
import type { CellReport, WorkLeft } from '../run/runNotebook';

export type Style = 'dim' | 'bold' | 'red' | 'yellow' | 'cyan' | 'green' | 'magenta';
export type Paint = (style: Style, text: string) => string;

export const plain: Paint = (_style, text) => text;

const ANSI: Record<Style, [number, number]> = {
  dim: [2, 22],
  bold: [1, 22],
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  green: [32, 39],
  magenta: [35, 39],
};
export const ansi: Paint = (style, text) => `\x1b[${ANSI[style][0]}m${text}\x1b[${ANSI[style][1]}m`;

const indent = (text: string, depth: number) => {
  const pad = '  '.repeat(depth);
  return text
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
};

/** `── cell [2] first line…`; a script's cell says where it starts (`── cell [2] (demo.ts:8) …`). */
export function formatCellHeader(label: string, firstLine: string, paint: Paint = plain, place?: ScriptPlace): string {
  const summary = firstLine.length > 60 ? `${firstLine.slice(0, 59)}…` : firstLine;
  return paint('bold', `── cell ${label} `) + (place ? `(${place.name}:${place.line}) ` : '') + paint('dim', summary);
}

export function formatConsoleEntry(entry: ConsoleEntry, label: (cellId: string) => string, paint: Paint = plain): string {
  let text = entry.text;
  if (entry.method === 'clear') return paint('dim', '(console cleared)');
  if (entry.method === 'group' || entry.method === 'groupCollapsed') text = paint('bold', text || 'console.group');
  else if (entry.level === 'error') text = paint('red', text);
  else if (entry.level === 'warn') text = paint('yellow', text);
  else if (entry.level === 'debug') text = paint('dim', text);
  const frames = framesBelowText(entry);
  if (frames.length) text += '\n' + frames.map((f) => `    at ${formatFrame(f, label)}`).join('\n');
  return indent(text, entry.depth);
}

/** A cell's result after `→ `; the lines after the first of a multi-line text are indented to line up after it. */
export function formatValue(value: RemoteValue, paint: Paint = plain): string {
  return paint('cyan', '→ ') + valueText(value, paint).replace(/\n/g, '\n  ');
}

/** A value as text: an object's full text when it has one (a cell's result: ObjectValue.text), else its preview. */
export function valueText(value: RemoteValue, paint: Paint = plain): string {
  switch (value.type) {
    case 'undefined':
      return paint('dim', 'undefined');
    case 'null':
      return paint('bold', 'null');
    case 'boolean':
      return paint('yellow', String(value.value));
    case 'number':
    case 'bigint':
      return paint('yellow', value.text);
    case 'symbol':
      return paint('green', value.text);
    case 'string': {
      const length = shownLength(value);
      const more = value.length > value.value.length ? paint('dim', length === undefined ? ' …' : ` … (${length - value.value.length} more characters)`) : '';
      return paint('green', quote(value.value)) + more;
    }
    default:
      return value.text ?? value.preview;
  }
}

/** Node REPL style single-quoted string. */
function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

export function formatError(error: SerializedError, label: (cellId: string) => string, paint: Paint = plain, depth = 0): string {
  const head = `${error.name}${error.message ? `: ${error.message}` : ''}`;
  const lines = [paint('red', head)];
  for (const f of error.frames ?? []) lines.push(paint('dim', `    at ${formatFrame(f, label)}`));
  if (error.props) for (const [k, v] of Object.entries(error.props)) lines.push(paint('dim', `    ${k}: ${v}`));
  for (const e of error.errors ?? []) lines.push(indent(formatError(e, label, paint, depth + 1), 1));
  if (error.cause) lines.push(`${paint('dim', 'Caused by:')} ${formatError(error.cause, label, paint, depth + 1)}`);
  return lines.join('\n');
}

export function formatDisplay(data: DisplayData[], paint: Paint = plain): string {
  const text = data.find((d) => d.mime === 'text/plain')?.data ?? readableText(data);
  const rich = data.filter((d) => d.mime !== 'text/plain').map((d) => d.mime);
  const note = rich.length ? paint('magenta', `[display: ${rich.join(', ')}${text !== undefined ? '' : ` (${data[0]!.data.length} characters)`}]`) : '';
  return [note, text ?? ''].filter(Boolean).join('\n');
}

/**
 * What a terminal can show of a display without `text/plain` (Deno's `Deno.jupyter.md`, a bundle of markdown and HTML):
 * its markdown as written, else its JSON laid out; undefined for HTML, images and the rest (their size is said instead).
 */
function readableText(data: DisplayData[]): string | undefined {
  const textual = (d: DisplayData) => d.encoding !== 'base64';
  const markdown = data.find((d) => d.mime === 'text/markdown' && textual(d));
  if (markdown) return markdown.data;
  const json = data.find((d) => (d.mime === 'application/json' || d.mime.endsWith('+json')) && textual(d));
  if (!json) return undefined;
  try {
    return JSON.stringify(JSON.parse(json.data), null, 2);
  } catch {
    return json.data;
  }
}

/**
 * Before the data of a display that replaced earlier outputs (its display id's): which display, in which cells. An
 * update shows nothing new; a new display with that id is shown here and replaced the earlier ones too. '' for neither.
 */
export function formatDisplayUpdate(change: { displayId?: string; update: boolean; updated: { label: string }[] }, paint: Paint = plain): string {
  if (!change.updated.length) return '';
  const cells = `${change.updated.length > 1 ? 'cells' : 'cell'} ${change.updated.map((r) => r.label).join(', ')}`;
  const id = JSON.stringify(change.displayId ?? '');
  return paint('dim', change.update ? `(display ${id} updated in ${cells}) ` : `(display ${id}, also updated in ${cells}) `);
}

/** A promise a cell returned, settled after the cell ended: printed below, as a terminal cannot rewrite the pending one. */
export function formatSettledResult(label: string, value: RemoteValue, paint: Paint = plain): string {
  return paint('dim', `(the result of cell ${label}, settled) `) + formatValue(value, paint);
}

export function formatSummary(ran: number, failed: number, total: number, ms: number, paint: Paint = plain, restarts = 0): string {
  const status = failed ? paint('red', `${failed} failed`) : paint('green', 'all passed');
  const fresh = restarts ? paint('yellow', `, ${restarts} fresh kernel${restarts > 1 ? 's' : ''}`) : '';
  return `${ran}/${total} cells ran, ${status}${fresh} (${(ms / 1000).toFixed(2)} s)`;
}

/** The line printed when a kernel dies unexpectedly. */
export function formatKernelExit(reason: string, cell: { label: string; during: boolean } | undefined, restart: boolean, paint: Paint = plain): string {
  const next = restart ? 'the next cell starts a fresh kernel' : 'the cells after it are not run (--keep-going starts a fresh kernel)';
  const where = cell && !reason.includes(cell.label) ? ` ${cell.during ? 'while' : 'after'} cell ${cell.label} ${cell.during ? 'ran' : 'finished'}` : '';
  return paint('red', `The kernel ${reason}${where}: ${next}`);
}

/** Longest error message shown in a cell's summary line. */
const SUMMARY_ERROR_CHARS = 120;

/**
 * The background work `coda run` stopped waiting for (--drain): `── stopped waiting after 3.0 s (--drain) for
 * background work, which ends with the kernel: cell [4]: 1 interval; open I/O: TCPWrap`.
 */
export function formatWorkLeft(left: WorkLeft, paint: Paint = plain): string {
  const count = (n: number, kinds: string[]) =>
    kinds.length === 1 ? `${n} ${kinds[0]}${n > 1 ? 's' : ''}` : `${n} timer${n > 1 ? 's' : ''}${kinds.length ? ` (${kinds.join(', ')})` : ''}`;
  const parts = [
    ...left.cells.map((c) => `cell ${c.label}: ${count(c.pending, c.kinds)}`),
    ...(left.io.length ? [`open I/O: ${[...new Set(left.io)].join(', ')}`] : []),
  ];
  return paint(
    'yellow',
    `── stopped waiting after ${(left.waitedMs / 1000).toFixed(1)} s (--drain) for background work, which ends with the kernel: ${parts.join('; ')}`,
  );
}

/**
 * An error's name and its message on one line, cut to SUMMARY_ERROR_CHARS: a message over lines (a ZodError's is its
 * issues as JSON, starting `[`) reads with each run of spaces and line breaks as one space.
 */
function errorLine(error: SerializedError | undefined): string {
  const text = error?.message.replace(/\s+/g, ' ').trim();
  const message = `${error?.name ?? 'Error'}${text ? `: ${text}` : ''}`;
  return message.length > SUMMARY_ERROR_CHARS ? `${message.slice(0, SUMMARY_ERROR_CHARS - 1)}…` : message;
}

/** One line per cell of the notebook, code or markdown, run or not, saying what became of it. */
export function formatCellStatuses(reports: CellReport[], paint: Paint = plain): string {
  const lines = reports.map((r) => {
    let text: string;
    if (r.status === 'skipped') text = paint(r.notRun?.reason === 'markdown' ? 'dim' : 'yellow', `not run: ${r.notRun?.message ?? 'skipped'}`);
    else if (r.status === 'ok') text = paint('green', 'ran');
    else if (r.status === 'error') text = paint('red', `failed: ${errorLine(r.error)}`);
    else text = paint('red', r.status === 'timeout' ? 'timed out' : 'interrupted');
    const thrown = r.uncaught ?? [];
    if (thrown.length) {
      const what = r.resultRejected && thrown.length === 1 ? 'the promise it returned was rejected with' : 'its background work threw';
      text += paint('red', `, then ${what} ${errorLine(thrown[0])}${thrown.length > 1 ? ` (and ${thrown.length - 1} more)` : ''}`);
    }
    if (r.kernelExit && !r.kernelExit.during) text += paint('red', `, then the kernel ${r.kernelExit.reason}`);
    return `  ${r.label} ${text}`;
  });
  return [paint('bold', '── cells'), ...lines].join('\n');
}
