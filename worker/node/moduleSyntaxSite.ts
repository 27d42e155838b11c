/**
 * Where a syntax error in one of the notebook's own modules is. Node reports an ES module that does not parse as
 * "SyntaxError: Unexpected end of input" and nothing else (the file and line live in a part of the error code cannot
 * read), so a cell that imports a helper with a typo could not tell which file to fix. The modules the cell's import
 * reaches are read, from the one it imports on, and the first that does not parse names the place, which goes into
 * the error's stack the way Node writes a CommonJS module's (`file:line`, the line, a caret), where the stack mapper
 * reads it (moduleSyntaxSite → stackMapper). At most MAX_FILES files, none in node_modules.
 */
import * as acorn from 'acorn';
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forEachNode } from '../../common/forEachNode';
import { requireCallsIn } from '../../common/requireCallsIn';
import { DEFAULT_JSX } from '../../common/JsxSettings';
import { stripTypes } from '../transform/stripTypes';
import { CellSyntaxError } from '../transform/transformCell';
import { inNodeModules, isPathSpecifier } from '../../common/modulePathCandidates';
import { importedFile } from '../../common/node/importedFile';

const MAX_FILES = 200;
const TYPESCRIPT = /\.(?:ts|mts|cts|tsx)$/;

export interface SyntaxSite {
  file: string;
  line: number;
  column: number;
  lineText: string;
}

/** Node's way of putting a syntax error's place above its stack (a CommonJS module's). */
export function withSite(stack: string, site: SyntaxSite): string {
  return `${site.file}:${site.line}\n${site.lineText}\n${' '.repeat(Math.max(0, site.column - 1))}^\n\n${stack}`;
}

/** The place Node's CommonJS prelude (`file:line`, the line, a caret) or Bun's `position` gives a syntax error. */
export function siteOf(error: Record<string, unknown>): Omit<SyntaxSite, 'lineText'> | undefined {
  const position = error.position as { file?: unknown; line?: unknown; column?: unknown } | undefined;
  if (position && typeof position.file === 'string' && typeof position.line === 'number' && position.line > 0) {
    return { file: position.file, line: position.line, column: typeof position.column === 'number' ? Math.max(1, position.column) : 1 };
  }
  // a path (not a "Name: message" line) and its line number, the source lines, a caret under the place when Node has
  // one, then an empty line
  const stack = typeof error.stack === 'string' ? error.stack : '';
  const m = /^((?:\/|[A-Za-z]:[\\/]|file:).*?):(\d+)\n/.exec(stack);
  if (!m) return undefined;
  const end = stack.indexOf('\n\n', m[0].length);
  const prelude = stack.slice(m[0].length, end === -1 ? undefined : end).split('\n');
  const caret = prelude.map((l) => /^( *)\^+\s*$/.exec(l)).find(Boolean);
  return { file: m[1]!, line: Number(m[2]), column: (caret?.[1]?.length ?? 0) + 1 };
}

/** The first module `spec` (imported from `folder`) reaches that does not parse, and where. */
export function findSyntaxError(folder: string, spec: string): SyntaxSite | undefined {
  const seen = new Set<string>();
  const queue = [{ from: folder, spec }];
  while (queue.length && seen.size < MAX_FILES) {
    const next = queue.shift()!;
    const file = moduleFile(next.from, next.spec);
    if (!file || seen.has(file)) continue;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const parsed = parse(file, text);
    if ('site' in parsed) return parsed.site;
    for (const s of parsed.imports) queue.push({ from: dirname(file), spec: s });
  }
  return undefined;
}

/** The local file an import names, as the resolve hook finds it (the name as written, then the editor's ways). */
function moduleFile(from: string, spec: string): string | undefined {
  if (!isPathSpecifier(spec)) return undefined;
  const path = (s: string) => {
    const bare = s.replace(/[?#].*$/, '');
    return bare.startsWith('file:') ? fileURLToPath(bare) : resolve(from, bare);
  };
  const name = importedFile(spec, path);
  const file = name === undefined ? undefined : path(name);
  return file && !inNodeModules(file) ? file : undefined;
}

/** A module's own relative imports, or where it does not parse. */
function parse(file: string, text: string): { imports: string[] } | { site: SyntaxSite } {
  let code = text;
  const at = (line: number, column: number): { site: SyntaxSite } => ({ site: { file, line, column, lineText: text.split('\n')[line - 1] ?? '' } });
  if (TYPESCRIPT.test(file)) {
    try {
      code = stripTypes(text, file, { typescript: true, ...(extname(file) === '.tsx' ? { jsx: DEFAULT_JSX } : {}) }).code;
    } catch (err) {
      return err instanceof CellSyntaxError ? at(err.line, err.column) : { imports: [] };
    }
  }
  let tree: acorn.Program;
  const options = { ecmaVersion: 'latest', locations: true, allowHashBang: true } as const;
  try {
    tree = acorn.parse(code, {
      ...options,
      sourceType: file.endsWith('.cjs') ? 'script' : 'module',
      allowReturnOutsideFunction: file.endsWith('.cjs'),
      allowAwaitOutsideFunction: true,
    });
  } catch (err) {
    const loc = (err as { loc?: { line: number; column: number } }).loc;
    // a CommonJS module in a .js file may hold what a module may not (`return` at its top, `with`)
    if (!loc || (!file.endsWith('.mjs') && !file.endsWith('.cjs') && parsesAsScript(code))) return { imports: [] };
    return at(loc.line, loc.column + 1);
  }
  const imports: string[] = [];
  forEachNode(tree, (node) => {
    const source = (node as { source?: acorn.Node | null }).source;
    const withSource =
      node.type === 'ImportDeclaration' || node.type === 'ExportNamedDeclaration' || node.type === 'ExportAllDeclaration' || node.type === 'ImportExpression';
    if (withSource && source?.type === 'Literal' && typeof (source as acorn.Literal).value === 'string')
      imports.push((source as acorn.Literal).value as string);
  });
  imports.push(...requireCallsIn(tree).map((r) => r.specifier));
  return { imports };
}

function parsesAsScript(code: string): boolean {
  try {
    acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowReturnOutsideFunction: true, allowHashBang: true });
    return true;
  } catch {
    return false;
  }
}
