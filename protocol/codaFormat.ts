/**
 * Reading and writing `.coda` files. Pure: no I/O. A file that cannot be read yields problems that name the
 * line, column and field; callers never write over such a file.
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import {
  CODA_FORMAT_VERSION, type CodaCell, type CodaCellLanguage, type CodaDocument, type CodaFormatProblem, type CodaOutput,
} from './codaFile';

export type CodaParseResult = { ok: true; doc: CodaDocument } | { ok: false; problems: CodaFormatProblem[] };

const RUNTIMES = ['node', 'deno', 'bun', 'isolate'];
const CELL_KEYS = ['kind', 'language', 'source', 'metadata', 'execution', 'outputs'];
const TOP_KEYS = ['coda', 'metadata', 'cells'];

export function emptyCodaDocument(): CodaDocument {
  return { coda: CODA_FORMAT_VERSION, metadata: {}, cells: [] };
}

/** Cell text from its stored lines. */
export function cellText(cell: Pick<CodaCell, 'source'>): string {
  return cell.source.join('\n');
}

/** Stored lines of a cell text: split on '\n', '' last when the text ends with a newline. */
export function sourceLines(text: string): string[] {
  return text.split('\n');
}

export function parseCoda(text: string): CodaParseResult {
  if (!text.trim()) return { ok: true, doc: emptyCodaDocument() };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  const at = positionOf(text);
  if (errors.length || !root) {
    return {
      ok: false,
      problems: (errors.length ? errors : [{ error: 0, offset: 0, length: 0 }]).slice(0, 5).map((e) => ({
        ...at(e.offset),
        message: `Invalid JSON: ${errors.length ? humanJsonError(printParseErrorCode(e.error)) : 'empty document'}`,
      })),
    };
  }
  const problems: CodaFormatProblem[] = [];
  const problem = (node: Node, path: string, message: string) => problems.push({ ...at(node.offset), path, message });
  const doc = readDocument(root, problem);
  return problems.length ? { ok: false, problems } : { ok: true, doc: doc! };
}

type Problem = (node: Node, path: string, message: string) => void;

function readDocument(root: Node, problem: Problem): CodaDocument | undefined {
  if (root.type !== 'object') {
    problem(root, '', 'A CodaJS notebook is a JSON object with "coda", "metadata" and "cells"');
    return undefined;
  }
  const props = propsOf(root);
  const version = props.get('coda');
  if (!version) {
    problem(root, 'coda', 'Not a CodaJS notebook: the "coda" version field is missing');
    return undefined;
  }
  if (version.type !== 'number' || !Number.isInteger(version.value)) {
    problem(version, 'coda', '"coda" must be the format version number (1)');
    return undefined;
  }
  if (version.value > CODA_FORMAT_VERSION) {
    problem(version, 'coda', `This notebook was written by a newer CodaJS (format ${version.value}); update the extension to open it`);
    return undefined;
  }
  if (version.value < 1) {
    problem(version, 'coda', `Unknown notebook format ${version.value}`);
    return undefined;
  }
  const doc: CodaDocument = { coda: CODA_FORMAT_VERSION, metadata: {}, cells: [] };
  const metadata = props.get('metadata');
  if (metadata) {
    if (metadata.type !== 'object') problem(metadata, 'metadata', '"metadata" must be an object');
    else {
      doc.metadata = value(metadata) as CodaDocument['metadata'];
      const runtime = propsOf(metadata).get('runtime');
      if (runtime && !(runtime.type === 'string' && RUNTIMES.includes(runtime.value))) {
        problem(runtime, 'metadata.runtime', `"runtime" must be one of ${RUNTIMES.map((r) => `"${r}"`).join(', ')}`);
      }
    }
  }
  const cells = props.get('cells');
  if (!cells) problem(root, 'cells', 'The "cells" array is missing');
  else if (cells.type !== 'array') problem(cells, 'cells', '"cells" must be an array');
  else (cells.children ?? []).forEach((c, i) => {
    const cell = readCell(c, `cells[${i}]`, problem);
    if (cell) doc.cells.push(cell);
  });
  const unknown = unknownOf(root, TOP_KEYS);
  if (unknown) doc.unknownKeys = unknown;
  return doc;
}

function readCell(node: Node, path: string, problem: Problem): CodaCell | undefined {
  if (node.type !== 'object') {
    problem(node, path, 'A cell must be an object with "kind", "language" and "source"');
    return undefined;
  }
  const p = propsOf(node);
  const kind = p.get('kind');
  const language = p.get('language');
  const source = p.get('source');
  let ok = true;
  const fail = (n: Node, field: string, message: string) => {
    problem(n, `${path}.${field}`, message);
    ok = false;
  };
  if (!kind || (kind.value !== 'code' && kind.value !== 'markup')) fail(kind ?? node, 'kind', '"kind" must be "code" or "markup"');
  const langs: CodaCellLanguage[] = kind?.value === 'markup' ? ['markdown'] : ['javascript', 'typescript'];
  if (!language || !langs.includes(language.value)) {
    fail(language ?? node, 'language', `"language" must be ${langs.map((l) => `"${l}"`).join(' or ')} for a ${kind?.value === 'markup' ? 'markup' : 'code'} cell`);
  }
  let lines: string[] = [];
  if (!source) fail(node, 'source', '"source" is missing (an array of lines)');
  else if (source.type === 'string') lines = sourceLines(source.value);
  else if (source.type !== 'array') fail(source, 'source', '"source" must be an array of strings (one per line)');
  else {
    (source.children ?? []).forEach((l, i) => {
      if (l.type !== 'string') fail(l, `source[${i}]`, 'each source line must be a string');
      else lines.push(l.value);
    });
  }
  const cell: CodaCell = { kind: kind?.value, language: language?.value, source: lines };
  const metadata = p.get('metadata');
  if (metadata) {
    if (metadata.type !== 'object') fail(metadata, 'metadata', '"metadata" must be an object');
    else cell.metadata = value(metadata) as Record<string, unknown>;
  }
  const execution = p.get('execution');
  if (execution) {
    if (execution.type !== 'object') fail(execution, 'execution', '"execution" must be an object');
    else cell.execution = value(execution) as CodaCell['execution'];
  }
  const outputs = p.get('outputs');
  if (outputs) {
    if (outputs.type !== 'array') fail(outputs, 'outputs', '"outputs" must be an array');
    else cell.outputs = (outputs.children ?? []).map((o, i) => readOutput(o, `${path}.outputs[${i}]`, problem)).filter((o): o is CodaOutput => !!o);
  }
  const unknown = unknownOf(node, CELL_KEYS);
  if (unknown) cell.unknownKeys = unknown;
  return ok ? cell : undefined;
}

function readOutput(node: Node, path: string, problem: Problem): CodaOutput | undefined {
  const items = node.type === 'object' ? propsOf(node).get('items') : undefined;
  if (!items || items.type !== 'array') {
    problem(items ?? node, `${path}.items`, 'an output must be an object with an "items" array');
    return undefined;
  }
  for (const [i, item] of (items.children ?? []).entries()) {
    const mime = item.type === 'object' ? propsOf(item).get('mime') : undefined;
    if (!mime || mime.type !== 'string') {
      problem(mime ?? item, `${path}.items[${i}].mime`, 'an output item needs a "mime" string');
      return undefined;
    }
  }
  return value(node) as CodaOutput;
}

/** Canonical text: 2-space JSON, fixed key order, unknown keys after known ones, one source line per line. */
export function serializeCoda(doc: CodaDocument): string {
  const cells = doc.cells.map((c) => {
    const out: Record<string, unknown> = { kind: c.kind, language: c.language, source: c.source };
    if (c.metadata && Object.keys(c.metadata).length) out.metadata = c.metadata;
    if (c.execution && Object.keys(c.execution).length) out.execution = c.execution;
    if (c.outputs && c.outputs.length) out.outputs = c.outputs;
    return { ...out, ...omit(c.unknownKeys, CELL_KEYS) };
  });
  const top = { coda: CODA_FORMAT_VERSION, metadata: doc.metadata ?? {}, cells, ...omit(doc.unknownKeys, TOP_KEYS) };
  return `${JSON.stringify(top, null, 2)}\n`;
}

function omit(extra: Record<string, unknown> | undefined, known: string[]): Record<string, unknown> {
  if (!extra) return {};
  return Object.fromEntries(Object.entries(extra).filter(([k]) => !known.includes(k)));
}

function propsOf(node: Node): Map<string, Node> {
  const map = new Map<string, Node>();
  for (const prop of node.children ?? []) {
    const [key, val] = prop.children ?? [];
    if (key && val) map.set(String(key.value), val);
  }
  return map;
}

function unknownOf(node: Node, known: string[]): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of propsOf(node)) if (!known.includes(k)) out[k] = value(v);
  return Object.keys(out).length ? out : undefined;
}

/** Plain JSON value of a node. */
function value(node: Node): unknown {
  switch (node.type) {
    case 'object':
      return Object.fromEntries([...propsOf(node)].map(([k, v]) => [k, value(v)]));
    case 'array':
      return (node.children ?? []).map(value);
    default:
      return node.value;
  }
}

function positionOf(text: string) {
  return (offset: number) => {
    let line = 1;
    let lineStart = 0;
    for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, column: offset - lineStart + 1 };
  };
}

function humanJsonError(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
