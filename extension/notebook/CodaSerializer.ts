/**
 * `.coda` files <-> VS Code notebooks, through the pure format in protocol/codaFormat.ts. A file that cannot
 * be read throws, naming line, column and field: VS Code then shows the error and never opens (or saves
 * over) the file.
 */
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { loadedOutputData, savedOutputData, savedPlainText } from '../../protocol/savedOutputs';
import { MIME_CONSOLE, MIME_ERROR, MIME_VALUE } from '../../protocol/outputs';
import { type CodaCell, type CodaDocument, type CodaOutput } from '../../protocol/codaFile';
import { codaErrorObject } from '../../protocol/codaErrors';
import { cellText, emptyCodaDocument, parseCoda, serializeCoda, sourceLines } from '../../protocol/codaFormat';

/** Metadata key under which keys this version does not know travel through VS Code untouched. */
export const UNKNOWN_KEYS = '__codaUnknownKeys';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const isJsonMime = (mime: string) => mime === 'application/json' || mime.endsWith('+json');
const isTextMime = (mime: string) => mime.startsWith('text/') || mime === 'image/svg+xml' || mime === 'application/javascript';

export class CodaSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    // zero bytes is a notebook being created (an untitled one, or a new file from the explorer): there is nothing
    // to lose by writing it. Anything else the reader refuses, a blank file included, is never opened.
    if (content.byteLength === 0) return toNotebookData(emptyCodaDocument());
    const parsed = parseCoda(decoder.decode(content));
    if (!parsed.ok) {
      const lines = parsed.problems.map((p) => `line ${p.line}, column ${p.column}${p.path ? ` (${p.path})` : ''}: ${p.message}`);
      throw codaErrorObject('NotebookUnreadable', { problems: lines.join('; ') });
    }
    return toNotebookData(parsed.doc);
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    return encoder.encode(serializeCoda(toCodaDocument(data)));
  }
}

export function toNotebookData(doc: CodaDocument): vscode.NotebookData {
  const cells = doc.cells.map((c) => {
    const code = c.kind === 'code';
    const cell = new vscode.NotebookCellData(code ? vscode.NotebookCellKind.Code : vscode.NotebookCellKind.Markup, cellText(c), c.language);
    const metadata: Record<string, unknown> = { ...(c.metadata ?? {}) };
    if (c.unknownKeys) metadata[UNKNOWN_KEYS] = c.unknownKeys;
    cell.metadata = metadata;
    if (c.outputs) cell.outputs = c.outputs.map(toCellOutput);
    if (c.execution) {
      const { order, success, durationMs } = c.execution;
      cell.executionSummary = { executionOrder: order, success, timing: durationMs === undefined ? undefined : { startTime: 0, endTime: durationMs } };
    }
    return cell;
  });
  const data = new vscode.NotebookData(cells);
  data.metadata = { ...doc.metadata, ...(doc.unknownKeys ? { [UNKNOWN_KEYS]: doc.unknownKeys } : {}) };
  return data;
}

export function toCodaDocument(data: vscode.NotebookData): CodaDocument {
  const { [UNKNOWN_KEYS]: unknownTop, ...metadata } = (data.metadata ?? {}) as Record<string, unknown>;
  const cells = data.cells.map((c): CodaCell => {
    const code = c.kind === vscode.NotebookCellKind.Code;
    const { [UNKNOWN_KEYS]: unknown, ...cellMeta } = (c.metadata ?? {}) as Record<string, unknown>;
    const cell: CodaCell = {
      kind: code ? 'code' : 'markup',
      language: code ? (c.languageId === 'typescript' ? 'typescript' : 'javascript') : 'markdown',
      source: sourceLines(c.value),
    };
    if (Object.keys(cellMeta).length) cell.metadata = cellMeta;
    const summary = c.executionSummary;
    if (summary && (summary.executionOrder !== undefined || summary.success !== undefined)) {
      cell.execution = {};
      if (summary.executionOrder !== undefined) cell.execution.order = summary.executionOrder;
      if (summary.success !== undefined) cell.execution.success = summary.success;
      if (summary.timing) cell.execution.durationMs = Math.round(summary.timing.endTime - summary.timing.startTime);
    }
    if (c.outputs?.length) cell.outputs = c.outputs.map(fromCellOutput);
    if (unknown) cell.unknownKeys = unknown as Record<string, unknown>;
    return cell;
  });
  const doc: CodaDocument = { coda: 1, metadata, cells };
  if (unknownTop) doc.unknownKeys = unknownTop as Record<string, unknown>;
  return doc;
}

/** CodaJS's own output types (the others are display() data, saved as they were shown). */
const OWN_MIMES = new Set([MIME_CONSOLE, MIME_VALUE, MIME_ERROR]);

function toCellOutput(o: CodaOutput): vscode.NotebookCellOutput {
  const items = o.items.map((i) => {
    // display.json is shown as the kernel sent it (indented); CodaJS's own data is read by its renderer
    const json = () => (OWN_MIMES.has(i.mime) ? JSON.stringify(loadedOutputData(i.mime, i.data)) : JSON.stringify(i.data, null, 2));
    const bytes =
      i.encoding === 'base64' ? Buffer.from(String(i.data), 'base64') : encoder.encode(typeof i.data === 'string' && !isJsonMime(i.mime) ? i.data : json());
    return new vscode.NotebookCellOutputItem(bytes, i.mime);
  });
  return new vscode.NotebookCellOutput(items, o.metadata);
}

/** Outputs are saved without run bookkeeping, kernel handles or the author's paths (protocol/savedOutputs.ts). */
function fromCellOutput(o: vscode.NotebookCellOutput): CodaOutput {
  const own = o.items.some((i) => OWN_MIMES.has(i.mime));
  const ctx = { home: homedir() };
  const items = o.items.map((i) => {
    if (isJsonMime(i.mime)) {
      try {
        return { mime: i.mime, data: savedOutputData(i.mime, JSON.parse(decoder.decode(i.data)), ctx) };
      } catch {
        return { mime: i.mime, data: decoder.decode(i.data) };
      }
    }
    if (own && i.mime === 'text/plain') return { mime: i.mime, data: savedPlainText(decoder.decode(i.data), ctx) };
    if (isTextMime(i.mime)) return { mime: i.mime, data: decoder.decode(i.data) };
    return { mime: i.mime, data: Buffer.from(i.data).toString('base64'), encoding: 'base64' as const };
  });
  const out: CodaOutput = { items };
  if (o.metadata && Object.keys(o.metadata).length) out.metadata = o.metadata;
  return out;
}
