/**
 * Turns a cell into a script that keeps notebook semantics when run with vm.Script in one context:
 * - top-level const/let/var/class/function declarations become script-level `var` bindings, so state
 *   persists across cells and re-running `const x = 1` works;
 * - static imports become `await import()` (default, named, namespace, side-effect); names of a CommonJS module
 *   read as TypeScript's esModuleInterop reads them (a named import Node's analysis missed comes from its exports);
 * - the body runs in an async arrow function (top-level await), and the last expression statement's value
 *   is returned in a null-prototype box `{ 0: value }` (COMPLETION_OPEN/CLOSE): a returned Promise is shown, not
 *   adopted, and a cell that pollutes `Object.prototype.then` or `Array.prototype.then` cannot hijack or drop it
 *   (the box inherits nothing, so resolving the body's promise with it never looks up a `then`);
 * - although they are `var`s, a top-level `const` and an import binding stay constant (in this cell and later ones:
 *   TransformOptions.constants) and a `let`, `const` or `class` used before its declaration ran is refused: such uses
 *   go through a guard, which throws V8's own error (bindingGuards.ts: `c = 2` becomes `__coda$constant("c").value = 2`);
 * - with `instrumentLines`, every top-level expression statement reports its value with its line;
 * - with `trackAsync`, each top-level statement first tells the runtime its line (STATEMENT_HOOK: the work it starts
 *   carries that line), and each top-level `await` (outside any function) awaits through AWAIT_HOOK, which lists it in
 *   the Pending Work view and can settle it (`await x` becomes `await AWAIT_HOOK((x), id)`; `for await` is left alone).
 * Line numbers are preserved exactly: the prologue sits on line 1 before the user's first character and
 * every edit keeps its newlines, so V8 positions map back to the cell (line 1 columns shift by `prologueLength`).
 */
import * as acorn from 'acorn';
import { applyEdits, ColumnMap, type Edit } from './ColumnMap';
import { forEachNode } from '../../common/forEachNode';
import { OBJECT_LITERAL_START } from '../../common/objectLiteralStart';
import { collectPatternNames } from './patternNames';
import { declaratorNames, guardBindings, type LexicalName } from './bindingGuards';
import { blockFunctions } from './blockFunctions';
import { unlessTooDeep } from './unlessTooDeep';
import { syntaxMessage } from './syntaxMessage';
import { anonymousDefinition, COMPLETION_VAR, statementCompletion } from './statementCompletion';
import { columnAt, endBeforeSemicolon, lineAt } from '../../common/sourcePosition';
import { LOOP_HOOK } from '../runtime/loopStop';
import { codaErrorMessage, type CodaErrorCode } from '../../protocol/codaErrors';

/** Global the runtime defines to receive instrumented line values. */
export const LINE_HOOK = '__coda$line';
/** Global the runtime defines for `import` (resolves from the notebook folder, then the dependency store). */
export const IMPORT_HOOK = '__coda$import';
/** Global the runtime defines to read a module's namespace for `import * as ns` (worker/node/interopNamespace.ts). */
export const NAMESPACE_HOOK = '__coda$namespace';
/** Global the runtime defines to read a module's default for `import d` (worker/node/interopNamespace.ts interopDefault). */
export const DEFAULT_HOOK = '__coda$default';
/** Global the runtime defines as the cells' `import.meta` (same length: columns stay where they were). */
export const META_HOOK = '__coda$meta';
/** Global the runtime defines to receive a top-level statement's line before it runs. */
export const STATEMENT_HOOK = '__coda$at';
/** Global the runtime defines to await a top-level `await`'s value through (see AwaitTracker). */
export const AWAIT_HOOK = '__coda$await';
/** An `await` site's expression is cut to this many characters in its description. */
const MAX_AWAIT_TEXT = 60;
/**
 * Around the last expression: its value in a box with no prototype, read back as `box[0]`. An anonymous function or
 * class is the right side of a comma, so it is not named after the box's key (`{ 0: () => 1 }` names it '0'); any other
 * value stands alone in its parentheses, where V8 places an error in it as in the cell (on the right of a comma it puts
 * `undefinedVariable + 1`'s ReferenceError at the `+`).
 */
const COMPLETION_OPEN = 'return { __proto__: null, 0: (';
const COMPLETION_OPEN_ANONYMOUS = 'return { __proto__: null, 0: (0, ';
const COMPLETION_CLOSE = ') }';

export interface TransformedCell {
  code: string;
  /** Characters added before the user's code on line 1. */
  prologueLength: number;
  /** Names the cell declares at top level. */
  declared: string[];
  /** Those of them it declares constant: `const`, and import bindings (the rest it makes writable again). */
  constants: string[];
  /** Maps columns of edited lines back to the cell's own columns. */
  columns: ColumnMap;
  /** With `trackAsync`: the top-level `await`s, in the order of their ids (`awaitBase` + index). */
  awaits: AwaitSite[];
  /** Where the cell's first `using` (or `await using`) is, anywhere in it, if it has one (1-based line and column). */
  using?: { line: number; column: number };
}

/** A top-level `await` of a cell: where it is, and what it awaits (`await fetchAll()`). */
export interface AwaitSite {
  /** The line of the awaited expression (the line the hook call is on). */
  line: number;
  column: number;
  text: string;
  /** The column of the hook call on that line of the generated code. */
  generatedColumn: number;
}

export interface TransformOptions {
  instrumentLines?: boolean;
  /** Statement and await hooks (the Node, Deno and Bun kernels); `awaitBase` is the id of the first await site. */
  trackAsync?: { awaitBase: number };
  /** Deno: each loop that awaits calls LOOP_HOOK(loopHook) first in every turn (worker/runtime/loopStop.ts). */
  loopHook?: number;
  /** `import.meta` reads META_HOOK (the Node, Deno and Bun kernels); without it, it is refused in words (the Sandbox). */
  importMeta?: boolean;
  /** The top-level names earlier cells left constant (ConstantNames.ts keeps them from each cell's `constants`). */
  constants?: ReadonlySet<string>;
}

export class CellSyntaxError extends SyntaxError {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    /** The catalogue's code (protocol/codaErrors.ts) when CodaJS refuses what the language allows. */
    readonly code?: CodaErrorCode,
  ) {
    super(message);
    this.name = 'SyntaxError';
  }
}

export function transformCell(source: string, opts: TransformOptions = {}): TransformedCell {
  const ast = parseCell(source);
  const names = new Set<string>();
  const constants = new Set<string>();
  const lexical: LexicalName[] = [];
  const functions: string[] = [];
  const edits: Edit[] = [];
  const insert = (at: number, text: string): Edit & { output?: number } => {
    const edit = { start: at, end: at, text };
    edits.push(edit);
    return edit;
  };
  const body = ast.body as acorn.Statement[];
  let using: TransformedCell['using'];
  // first: insertions at an offset apply in the order made, and these go before (and inside) every other edit there
  const hooks = opts.trackAsync ? trackAsync(source, ast, opts.trackAsync.awaitBase, insert) : [];
  const strict = directives(body).includes('use strict');
  // the `var`s inside blocks and loops, as assignments: their closings at a declaration's end go inside those of the
  // completion value and Deno's loop hook (`if (ok) var x = 1` is wrapped in braces by both)
  nestedVars(ast, source, edits, insert, names);
  // a sloppy cell's functions declared in blocks are the script's too, from where their declaration is reached
  if (!strict) {
    for (const f of unlessTooDeep(() => blockFunctions(ast), [])) {
      names.add(f.id.name);
      insert(f.end, ` globalThis[${JSON.stringify(f.id.name)}] = ${f.id.name};`);
    }
  }
  const last = body[body.length - 1];
  // a last statement that is no expression: its completion value (closings inside the await hooks', outside none)
  const completion = statementCompletion(last, source, insert);
  // after the await hooks: a loop body's closing brace goes after an await hook's closing at the same offset
  if (opts.loopHook !== undefined) loopHooks(ast, `${LOOP_HOOK}(${opts.loopHook}); `, insert);
  // inside a loop body's braces, around the return after the last statement
  completion?.();

  for (const statement of body as (acorn.Statement | acorn.ModuleDeclaration)[]) {
    const node = withoutExport(statement, source, edits);
    if (!node) continue;
    switch (node.type) {
      case 'VariableDeclaration': {
        // `using` and `await using` stay where they are: the resource is the cell's, disposed as its body ends (as at
        // a module's top level), and no later cell sees a binding to a disposed resource
        if (node.kind === 'using' || node.kind === 'await using') break;
        asAssignments(node, source, edits, insert, names);
        for (const d of node.declarations) {
          if (node.kind === 'const') collectPatternNames(d.id, constants);
          if (node.kind !== 'var') lexical.push(...declaratorNames(d));
        }
        break;
      }
      case 'FunctionDeclaration':
        names.add(node.id.name);
        functions.push(node.id.name);
        break;
      case 'ClassDeclaration':
        names.add(node.id!.name);
        lexical.push({ name: node.id!.name, early: [[0, node.end]] });
        insert(node.start, `${node.id!.name} = `);
        insert(node.end, ';');
        break;
      case 'ImportDeclaration':
        edits.push({ start: node.start, end: node.end, text: importReplacement(node, source, names) });
        for (const spec of node.specifiers) constants.add(spec.local.name);
        break;
      default:
        break;
    }
  }

  edits.push(...unlessTooDeep(() => guardBindings(ast, { lexical, constants, declared: names, earlier: opts.constants }), []));

  // dynamic import() anywhere resolves like static imports do; import.meta is the notebook's
  forEachNode(ast, (n) => {
    // the first `using` (or `await using`), at the top level or in a block or function, for a runtime without them
    const kind = n.type === 'VariableDeclaration' ? (n as acorn.VariableDeclaration).kind : undefined;
    if (!using && (kind === 'using' || kind === 'await using')) using = { line: lineAt(source, n.start), column: columnAt(source, n.start) };
    if (n.type === 'ImportExpression') {
      edits.push({ start: n.start, end: n.start + 'import'.length, text: IMPORT_HOOK });
      const imp = n as acorn.ImportExpression;
      if (!imp.options && isJsonLiteral(imp.source)) edits.push({ start: imp.source.end, end: imp.source.end, text: JSON_OPTIONS });
    }
    if (n.type === 'MetaProperty' && (n as acorn.MetaProperty).meta.name === 'import') {
      if (!opts.importMeta) throw located('`import.meta` describes a module file, and the Sandbox has none', source, n.start);
      edits.push({ start: n.start, end: n.end, text: META_HOOK });
    }
  });

  for (const node of body) {
    if (node.type !== 'ExpressionStatement') continue;
    const isLast = node === last;
    const instrument = opts.instrumentLines && !(node as { directive?: string }).directive;
    if (!isLast && !instrument) continue;
    // the statement's own range keeps wrapping parentheses `({...})` inside; a trailing `;` stays outside
    const end = endBeforeSemicolon(source, node);
    // same-offset insertions apply in the order made: the completion box wraps the line hook
    if (isLast) insert(node.start, anonymousDefinition((node as acorn.ExpressionStatement).expression) ? COMPLETION_OPEN_ANONYMOUS : COMPLETION_OPEN);
    if (instrument) insert(node.start, `${LINE_HOOK}(${lineAt(source, end)}, (`);
    if (instrument) insert(end, '))');
    if (isLast) insert(end, COMPLETION_CLOSE);
  }

  const declared = [...names];
  const decl = declared.length ? `var ${declared.join(', ')}; ` : '';
  const hoist = functions.map((n) => `globalThis[${JSON.stringify(n)}] = ${n}; `).join('');
  // a cell that starts with "use strict" is strict code: the directive must stay the first statement of the body, ahead of
  // what the prologue adds (the completion variable, the hoisted functions), where it would be a plain string
  const directive = strict && (completion || hoist) ? '"use strict"; ' : '';
  const prologue = `${decl}(async () => { ${directive}${completion ? `let ${COMPLETION_VAR}; ` : ''}${hoist}`;
  const columns = new ColumnMap(source, edits);
  const code = `${prologue}${applyEdits(source, edits)}\n})()`;
  // where each await hook call landed in the generated code (an AbortError from Cancel points there)
  const awaits = hooks.map(({ site, edit }) => ({ ...site, generatedColumn: columnAt(code, prologue.length + (edit.output ?? 0)) }));
  return { code, prologueLength: prologue.length, declared, constants: [...constants], columns, awaits, ...(using && { using }) };
}

/**
 * A declaration as assignments to the script-level bindings (its names added to `names`): `const a = 1, b` becomes
 * `void (({ a } = { a: 1 }), (b = undefined))`; a `var` without an initializer keeps its value (`(b)`), as a `var`
 * declared again does.
 */
function asAssignments(node: acorn.VariableDeclaration, source: string, edits: Edit[], insert: (at: number, text: string) => Edit, names: Set<string>): void {
  edits.push({ start: node.start, end: node.start + node.kind.length, text: 'void (' });
  for (const d of node.declarations) {
    collectPatternNames(d.id, names);
    // `const r = init` as `({ r } = { r: init })`: `init` is named after the binding, as the declaration names
    // it, and V8 places an error in `init` where it is (for `(r = init)` it points at the assignment, before `r`)
    const name = d.id.type === 'Identifier' && d.init && d.id.name !== '__proto__' ? d.id.name : undefined;
    const equals = name ? equalsAfter(source, d.id.end) : -1;
    if (equals !== -1 && !source.slice(d.id.start, equals).includes('\n')) {
      edits.push({ start: d.id.start, end: equals + 1, text: `({ ${name} } = { ${name}:` });
      insert(d.end, ' })');
      continue;
    }
    insert(d.start, '(');
    if (d.init) insert(d.end, ')');
    else insert(d.end, node.kind === 'var' ? ')' : ' = undefined)');
  }
  insert(node.declarations[node.declarations.length - 1]!.end, ')');
}

/**
 * A `var` inside the cell's blocks, loops, `try`, `switch` and labelled statements (not in a function or class) is a
 * binding of the script, as in a script it would be: `for (var i = 0; …)` and `if (ok) { var found = … }` leave `i`
 * and `found` to later cells. Each such declaration becomes assignments to the script-level `var` (asAssignments), and
 * a `for…in`/`for…of` head loses its `var` (`for (x of xs)`).
 */
function nestedVars(ast: acorn.Program, source: string, edits: Edit[], insert: (at: number, text: string) => Edit, names: Set<string>): void {
  const topLevel = new Set<acorn.Node>(ast.body);
  for (const st of ast.body) if (st.type === 'ExportNamedDeclaration' && st.declaration) topLevel.add(st.declaration);
  const heads = new Set<acorn.Node>();
  forEachNode(ast, (node) => {
    const n = node as acorn.AnyNode;
    if (FUNCTIONS.has(n.type) || n.type === 'ClassDeclaration' || n.type === 'ClassExpression') return false;
    if ((n.type === 'ForInStatement' || n.type === 'ForOfStatement') && n.left.type === 'VariableDeclaration' && n.left.kind === 'var') {
      heads.add(n.left);
      for (const d of n.left.declarations) collectPatternNames(d.id, names);
      edits.push({ start: n.left.start, end: n.left.declarations[0]!.start, text: '' });
    }
    if (n.type === 'VariableDeclaration' && n.kind === 'var' && !topLevel.has(n) && !heads.has(n)) asAssignments(n, source, edits, insert, names);
    return true;
  });
}

/** The cell's directive prologue: the strings its first statements are (`'use strict'`). */
function directives(body: acorn.Node[]): string[] {
  const out: string[] = [];
  for (const node of body) {
    const directive = (node as { directive?: string }).directive;
    if (directive === undefined) break;
    out.push(directive);
  }
  return out;
}

const LOOPS = new Set(['WhileStatement', 'DoWhileStatement', 'ForStatement', 'ForInStatement', 'ForOfStatement']);
const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** `call` first in the body of every loop that awaits (in its head or body, not in a function inside it). */
function loopHooks(ast: acorn.Program, call: string, insert: (at: number, text: string) => Edit): void {
  forEachNode(ast, (n) => {
    if (!LOOPS.has(n.type) || !awaitsIn(n)) return true;
    const body = (n as acorn.Node & { body: acorn.Statement }).body;
    if (body.type === 'BlockStatement') insert(body.start + 1, ` ${call}`);
    else {
      insert(body.start, `{ ${call}`);
      insert(body.end, ' }');
    }
    return true;
  });
}

function awaitsIn(loop: acorn.Node): boolean {
  let found = (loop as { await?: boolean }).await === true;
  forEachNode(loop, (n) => {
    if (found || (n !== loop && FUNCTIONS.has(n.type))) return false;
    if (n.type === 'AwaitExpression') found = true;
    return !found;
  });
  return found;
}

/** The statement hooks and the top-level await hooks (see the file comment); returns the await sites. */
function trackAsync(
  source: string,
  ast: acorn.Program,
  base: number,
  insert: (at: number, text: string) => Edit & { output?: number },
): { site: Omit<AwaitSite, 'generatedColumn'>; edit: Edit & { output?: number } }[] {
  for (const node of ast.body) {
    if (node.type === 'EmptyStatement' || (node as { directive?: string }).directive !== undefined) continue;
    insert(node.start, `${STATEMENT_HOOK}(${lineAt(source, node.start)}, ${columnAt(source, node.start)}); `);
  }
  const found: acorn.AwaitExpression[] = [];
  forEachNode(ast, (n) => {
    if (FUNCTIONS.has(n.type)) return false;
    if (n.type === 'AwaitExpression') found.push(n as acorn.AwaitExpression);
    return true;
  });
  // an await inside another's operand (`await await x`) may end where it ends: the inner one closes first
  const starts = found.map((n) => insert(n.argument.start, `${AWAIT_HOOK}((`));
  for (let i = found.length - 1; i >= 0; i--) insert(found[i]!.argument.end, `), ${base + i})`);
  return found.map((n, i) => ({
    site: { line: lineAt(source, n.argument.start), column: columnAt(source, n.start), text: cutText(source.slice(n.start, n.end)) },
    edit: starts[i]!,
  }));
}

function cutText(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > MAX_AWAIT_TEXT ? `${line.slice(0, MAX_AWAIT_TEXT - 1)}…` : line;
}

const PARSE_OPTIONS: acorn.Options = {
  ecmaVersion: 'latest',
  sourceType: 'script',
  allowAwaitOutsideFunction: true,
  allowImportExportEverywhere: true,
  allowReturnOutsideFunction: false,
  allowHashBang: true,
};
/** What may follow an object literal that is the whole cell (no `;`: `{ a: 1 };` is a block, as in Node's REPL). */
const TRAILING = /^(?:\s|\/\/[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*$/;

/** The cell's syntax tree; a cell that does not parse throws CellSyntaxError, in the clearest words known for its fault. */
export function parseCell(source: string): acorn.Program {
  let program: acorn.Program;
  try {
    program = parseScript(source);
  } catch (err) {
    // pasted JSON (`{ "a": 1 }`) is no block: a cell that is one object literal shows it
    const literal = objectLiteralCell(source);
    if (literal) return literal;
    const e = err as { message?: string; pos?: number; loc?: { line: number; column: number } };
    // `@name` or `@(…)`: a decorator, which nothing on a cell's path compiles (the type removal leaves it in place)
    if (e.pos !== undefined && /^@[\p{ID_Start}$_(]/u.test(source.slice(e.pos, e.pos + 2))) {
      throw new CellSyntaxError(codaErrorMessage('DecoratorsUnsupported'), e.loc?.line ?? 1, (e.loc?.column ?? 0) + 1, 'DecoratorsUnsupported');
    }
    // `import data from './d.json' assert { type: 'json' }`: import attributes as they were first written
    if (e.pos !== undefined && /^assert\s*\{/.test(source.slice(e.pos)) && /['"]\s*$/.test(source.slice(0, e.pos))) {
      throw new CellSyntaxError(codaErrorMessage('ImportAssertionSyntax'), e.loc?.line ?? 1, (e.loc?.column ?? 0) + 1, 'ImportAssertionSyntax');
    }
    let message = String(e.message ?? err).replace(/\s*\(\d+:\d+\)$/, '');
    // a cell is no function (Observable's cells are): its value is its last expression
    if (message === "'return' outside of function") message += ": a cell's value is its last expression, written without return";
    const clearer = message === 'Unexpected token' && e.pos !== undefined ? syntaxMessage(source, e.pos, PARSE_OPTIONS) : undefined;
    if (clearer) throw located(clearer.message, source, clearer.pos);
    throw new CellSyntaxError(message, e.loc?.line ?? 1, (e.loc?.column ?? 0) + 1);
  }
  // a cell that is only `{ a: 1 }` reads as the object, as Node's REPL and the browser consoles read it
  return program.body.length === 1 && program.body[0]!.type === 'BlockStatement' ? (objectLiteralCell(source) ?? program) : program;
}

/**
 * The cell as a script. A top-level `using` is refused in a script, and a cell's body runs inside a function where it
 * is valid: such a cell is read with a module's rules instead (strict, which `using` code is written for anyway).
 */
function parseScript(source: string): acorn.Program {
  try {
    return acorn.parse(source, PARSE_OPTIONS);
  } catch (err) {
    if (!/Using declaration cannot appear in the top level/.test(String((err as Error).message))) throw err;
    return acorn.parse(source, { ...PARSE_OPTIONS, sourceType: 'module' });
  }
}

/** The cell as one expression statement when all of it is an object literal (and comments), else undefined. */
function objectLiteralCell(source: string): acorn.Program | undefined {
  const lead = OBJECT_LITERAL_START.exec(source);
  if (!lead) return undefined;
  let expression: acorn.Expression;
  try {
    expression = acorn.parseExpressionAt(source, lead[0].length - 1, PARSE_OPTIONS);
  } catch {
    return undefined;
  }
  if (expression.type !== 'ObjectExpression' || !TRAILING.test(source.slice(expression.end))) return undefined;
  const statement = { type: 'ExpressionStatement', start: expression.start, end: expression.end, expression } as acorn.ExpressionStatement;
  return { type: 'Program', start: 0, end: source.length, body: [statement], sourceType: 'script' } as acorn.Program;
}

/**
 * Module code pasted into a cell: `export const x = 1`, `export function f() {}`, `export default class C {}` declare
 * as they would without `export` (every top-level name is shared with later cells anyway), and `export { a, b }` or
 * `export {}` (TypeScript's module marker) has nothing to do. Returns the statement to transform, or undefined when it
 * was removed. A default export of a value and a re-export (`export … from`) have no name to share: refused.
 */
function withoutExport(node: acorn.Statement | acorn.ModuleDeclaration, source: string, edits: Edit[]): acorn.Statement | acorn.ModuleDeclaration | undefined {
  const named = node.type === 'ExportNamedDeclaration' && !node.source;
  const namedDefault =
    node.type === 'ExportDefaultDeclaration' &&
    (node.declaration.type === 'FunctionDeclaration' || node.declaration.type === 'ClassDeclaration') &&
    !!node.declaration.id;
  if (named && !node.declaration) {
    edits.push({ start: node.start, end: node.end, text: newlinesIn(source, node.start, node.end) });
    return undefined;
  }
  if ((named || namedDefault) && node.declaration) {
    edits.push({ start: node.start, end: node.declaration.start, text: newlinesIn(source, node.start, node.declaration.start) });
    return node.declaration as acorn.Statement;
  }
  if (node.type === 'ExportNamedDeclaration' || node.type === 'ExportDefaultDeclaration' || node.type === 'ExportAllDeclaration') {
    throw located(
      node.type === 'ExportDefaultDeclaration'
        ? '`export default` of a value has no name for later cells to use in a notebook cell: declare it instead (`const answer = …`)'
        : 'a re-export (`export … from`) has no meaning in a notebook cell: import the names instead (they are shared with later cells)',
      source,
      node.start,
    );
  }
  return node;
}

/** A syntax error at `offset` of `source`: its line and 1-based column, and the catalogue's code when CodaJS refuses. */
export function located(message: string, source: string, offset: number, code?: CodaErrorCode): CellSyntaxError {
  return new CellSyntaxError(message, lineAt(source, offset), columnAt(source, offset), code);
}

/** The line ends of `source` from `start` to `end`: what stands in for text removed there, so later lines keep their numbers. */
function newlinesIn(source: string, start: number, end: number): string {
  return source.slice(start, end).replace(/[^\n]/g, '');
}

/**
 * A `.json` file a cell imports without `with { type: 'json' }` gets it: Node and Deno refuse such an import ("needs an
 * import attribute of type json"), while the editor's types, Bun and bundlers take it.
 */
const JSON_OPTIONS = ", { with: { type: 'json' } }";
const isJsonLiteral = (node: acorn.Node) =>
  node.type === 'Literal' && typeof (node as acorn.Literal).value === 'string' && /\.json(?:[?#].*)?$/i.test((node as acorn.Literal).value as string);

/**
 * What a name no module export answers to throws, in Node's words for a module file's import (where it fails as the
 * module links): the cell stops at its import, instead of going on with `undefined`.
 */
function noExport(spec: unknown, name: string): string {
  const message = `The requested module '${String(spec)}' does not provide an export named '${name}'`;
  return `throw new SyntaxError(${JSON.stringify(message)});`;
}

function importReplacement(node: acorn.ImportDeclaration, source: string, names: Set<string>): string {
  const spec = JSON.stringify(node.source.value);
  const parts: string[] = [];
  for (const s of node.specifiers) {
    names.add(s.local.name);
    // a CommonJS module compiled from an ES module gives its own default, as `* as` does (interopNamespace.ts)
    if (s.type === 'ImportDefaultSpecifier')
      parts.push(`if (!('default' in __m)) ${noExport(node.source.value, 'default')} ${s.local.name} = ${DEFAULT_HOOK}(__m);`);
    // a CommonJS module reads as TypeScript's esModuleInterop makes it, on every Node (interopNamespace.ts)
    else if (s.type === 'ImportNamespaceSpecifier') parts.push(`${s.local.name} = ${NAMESPACE_HOOK}(__m);`);
    else {
      // a name Node's static analysis of a CommonJS module missed (lodash, UMD bundles) is read from its exports
      const name = s.imported.type === 'Identifier' ? s.imported.name : String(s.imported.value);
      const imported = JSON.stringify(name);
      parts.push(
        `if (${imported} in __m) ${s.local.name} = __m[${imported}]; else if (__m.default != null && ${imported} in Object(__m.default)) ${s.local.name} = __m.default[${imported}]; else ${noExport(node.source.value, name)}`,
      );
    }
  }
  // import attributes (`with { type: 'json' }`) go along as the options of a dynamic import
  const attributes = node.attributes?.length
    ? `, { with: ${JSON.stringify(Object.fromEntries(node.attributes.map((a) => [a.key.type === 'Identifier' ? a.key.name : String(a.key.value), String(a.value.value)])))} }`
    : isJsonLiteral(node.source)
      ? JSON_OPTIONS
      : '';
  const call = `${IMPORT_HOOK}(${spec}${attributes})`;
  const text = parts.length ? `{ const __m = await ${call}; ${parts.join(' ')} }` : `await ${call};`;
  // keep the lines the statement spanned
  return text + newlinesIn(source, node.start, node.end);
}

/**
 * Where the `=` of a declarator is, after its name ends at `from` (only spaces, where types were, and comments lie
 * between them); -1 when something else is there.
 */
function equalsAfter(source: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < source.length && /\s/.test(source[i]!)) i++;
    if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end === -1) return -1;
      i = end + 2;
    } else if (source.startsWith('//', i)) {
      const end = source.indexOf('\n', i);
      if (end === -1) return -1;
      i = end + 1;
    } else return source[i] === '=' ? i : -1;
  }
}
