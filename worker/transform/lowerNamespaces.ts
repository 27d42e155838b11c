/**
 * TypeScript namespaces that hold values (`namespace Geometry { export const unit = 1; export function area() {} }`),
 * which sucrase reads as types and removes whole: compiled as TypeScript compiles them, an object filled by a function
 * (`var Geometry; (function (Geometry) { … })(Geometry || (Geometry = {}))`, so a later cell's `namespace Geometry`
 * adds to it), every line kept:
 * - before the types are removed, `namespace N {` and its `}` become the function's start and call, and each `export`
 *   in its body turns to spaces (where its declaration starts is kept);
 * - after, each exported declaration is made a member of the object, on its own last line: a function, a class or a
 *   nested namespace by assignment, a variable through a getter and a setter (the body keeps using the variable; what
 *   reads `N.x` sees its value now); an exported nested namespace starts from the member its other declarations made;
 * - a name a declaration uses and does not declare, which another declaration of the namespace exports, is read as
 *   `N.x` (exportNamespaceMembers).
 * A namespace with a dotted name (`namespace A.B`) or an `export import` is refused, as before (valueNamespace.ts).
 */
import type * as acorn from 'acorn';
import { applyEdits, ColumnMap, type Columns, type Edit } from './ColumnMap';
import { forEachNode } from '../../common/forEachNode';
import { parseCell } from './transformCell';
import { withoutDecorators } from './lowerDecorators';
import { closingBrace, type SucraseParser } from './valueNamespace';
import { freeReferences } from './freeReferences';

/** The extra parameter that marks a namespace's function as CodaJS's (sucrase's enums have the same shape). */
const MARK = '__coda$namespace';

export interface NamespacePlan {
  /** Where the declaration after each `export` in a namespace's body starts, in the cell. */
  exported: Set<number>;
  /** By namespace: the names its `export enum`, `function`, `class` and `namespace` declare (an enum becomes a `var`). */
  names: Map<string, Set<string>>;
}

/**
 * `ts` with its value namespaces opened into functions, and how its columns map back to `ts`; undefined when it has
 * none this compiles.
 */
export function openNamespaces(
  s: SucraseParser,
  ts: string,
  jsx: boolean,
  holdsValues: (body: string) => boolean,
): { source: string; plan: NamespacePlan; columns: Columns } | undefined {
  if (!/\b(?:namespace|module)\b/.test(ts)) return undefined;
  const { TokenType: T, ContextualKeyword: K } = s;
  let tokens: ReturnType<SucraseParser['parse']>['tokens'];
  try {
    tokens = s.parse(ts, jsx, true, false).tokens;
  } catch {
    return undefined;
  }
  const edits: Edit[] = [];
  const exported = new Set<number>();
  const names = new Map<string, Set<string>>();
  const is = (t: (typeof tokens)[number] | undefined, keyword: number) => t?.type === T.name && t.contextualKeyword === keyword;
  /** The namespaces opened around the token at hand, innermost last, with the index of the brace that closes each. */
  const around: { id: string; close: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    while (around.length && around[around.length - 1]!.close < i) around.pop();
    const t = tokens[i]!;
    if (!t.isType || !(is(t, K._namespace) || is(t, K._module))) continue;
    if (tokens[i - 1]?.type === T._declare) continue;
    const name = tokens[i + 1];
    const open = tokens[i + 2];
    // `namespace N {` only: a dotted name (or `module "x"`) stays for valueNamespace.ts to refuse
    if (name?.type !== T.name || open?.type !== T.braceL) continue;
    const close = closingBrace(s, tokens, i + 2);
    if (close === undefined) return undefined;
    if (!holdsValues(ts.slice(open.end, tokens[close]!.start))) continue;
    const id = ts.slice(name.start, name.end);
    // one exported from the namespace around it starts from that namespace's member, so that its declarations in other
    // cells add to one object (TypeScript's `B = A.B || (A.B = {})`)
    const parent = exported.has(t.start) ? around[around.length - 1]?.id : undefined;
    edits.push({ start: t.start, end: open.end, text: `var ${id}${parent ? ` = ${parent}.${id}` : ''}; (function (${id}, ${MARK}) {` });
    around.push({ id, close });
    edits.push({ start: tokens[close]!.start, end: tokens[close]!.end, text: `})(${id} || (${id} = {}));` });
    // its body's own `export`s (not those of a namespace nested in it, which has its own turn)
    let depth = 0;
    for (let j = i + 3; j < close; j++) {
      const type = tokens[j]!.type;
      if (type === T.braceL || type === T.dollarBraceL) depth++;
      else if (type === T.braceR) depth--;
      else if (type === T._export && depth === 0 && tokens[j + 1]) {
        edits.push({ start: tokens[j]!.start, end: tokens[j]!.end, text: ' '.repeat(tokens[j]!.end - tokens[j]!.start) });
        exported.add(tokens[j + 1]!.start);
        const declared = tokens[j + 2];
        if (declared?.type === T.name && [T._enum, T._function, T._class].includes(tokens[j + 1]!.type)) {
          if (!names.has(id)) names.set(id, new Set());
          names.get(id)!.add(ts.slice(declared.start, declared.end));
        }
      }
    }
  }
  if (!edits.length) return undefined;
  return { source: applyEdits(ts, edits), plan: { exported, names }, columns: new ColumnMap(ts, edits) };
}

/** The members each namespace's declarations in earlier cells exported, by namespace (for one kernel's cells). */
export type NamespaceMembers = Map<string, Set<string>>;

/**
 * `js` (the types removed from the opened cell) with each exported declaration of its namespaces made a member, and how
 * the result's columns map back to `js` (undefined: unchanged); `cellOffset` says where an offset of `js` is in the cell.
 * A name one declaration of a namespace uses and does not declare, which another declaration of it exports (in this
 * cell, or in an earlier one: `known`, which is then told this cell's), is read as the member, `N.x`, as TypeScript reads
 * it; a namespace inside another is left out of this (its declarations elsewhere are not looked for).
 */
export function exportNamespaceMembers(
  js: string,
  plan: NamespacePlan,
  cellOffset: (js: number) => number,
  jsx = false,
  known: NamespaceMembers = new Map(),
): { code: string; edits?: Columns } {
  // (decorators, which lowerDecorators.ts compiles next, read as spaces)
  const program = parseCell(withoutDecorators(js, jsx));
  const edits: Edit[] = [];
  const blocks: { ns: string; fn: acorn.FunctionExpression; exports: Set<string>; nested: boolean }[] = [];
  forEachNode(program, (node) => {
    if (node.type !== 'CallExpression') return;
    const callee = (node as acorn.CallExpression).callee;
    if (callee.type !== 'FunctionExpression' || callee.params.length !== 2) return;
    const [param, mark] = callee.params;
    if (param?.type !== 'Identifier' || mark?.type !== 'Identifier' || mark.name !== MARK) return;
    const ns = param.name;
    const named = plan.names.get(ns);
    const declares = (st: acorn.Statement) =>
      st.type === 'VariableDeclaration' ? st.declarations.some((d) => d.id.type === 'Identifier' && named?.has(d.id.name)) : false;
    const exports = new Set<string>();
    for (const statement of callee.body.body) {
      if (!plan.exported.has(cellOffset(statement.start)) && !declares(statement)) continue;
      const members: string[] = [];
      if (statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') {
        if (statement.id) {
          members.push(`${ns}.${statement.id.name} = ${statement.id.name};`);
          exports.add(statement.id.name);
        }
      } else if (statement.type === 'VariableDeclaration') {
        for (const d of statement.declarations) {
          if (d.id.type !== 'Identifier') continue;
          const x = d.id.name;
          exports.add(x);
          members.push(
            `Object.defineProperty(${ns}, ${JSON.stringify(x)}, { get: () => ${x}, set: (v) => { ${x} = v; }, enumerable: true, configurable: true });`,
          );
        }
      }
      if (members.length) edits.push({ start: statement.end, end: statement.end, text: `; ${members.join(' ')}` });
    }
    blocks.push({ ns, fn: callee, exports, nested: blocks.some((b) => b.fn.start < callee.start && callee.end <= b.fn.end) });
  });
  const outer = blocks.filter((b) => !b.nested);
  for (const block of outer) {
    // what the namespace's other declarations export, here and in earlier cells, less what this one declares itself
    const elsewhere = new Set(known.get(block.ns));
    for (const other of outer) if (other !== block && other.ns === block.ns) for (const x of other.exports) elsewhere.add(x);
    if (!elsewhere.size) continue;
    for (const { id, shorthand } of freeReferences(block.fn)) {
      if (!elsewhere.has(id.name)) continue;
      edits.push({ start: id.start, end: id.end, text: shorthand ? `${id.name}: ${block.ns}.${id.name}` : `${block.ns}.${id.name}` });
    }
  }
  for (const block of outer) {
    let members = known.get(block.ns);
    if (!members) known.set(block.ns, (members = new Set()));
    for (const x of block.exports) members.add(x);
  }
  if (!edits.length) return { code: js };
  return { code: applyEdits(js, edits), edits: new ColumnMap(js, edits) };
}
