/**
 * nbformat 3 → 4, as Jupyter's own `nbformat.v4.convert.upgrade` does it, for the older notebooks still published
 * (ijavascript's own documentation is nbformat 3). Works on plain parsed JSON; fields it does not know are kept.
 */
import { MAX_NESTING_DEPTH, tooDeepAt } from '../../protocol/codaJsonChecks';
import { joinMultiline } from './ipynbTypes';

/** nbformat 3 short output keys and the MIME types they stand for. */
const V3_MIMES: Record<string, string> = {
  text: 'text/plain',
  html: 'text/html',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpeg: 'image/jpeg',
  latex: 'text/latex',
  json: 'application/json',
  javascript: 'application/javascript',
  markdown: 'text/markdown',
  pdf: 'application/pdf',
};
const V3_OUTPUT_KEYS = new Set(['output_type', 'metadata', 'prompt_number']);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export function upgradeV3(nb: Json): Json {
  // nbformat 4 dropped the notebook's name and signature
  const { name: _name, signature: _signature, ...metadata } = isObject(nb.metadata) ? nb.metadata : {};
  const worksheets = Array.isArray(nb.worksheets) ? nb.worksheets : [];
  const cells = worksheets.flatMap((w) => (isObject(w) && Array.isArray(w.cells) ? w.cells : []));
  // as Jupyter's upgrade does, the result is the current minor version (cells get ids when written)
  return { nbformat: 4, nbformat_minor: 5, metadata, cells: cells.map(upgradeCell) };
}

function upgradeCell(cell: unknown): unknown {
  if (!isObject(cell)) return cell;
  const metadata = isObject(cell.metadata) ? { ...cell.metadata } : {};
  if (cell.cell_type === 'heading') {
    const level = typeof cell.level === 'number' ? Math.min(Math.max(Math.trunc(cell.level), 1), 6) : 1;
    const text = joinMultiline(cell.source).split('\n').join(' ');
    return { cell_type: 'markdown', metadata, source: `${'#'.repeat(level)} ${text}` };
  }
  if (cell.cell_type !== 'code') return { ...cell, metadata };
  if (typeof cell.collapsed === 'boolean') metadata.collapsed = cell.collapsed;
  return {
    cell_type: 'code',
    metadata,
    source: cell.input ?? '',
    execution_count: typeof cell.prompt_number === 'number' ? cell.prompt_number : null,
    outputs: Array.isArray(cell.outputs) ? cell.outputs.map(upgradeOutput) : [],
  };
}

function upgradeOutput(out: unknown): unknown {
  if (!isObject(out)) return out;
  const metadata = isObject(out.metadata) ? out.metadata : {};
  switch (out.output_type) {
    case 'stream':
      return { output_type: 'stream', name: out.stream === 'stderr' ? 'stderr' : 'stdout', text: out.text ?? '' };
    case 'pyerr':
      return { output_type: 'error', ename: out.ename, evalue: out.evalue, traceback: out.traceback };
    case 'pyout':
      return {
        output_type: 'execute_result',
        data: bundleOf(out),
        metadata,
        execution_count: typeof out.prompt_number === 'number' ? out.prompt_number : null,
      };
    case 'display_data':
      return { output_type: 'display_data', data: bundleOf(out), metadata };
    default:
      return out;
  }
}

function bundleOf(out: Json): Json {
  const data: Json = {};
  for (const [key, value] of Object.entries(out)) {
    if (V3_OUTPUT_KEYS.has(key)) continue;
    const mime = V3_MIMES[key] ?? (key.includes('/') ? key : undefined);
    if (mime) data[mime] = mime === 'application/json' && typeof value === 'string' ? safeJson(value) : value;
  }
  return data;
}

/** Nesting a JSON string of an nbformat 3 output may have to be parsed (the notebook around it adds a few levels). */
const MAX_JSON_STRING_DEPTH = MAX_NESTING_DEPTH - 16;

/** nbformat 3 wrote JSON output as a string: parsed, unless nesting it would make the notebook unreadable. */
function safeJson(text: string): unknown {
  if (tooDeepAt(text, MAX_JSON_STRING_DEPTH) !== undefined) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
