/**
 * The value of a cell that ends in a statement other than an expression, as Node's REPL and Deno's (and its Jupyter
 * kernel) show it: the statement's completion value. `try { JSON.parse(s) } catch { 'invalid' }`, `if (ok) { a }
 * else { b }`, `switch`, a block, a loop (its last turn's value) and a labelled one. A cell's body runs in an async
 * function (top-level await), which has no completion value, so each expression statement that can give the
 * statement's value assigns it to COMPLETION_VAR, and the body returns that. Following the language's rules:
 * - an `if`, `switch`, loop, `try` or `with` inside gives `undefined` unless what ran in it gave a value (each resets
 *   the variable first);
 * - a `finally` block gives nothing (its expression statements are left alone), nor do declarations, functions and
 *   classes.
 * Lines and columns stay where they were: only insertions, on the statements' own lines.
 */
import { unlessTooDeep } from './unlessTooDeep';
import type * as acorn from 'acorn';
import type { Edit } from './ColumnMap';
import { endBeforeSemicolon } from '../../common/sourcePosition';

/** The cell body's variable holding the value so far (declared by transformCell's prologue). */
export const COMPLETION_VAR = '__coda$completion';

type Insert = (at: number, text: string) => Edit;

/** An anonymous function or class: named after what it is assigned to, unless it is the right side of a comma. */
export function anonymousDefinition(e: acorn.Expression): boolean {
  return e.type === 'ArrowFunctionExpression' || ((e.type === 'FunctionExpression' || e.type === 'ClassExpression') && !e.id);
}

/** The statements that give a completion value of their own, which reset it first. */
const RESETS = new Set([
  'IfStatement',
  'SwitchStatement',
  'TryStatement',
  'WithStatement',
  'ForStatement',
  'ForInStatement',
  'ForOfStatement',
  'WhileStatement',
  'DoWhileStatement',
]);
/** A cell ending in one of these gets its completion value. */
const COMPLETING = new Set([...RESETS, 'BlockStatement', 'LabeledStatement']);

interface Site {
  node: acorn.Node;
  /** Assign the expression's value (`assign`), or reset before the statement, wrapped in braces when it stands alone. */
  kind: 'assign' | 'reset';
  braces?: boolean;
}

/**
 * For `last`, a cell's last statement: undefined when it is an expression statement or gives no value. Otherwise the
 * closing insertions are made now and the returned function makes the opening ones and the `return` after `last`:
 * the caller calls it once its own edits that must lie outside these at the same offsets (a loop hook's braces) are
 * made, and the await hooks, which lie inside, before this.
 */
export function statementCompletion(last: acorn.Statement | undefined, source: string, insert: Insert): (() => void) | undefined {
  if (!last || !COMPLETING.has(last.type)) return undefined;
  const sites: Site[] = [];
  // (no value for a statement nested deeper than the walk can follow, rather than a RangeError of the transform's)
  if (!unlessTooDeep(() => (collect(last, sites, true, false), true), false)) return undefined;
  // inner ones first (sites are in source order, outer ones first): at one offset, the closings made first are inside
  for (const site of [...sites].reverse()) {
    if (site.kind === 'assign') {
      insert(endBeforeSemicolon(source, site.node), ')');
    } else if (site.braces) insert(site.node.end, ' }');
  }
  return () => {
    for (const site of sites) {
      if (site.kind === 'assign') {
        const open = anonymousDefinition((site.node as acorn.ExpressionStatement).expression) ? '(0, ' : '(';
        insert(site.node.start, `${COMPLETION_VAR} = ${open}`);
      } else insert(site.node.start, `${site.braces ? '{ ' : ''}${COMPLETION_VAR} = void 0; `);
    }
    insert(last.end, `; return { __proto__: null, 0: ${COMPLETION_VAR} };`);
  };
}

/**
 * The sites of `node` and the statements in it whose completion is the cell's. `root`: the cell's last statement
 * (its variable starts undefined: no reset); `alone`: in a place that takes one statement (a branch, a loop's body).
 */
function collect(node: acorn.Node, sites: Site[], root: boolean, alone: boolean, labelled = false): void {
  if (!root && !labelled && RESETS.has(node.type)) sites.push({ node, kind: 'reset', braces: alone });
  switch (node.type) {
    case 'ExpressionStatement':
      sites.push({ node, kind: 'assign' });
      return;
    case 'BlockStatement':
      for (const s of (node as acorn.BlockStatement).body) collect(s, sites, false, false);
      return;
    case 'IfStatement': {
      const n = node as acorn.IfStatement;
      collect(n.consequent, sites, false, true);
      if (n.alternate) collect(n.alternate, sites, false, true);
      return;
    }
    case 'SwitchStatement':
      for (const c of (node as acorn.SwitchStatement).cases) for (const s of c.consequent) collect(s, sites, false, false);
      return;
    case 'TryStatement': {
      const n = node as acorn.TryStatement;
      collect(n.block, sites, false, false);
      if (n.handler) collect(n.handler.body, sites, false, false);
      // the finally block's own value never is the statement's (but when it ends abruptly, which gives none)
      return;
    }
    case 'LabeledStatement': {
      const body = (node as acorn.LabeledStatement).body;
      let inner: acorn.Node = body;
      while (inner.type === 'LabeledStatement') inner = (inner as acorn.LabeledStatement).body;
      // the reset goes before the labels: `l: { reset; for … continue l }` would label the block, not the loop
      if (!root && !labelled && RESETS.has(inner.type)) sites.push({ node, kind: 'reset', braces: alone });
      collect(body, sites, root, false, true);
      return;
    }
    case 'WithStatement':
    case 'ForStatement':
    case 'ForInStatement':
    case 'ForOfStatement':
    case 'WhileStatement':
    case 'DoWhileStatement':
      collect((node as acorn.Node & { body: acorn.Statement }).body, sites, false, true);
      return;
    default:
      // declarations, functions, classes, break, continue, throw, return, debugger, empty: no value
      return;
  }
}
