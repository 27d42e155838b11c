/**
 * Reading and writing `.coda` files. Pure: no I/O. A file that cannot be read yields problems that name the
 * line, column and field; callers never write over such a file.
 */
import { parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { CODA_FORMAT_VERSION, type CodaCell, type CodaCellLanguage, type CodaDocument, type CodaFormatProblem, type CodaOutput } from './codaFile';
import { checkMisspeltKeys, checkPermissions, checkSecrets, nodeValue, type Problem } from './codaAccessChecks';
import { duplicateKeys, MAX_NESTING_DEPTH, outOfRangeNumbers, textPositions, tooDeepAt } from './codaJsonChecks';
import { METADATA_PERMISSIONS, METADATA_SECRETS } from './permissions';
import { RUNTIME_IDS, RUNTIME_NAMES } from './runtimes';
import { codaErrorObject } from './codaErrors';

export type CodaParseResult = { ok: true; doc: CodaDocument } | { ok: false; problems: CodaFormatProblem[] };

const CELL_KEYS = ['kind', 'language', 'source', 'metadata', 'execution', 'outputs'];
const TOP_KEYS = ['coda', 'metadata', 'cells'];
/** Problems reported for one file; the rest are counted in a last line. */
export const MAX_PROBLEMS = 20;
/** Syntax errors reported for a file that is not JSON: the parse stops at this many. */
const MAX_SYNTAX_ERRORS = 5;

/** Thrown by SyntaxErrors to end a parse that has found all the errors it reports. */
class EnoughSyntaxErrors extends Error {}

/**
 * The parser's error list (jsonc-parser pushes each error onto it), which ends the parse once it holds
 * MAX_SYNTAX_ERRORS: after each error the parser recovers and reads on, so a file of two million stray commas took
 * 2.6 s to report its first five.
 */
class SyntaxErrors extends Array<ParseError> {
  override push(...errors: ParseError[]): number {
    const n = super.push(...errors);
    if (n >= MAX_SYNTAX_ERRORS) throw new EnoughSyntaxErrors();
    return n;
  }
}

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

export function parseCoda(input: string): CodaParseResult {
  // a UTF-8 byte order mark is not JSON, but editors on Windows write one; positions count from after it
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const at = textPositions(text);
  if (!text.trim()) {
    return {
      ok: false,
      problems: [
        { line: 1, column: 1, message: `The file is ${text ? 'blank' : 'empty'}: a CodaJS notebook is a JSON object with "coda", "metadata" and "cells"` },
      ],
    };
  }
  // the parser recurses per level: refuse what would overflow the stack before parsing
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    return { ok: false, problems: [{ ...at(deep), message: `Nested more than ${MAX_NESTING_DEPTH} levels deep here; a CodaJS notebook never is` }] };
  }
  const errors = new SyntaxErrors();
  let root: Node | undefined;
  try {
    root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  } catch (err) {
    if (!(err instanceof EnoughSyntaxErrors)) {
      // the nesting check above should make this unreachable; a stack overflow must still not escape the reader
      if (!(err instanceof RangeError)) throw err;
      return { ok: false, problems: [{ line: 1, column: 1, message: `Nested too deeply to read (${err.message})` }] };
    }
  }
  if (errors.length || !root) {
    return {
      ok: false,
      problems: (errors.length ? [...errors] : [{ error: 0, offset: 0, length: 0 }]).map((e) => ({
        ...at(e.offset),
        message: `Invalid JSON: ${errors.length ? humanJsonError(printParseErrorCode(e.error)) : 'empty document'}`,
      })),
    };
  }
  const problems: CodaFormatProblem[] = [];
  const problem = (node: Node, path: string, message: string) => problems.push({ ...at(node.offset), path, message });
  for (const d of duplicateKeys(root)) {
    const first = at(d.first.offset);
    problem(
      d.again,
      d.path,
      `Duplicate key ${JSON.stringify(d.key)}: first at line ${first.line}, column ${first.column}, again here. Which one counts is ambiguous, so the file is refused`,
    );
  }
  for (const n of outOfRangeNumbers(root)) {
    problem(
      n,
      '',
      `The number ${text.slice(n.offset, n.offset + Math.min(n.length, 40))}${n.length > 40 ? '…' : ''} is too large to read (it would be saved as null)`,
    );
  }
  const doc = problems.length ? undefined : readDocument(root, problem);
  if (!problems.length) return { ok: true, doc: doc! };
  if (problems.length <= MAX_PROBLEMS) return { ok: false, problems };
  const rest = problems.length - MAX_PROBLEMS;
  return {
    ok: false,
    problems: [...problems.slice(0, MAX_PROBLEMS), { ...problems[MAX_PROBLEMS]!, message: `…and ${rest} more problem${rest > 1 ? 's' : ''}`, path: undefined }],
  };
}

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
      doc.metadata = nodeValue(metadata) as CodaDocument['metadata'];
      const runtime = propsOf(metadata).get('runtime');
      // the names users see, and the older ones files may still say ("isolate")
      if (runtime && !(runtime.type === 'string' && RUNTIME_NAMES.includes(runtime.value))) {
        problem(runtime, 'metadata.runtime', `"runtime" must be one of ${RUNTIME_IDS.map((r) => `"${r}"`).join(', ')}`);
      }
      const permissions = propsOf(metadata).get(METADATA_PERMISSIONS);
      if (permissions) checkPermissions(permissions, `metadata.${METADATA_PERMISSIONS}`, problem);
      const secrets = propsOf(metadata).get(METADATA_SECRETS);
      if (secrets) checkSecrets(secrets, `metadata.${METADATA_SECRETS}`, problem);
      checkMisspeltKeys(metadata, [METADATA_PERMISSIONS, METADATA_SECRETS], problem);
    }
  }
  const cells = props.get('cells');
  if (!cells) problem(root, 'cells', 'The "cells" array is missing');
  else if (cells.type !== 'array') problem(cells, 'cells', '"cells" must be an array');
  else
    (cells.children ?? []).forEach((c, i) => {
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
    fail(
      language ?? node,
      'language',
      `"language" must be ${langs.map((l) => `"${l}"`).join(' or ')} for a ${kind?.value === 'markup' ? 'markup' : 'code'} cell`,
    );
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
    else cell.metadata = nodeValue(metadata) as Record<string, unknown>;
  }
  const execution = p.get('execution');
  if (execution) {
    if (execution.type !== 'object') fail(execution, 'execution', '"execution" must be an object');
    else cell.execution = nodeValue(execution) as CodaCell['execution'];
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
  return nodeValue(node) as CodaOutput;
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
  const text = `${JSON.stringify(top, null, 2)}\n`;
  // never write a file this reader would refuse (e.g. a display.json output nested deeper than the limit)
  if (tooDeepAt(text) !== undefined) throw codaErrorObject('NotebookTooDeep', { maxDepth: MAX_NESTING_DEPTH });
  return text;
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
  for (const [k, v] of propsOf(node)) if (!known.includes(k)) out[k] = nodeValue(v);
  return Object.keys(out).length ? out : undefined;
}

function humanJsonError(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
