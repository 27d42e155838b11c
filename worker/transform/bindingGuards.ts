/**
 * The uses of a cell's top-level bindings that the language refuses, which the cell transform would otherwise let
 * through: it makes every top-level declaration a script-level `var` so that it outlives the cell, and a `var` is
 * neither constant nor in a temporal dead zone. Each such use is rewritten to go through a guard
 * (worker/runtime/makeBindingGuard.ts: `c = 2` becomes `__coda$constant("c").value = 2`), which throws V8's own error
 * where V8 would:
 * - an assignment to a constant binding (the cell's `const`s and import bindings, and those earlier cells left constant
 *   that it does not declare again): `TypeError: Assignment to constant variable.`, for every form of assignment
 *   (compound, logical, which assigns and throws only when it would, `++`, a destructuring or `for…of` target), in
 *   functions too, after the right side ran, as V8's does;
 * - a use of the cell's `let`, `const` or `class` before its declaration ran: `ReferenceError: Cannot access 'x'
 *   before initialization` (`console.log(total); const total = 1`, `let n = n + 1` in a cell run again, which read the
 *   last run's value). Found where the use runs before the declaration for certain: at the top level ahead of it, or
 *   in its own initializer, outside any function (a function may be called later; a class's static parts and computed
 *   keys run where the class is). The use in a function called too early still reads the `var`, as before.
 *
 * A name a function, block, parameter or `catch` declares is another binding, left alone (freeReferences.ts). Edits
 * only replace the identifier with a member expression, valid wherever the identifier was (a target, after a line
 * without `;`; the callee of `new` in parentheses); a shorthand property is written out. Every other position on the
 * line stays mapped.
 */
import type * as acorn from 'acorn';
import { forEachNode } from '../../common/forEachNode';
import type { Edit } from './ColumnMap';
import { freeReferences } from './freeReferences';

/** The globals the kernels define as makeBindingGuard()'s two guards. */
export const CONSTANT_HOOK = '__coda$constant';
export const UNINITIALIZED_HOOK = '__coda$uninitialized';

/** A top-level `let`, `const` or `class` name of the cell, and the ranges of the cell where a use of it runs too early. */
export interface LexicalName {
  name: string;
  early: [number, number][];
}

export interface CellBindings {
  /** The cell's top-level lexical names (not its functions, `var`s or imports, which are initialized from the start). */
  lexical: LexicalName[];
  /** The cell's constant names: its `const`s and import bindings. */
  constants: ReadonlySet<string>;
  /** Every name the cell declares at top level. */
  declared: ReadonlySet<string>;
  /** The names earlier cells left constant (TransformOptions.constants). */
  earlier?: ReadonlySet<string>;
}

/** The edits that route the refused uses through the guards (none to make: an empty list). */
export function guardBindings(ast: acorn.Program, cell: CellBindings): Edit[] {
  const edits: Edit[] = [];
  const constant = new Set(cell.constants);
  for (const name of cell.earlier ?? []) if (!cell.declared.has(name)) constant.add(name);
  if (!constant.size && !cell.lexical.length) return edits;
  const early = new Map(cell.lexical.map((l) => [l.name, l.early]));
  const { deferred, constructed } = laterCode(ast);
  const body = {
    type: 'FunctionExpression',
    start: ast.start,
    end: ast.end,
    params: [],
    body: { type: 'BlockStatement', start: ast.start, end: ast.end, body: ast.body },
  };
  for (const { id, shorthand, write } of freeReferences(body as unknown as acorn.FunctionExpression, true)) {
    const tooEarly = within(early.get(id.name), id.start) && !within(deferred, id.start);
    if (!tooEarly && !(write && constant.has(id.name))) continue;
    const guarded = `${tooEarly ? UNINITIALIZED_HOOK : CONSTANT_HOOK}(${JSON.stringify(id.name)}).value`;
    // `new K()` would read as `new (guard(…))` followed by `.value()`
    const target = constructed.has(id.start) ? `(${guarded})` : guarded;
    edits.push({ start: id.start, end: id.end, text: shorthand ? `${id.name}: ${target}` : target });
  }
  return edits;
}

const within = (ranges: [number, number][] | undefined, at: number) => !!ranges?.some(([from, to]) => from <= at && at < to);

/**
 * Where a use of each name a top-level `let` or `const` declarator binds runs before the name is initialized: from the
 * cell's start to the end of the name's own element of the pattern (its default included: `{ a, b = a }` reads an `a`
 * already set), and in the declarator's initializer, which runs before any of its names is set.
 */
export function declaratorNames(d: acorn.VariableDeclarator): LexicalName[] {
  const out: LexicalName[] = [];
  const visit = (p: acorn.Pattern, end: number): void => {
    switch (p.type) {
      case 'Identifier':
        out.push({
          name: p.name,
          early: d.init
            ? [
                [0, end],
                [d.init.start, d.init.end],
              ]
            : [[0, end]],
        });
        return;
      case 'AssignmentPattern':
        return visit(p.left, p.end);
      case 'ObjectPattern':
        for (const prop of p.properties) visit(prop.type === 'RestElement' ? prop.argument : prop.value, prop.end);
        return;
      case 'ArrayPattern':
        for (const el of p.elements) if (el) visit(el, el.end);
        return;
      case 'RestElement':
        return visit(p.argument, p.end);
      default:
        return;
    }
  };
  visit(d.id, d.id.end);
  return out;
}

/**
 * The ranges of code that runs later than where it stands (function bodies, instance fields' initializers), and where
 * an identifier is what `new` calls.
 */
function laterCode(ast: acorn.Program): { deferred: [number, number][]; constructed: Set<number> } {
  const ranges: [number, number][] = [];
  const constructed = new Set<number>();
  forEachNode(ast, (node) => {
    const n = node as acorn.AnyNode;
    if (n.type === 'NewExpression' && n.callee.type === 'Identifier') constructed.add(n.callee.start);
    if (n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression') {
      ranges.push([n.start, n.end]);
      return false;
    }
    if (n.type === 'PropertyDefinition' && !n.static && n.value) ranges.push([n.value.start, n.value.end]);
    return true;
  });
  return { deferred: ranges, constructed };
}
