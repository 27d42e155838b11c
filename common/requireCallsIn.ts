import type * as acorn from 'acorn';
import { forEachNode } from './forEachNode';

/**
 * The `require('x')` calls of a syntax tree whose argument is a string (a literal, or a template without expressions),
 * with where each call starts: the packages a cell needs (host/deps/analyzeDependencies.ts), the modules a helper
 * reaches (worker/node/moduleSyntaxSite.ts).
 */
export function requireCallsIn(tree: acorn.Node): { specifier: string; offset: number }[] {
  const out: { specifier: string; offset: number }[] = [];
  forEachNode(tree, (node) => {
    if (node.type !== 'CallExpression') return;
    const call = node as acorn.CallExpression;
    if (call.callee.type !== 'Identifier' || call.callee.name !== 'require' || call.arguments.length !== 1) return;
    const arg = call.arguments[0]!;
    if (arg.type === 'Literal' && typeof arg.value === 'string') out.push({ specifier: arg.value, offset: call.start });
    else if (arg.type === 'TemplateLiteral' && arg.expressions.length === 0) out.push({ specifier: arg.quasis[0]!.value.cooked ?? '', offset: call.start });
  });
  return out;
}
