/**
 * Jupyter notebooks (`.ipynb`, nbformat 4, and 3 upgraded on reading) ⇄ CodaJS documents. Pure: no I/O, no vscode.
 *
 * What each format holds goes across; what only one holds is kept so that a round trip gives it back:
 * - notebook: kernelspec ⇄ runtime and cell language (./ipynbKernels.ts); the Jupyter metadata CodaJS has no use for
 *   sits under `ipynb` in the CodaJS metadata, CodaJS's own metadata (permissions, secrets, dependencies, lock, a
 *   runtime the kernelspec does not imply, keys of a newer .coda format) under `codajs` in the Jupyter metadata;
 * - cells: code and markdown as they are, execution counts as execution orders; a cell's Jupyter id and attachments
 *   and a raw cell's type under `ipynb` in its CodaJS metadata; a code cell in the other language says so in
 *   `metadata.vscode.languageId` (as VS Code's Jupyter extension writes it); CodaJS's success/duration and the data
 *   of its console and error outputs under `codajs` in the Jupyter cell metadata;
 * - outputs: ./ipynbOutputs.ts.
 * Known normalisations: streams next to each other become one console output and come back one stream per run of
 * stdout or stderr; multiline strings are written as arrays (as Jupyter does); a notebook always names its runtime;
 * a CodaJS output without its text/plain sibling gets one.
 */
import { CODA_FORMAT_VERSION, type CodaCell, type CodaCellLanguage, type CodaDocument } from '../../protocol/codaFile';
import { cellText, sourceLines } from '../../protocol/codaFormat';
import { MAX_NESTING_DEPTH, tooDeepAt } from '../../protocol/codaJsonChecks';
import type { RuntimeKind } from '../../protocol/messages';
import { kernelFor, kernelOf } from './ipynbKernels';
import { IPYNB_KEY, outputsFromIpynb, outputsToIpynb } from './ipynbOutputs';
import { joinMultiline, sameJson, sortKeys, splitMultiline, type IpynbCell, type IpynbNotebook } from './ipynbTypes';
import { upgradeV3 } from './ipynbV3';

export const IPYNB_FILE_EXTENSION = '.ipynb';
/** The nbformat minor version written when the notebook did not come from Jupyter (4.5: cells have ids). */
export const IPYNB_MINOR = 5;
/** Nesting the Jupyter file may have: the CodaJS file that holds its outputs is a few levels deeper. */
const MAX_IPYNB_DEPTH = MAX_NESTING_DEPTH - 8;
/** The key under which each format keeps the other's metadata. */
const CODAJS_KEY = 'codajs';
/** Under `codajs`: keys of a newer .coda format this version keeps without knowing them. */
const UNKNOWN_KEYS = 'unknownKeys';
/** Runtime names a `codajs.runtime` may hold (the Sandbox was named `isolate` before). */
const RUNTIMES: readonly string[] = ['node', 'deno', 'bun', 'sandbox', 'isolate'];

export interface IpynbProblem {
  message: string;
  /** JSON path of the offending field, e.g. `cells[2].cell_type`. */
  path?: string;
}

export type IpynbReadResult = { ok: true; doc: CodaDocument; warnings: string[] } | { ok: false; problems: IpynbProblem[] };

/** What a CodaJS cell remembers of the Jupyter cell it came from. */
interface IpynbCellMemo {
  id?: string;
  attachments?: Record<string, unknown>;
  /** A raw cell (or a cell type this version does not know) is shown as markdown and written back as it was. */
  cellType?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
type CodeLanguage = Exclude<CodaCellLanguage, 'markdown'>;
const isCodeLanguage = (v: unknown): v is CodeLanguage => v === 'javascript' || v === 'typescript';

// ---- reading ---------------------------------------------------------------------------------------------------

export function ipynbToCoda(input: string): IpynbReadResult {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  if (!text.trim()) return fail('The file is empty: a Jupyter notebook is a JSON object with "cells" and "metadata"');
  if (tooDeepAt(text, MAX_IPYNB_DEPTH) !== undefined) return fail(`Nested more than ${MAX_IPYNB_DEPTH} levels deep; a notebook never is`);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    return fail(`Invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObject(root)) return fail('A Jupyter notebook is a JSON object with "cells" and "metadata"');
  if (root.nbformat === 3) root = upgradeV3(root) as Json;
  else if (typeof root.nbformat === 'number' && root.nbformat > 4) return fail(`nbformat ${root.nbformat} is newer than CodaJS reads (4)`, 'nbformat');
  else if (root.nbformat !== 4) return fail('"nbformat" must be 4 (or 3)', 'nbformat');
  const nb = root as Json;
  if (!Array.isArray(nb.cells)) return fail('"cells" must be an array', 'cells');
  const jupyterMetadata = isObject(nb.metadata) ? nb.metadata : {};
  const kernel = kernelOf(jupyterMetadata);
  if ('problem' in kernel) return fail(kernel.problem, 'metadata.kernelspec');

  const warnings: string[] = [];
  const { [CODAJS_KEY]: codajs, ...ipynbMetadata } = jupyterMetadata;
  const { runtime: keptRuntime, [UNKNOWN_KEYS]: unknownTop, ...codaMetadata } = isObject(codajs) ? codajs : {};
  const runtime = typeof keptRuntime === 'string' && RUNTIMES.includes(keptRuntime) ? (keptRuntime as RuntimeKind) : kernel.runtime;
  const cells: CodaCell[] = [];
  const ids = new Set<string>();
  nb.cells.forEach((c, i) => {
    if (!isObject(c)) warnings.push(`cells[${i}] is not an object; left out`);
    else cells.push(readCell(c, kernel.language, ids, (m) => warnings.push(`cells[${i}]: ${m}`)));
  });
  const doc: CodaDocument = { coda: CODA_FORMAT_VERSION, metadata: { runtime, ...codaMetadata }, cells };
  if (isObject(unknownTop)) doc.unknownKeys = unknownTop;
  // keep Jupyter's metadata unless writing the notebook back would give the same without it
  const memo: Json = { ...ipynbMetadata };
  const minor = typeof nb.nbformat_minor === 'number' ? nb.nbformat_minor : IPYNB_MINOR;
  if (minor !== IPYNB_MINOR) memo.nbformat_minor = minor;
  const written = notebookMetadata(doc).metadata;
  if (!sameJson({ ...written, [CODAJS_KEY]: undefined }, { ...memo, [CODAJS_KEY]: undefined })) doc.metadata[IPYNB_KEY] = memo;
  return { ok: true, doc, warnings };
}

/** `ids`: the cell ids so far, to tell an id CodaJS would write anyway (not worth keeping) from the author's. */
function readCell(c: Json, language: CodeLanguage, ids: Set<string>, warn: (message: string) => void): CodaCell {
  const { [CODAJS_KEY]: codajs, vscode, ...metadata } = isObject(c.metadata) ? c.metadata : {};
  const memo: IpynbCellMemo = {};
  const source = sourceLines(joinMultiline(c.source));
  if (typeof c.id === 'string') {
    if (c.id !== nextId(undefined, joinMultiline(c.source), ids)) memo.id = c.id;
    ids.add(c.id);
  }
  if (isObject(c.attachments)) memo.attachments = c.attachments;
  const { languageId, ...vscodeRest } = isObject(vscode) ? vscode : {};
  if (isObject(vscode) && Object.keys(vscodeRest).length) metadata.vscode = vscodeRest;
  const kept = isObject(codajs) ? codajs : {};
  const { execution: keptExecution, outputs: keptOutputs, [UNKNOWN_KEYS]: unknownKeys, ...codajsRest } = kept;
  if (Object.keys(codajsRest).length) metadata[CODAJS_KEY] = codajsRest;
  let cell: CodaCell;
  if (c.cell_type === 'code') {
    cell = { kind: 'code', language: isCodeLanguage(languageId) ? languageId : language, source };
    const outputs = Array.isArray(c.outputs) ? outputsFromIpynb(c.outputs, isObject(keptOutputs) ? keptOutputs : {}, warn) : [];
    if (outputs.length) cell.outputs = outputs;
    const execution = { ...(typeof c.execution_count === 'number' ? { order: c.execution_count } : {}), ...pickExecution(keptExecution) };
    if (Object.keys(execution).length) cell.execution = execution;
  } else {
    if (c.cell_type !== 'markdown') {
      memo.cellType = typeof c.cell_type === 'string' ? c.cell_type : 'raw';
      if (c.cell_type !== 'raw') warn(`unknown cell_type ${JSON.stringify(c.cell_type)}: shown as markdown, written back as it was`);
    }
    cell = { kind: 'markup', language: 'markdown', source };
  }
  if (Object.keys(memo).length) metadata[IPYNB_KEY] = memo;
  if (Object.keys(metadata).length) cell.metadata = metadata;
  if (isObject(unknownKeys)) cell.unknownKeys = unknownKeys;
  return cell;
}

function pickExecution(v: unknown): { success?: boolean; durationMs?: number } {
  if (!isObject(v)) return {};
  return { ...(typeof v.success === 'boolean' ? { success: v.success } : {}), ...(typeof v.durationMs === 'number' ? { durationMs: v.durationMs } : {}) };
}

function fail(message: string, path?: string): IpynbReadResult {
  return { ok: false, problems: [path ? { message, path } : { message }] };
}

// ---- writing ---------------------------------------------------------------------------------------------------

export function codaToIpynb(doc: CodaDocument): IpynbNotebook {
  const { metadata, minor, language } = notebookMetadata(doc);
  const ids = new Set<string>();
  const cells = doc.cells.map((cell) => writeCell(cell, language, minor >= 5 ? ids : undefined));
  return { nbformat: 4, nbformat_minor: minor, metadata, cells };
}

/** Jupyter writes JSON with 1-space indentation, keys sorted, and a final newline; so does CodaJS, for small diffs. */
export function serializeIpynb(nb: IpynbNotebook): string {
  return `${JSON.stringify(sortKeys(nb), null, 1)}\n`;
}

function notebookMetadata(doc: CodaDocument): { metadata: IpynbNotebook['metadata']; minor: number; language: CodeLanguage } {
  const { [IPYNB_KEY]: memo, runtime: docRuntime, ...codaRest } = doc.metadata;
  const runtime: RuntimeKind = docRuntime ?? 'node';
  const code = doc.cells.filter((c) => c.kind === 'code');
  const ts = code.filter((c) => c.language === 'typescript').length;
  const language: CodeLanguage = runtime === 'deno' || (code.length > 0 && ts * 2 >= code.length) ? 'typescript' : 'javascript';
  const kept = isObject(memo) ? memo : {};
  const { kernelspec, language_info, nbformat_minor, ...others } = kept;
  const keptKernel = kernelspec || language_info ? kernelOf({ kernelspec, language_info } as IpynbNotebook['metadata']) : undefined;
  const keep = keptKernel && !('problem' in keptKernel) && keptKernel.language === language && keptKernel.runtime === (runtime === 'deno' ? 'deno' : 'node');
  const kernel = kernelFor(runtime, language);
  const metadata: IpynbNotebook['metadata'] = {
    ...others,
    kernelspec: keep && isObject(kernelspec) ? (kernelspec as IpynbNotebook['metadata']['kernelspec']) : { ...kernel.kernelspec },
    language_info: keep && isObject(language_info) ? (language_info as IpynbNotebook['metadata']['language_info']) : { ...kernel.languageInfo },
  };
  const codajs: Json = { ...codaRest };
  if (runtime !== (keep ? keptKernel.runtime : kernel.runtime)) codajs.runtime = runtime;
  if (doc.unknownKeys && Object.keys(doc.unknownKeys).length) codajs[UNKNOWN_KEYS] = doc.unknownKeys;
  if (Object.keys(codajs).length) metadata[CODAJS_KEY] = codajs;
  const minor = typeof nbformat_minor === 'number' && nbformat_minor >= 0 && nbformat_minor <= IPYNB_MINOR ? nbformat_minor : IPYNB_MINOR;
  return { metadata, minor, language };
}

function writeCell(cell: CodaCell, language: CodeLanguage, ids: Set<string> | undefined): IpynbCell {
  const { [IPYNB_KEY]: rawMemo, ...rest } = cell.metadata ?? {};
  const memo: IpynbCellMemo = isObject(rawMemo) ? (rawMemo as IpynbCellMemo) : {};
  const metadata: Json = { ...rest };
  const source = splitMultiline(cellText(cell));
  const id = ids ? nextId(memo.id, cellText(cell), ids) : undefined;
  if (id) ids?.add(id);
  const codajs: Json = { ...(isObject(metadata[CODAJS_KEY]) ? (metadata[CODAJS_KEY] as Json) : {}) };
  if (cell.unknownKeys && Object.keys(cell.unknownKeys).length) codajs[UNKNOWN_KEYS] = cell.unknownKeys;
  if (Object.keys(codajs).length) metadata[CODAJS_KEY] = codajs;
  if (cell.kind !== 'code') {
    const type = memo.cellType === undefined ? 'markdown' : memo.cellType;
    const out = { cell_type: type, ...(id ? { id } : {}), metadata, source } as IpynbCell & { attachments?: Json };
    if (isObject(memo.attachments)) out.attachments = memo.attachments;
    return out;
  }
  if (cell.language !== language) metadata.vscode = { ...(isObject(metadata.vscode) ? metadata.vscode : {}), languageId: cell.language };
  const count = typeof cell.execution?.order === 'number' ? cell.execution.order : null;
  const { outputs, kept } = outputsToIpynb(cell.outputs ?? [], count);
  const execution = pickExecution(cell.execution);
  if (Object.keys(execution).length) codajs.execution = execution;
  if (Object.keys(kept).length) codajs.outputs = kept;
  if (Object.keys(codajs).length) metadata[CODAJS_KEY] = codajs;
  return { cell_type: 'code', ...(id ? { id } : {}), metadata, source, outputs, execution_count: count };
}

const ID_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;

/** The cell's Jupyter id when it has a usable one, else one made from its text (so re-exports keep it); unique. */
function nextId(kept: unknown, text: string, ids: ReadonlySet<string>): string {
  const base = typeof kept === 'string' && ID_PATTERN.test(kept) ? kept : fnv1a(text);
  let id = base;
  for (let n = 2; ids.has(id); n++) id = `${base.slice(0, 60)}-${n}`;
  return id;
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
