/**
 * The functions a sloppy cell declares in a block that a script would also make global (the web-compatibility rule of
 * ECMAScript's Annex B.3.3, which V8 follows in sloppy code): `if (ok) { function helper() {} }` leaves `helper` to
 * later cells, set when its declaration is reached. Only where a `var` of that name would be valid: a plain function
 * (not async, not a generator) directly in a block or a `switch` case, outside functions and classes, whose name no
 * `let`, `const` or `class` of an enclosing block, or of the cell's top level, declares. Pure: reads an acorn tree.
 */
import type * as acorn from 'acorn';
import { collectPatternNames } from './patternNames';

type AnyNode = acorn.Node & Record<string, unknown>;

export function blockFunctions(ast: acorn.Program): acorn.FunctionDeclaration[] {
  const found: acorn.FunctionDeclaration[] = [];
  const lexicalOf = (statements: acorn.Node[]): Set<string> => {
    const names = new Set<string>();
    for (const st of statements as acorn.AnyNode[]) {
      if (st.type === 'VariableDeclaration' && st.kind !== 'var') for (const d of st.declarations) collectPatternNames(d.id, names);
      else if (st.type === 'ClassDeclaration' && st.id) names.add(st.id.name);
    }
    return names;
  };
  const shadowed = (name: string, scopes: Set<string>[]) => scopes.some((s) => s.has(name));

  const visit = (node: AnyNode, scopes: Set<string>[], inBlock: boolean): void => {
    const n = node as unknown as acorn.AnyNode;
    if (n.type === 'FunctionDeclaration') {
      if (inBlock && n.id && !n.async && !n.generator && !shadowed(n.id.name, scopes)) found.push(n as acorn.FunctionDeclaration);
      return;
    }
    if (n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression' || n.type === 'ClassDeclaration' || n.type === 'ClassExpression') return;
    if (n.type === 'BlockStatement' || n.type === 'StaticBlock') {
      const inner = [...scopes, lexicalOf(n.body)];
      for (const st of n.body) visit(st as unknown as AnyNode, inner, true);
      return;
    }
    if (n.type === 'SwitchStatement') {
      visit(n.discriminant as unknown as AnyNode, scopes, false);
      const inner = [...scopes, lexicalOf(n.cases.flatMap((c) => c.consequent))];
      for (const c of n.cases) {
        if (c.test) visit(c.test as unknown as AnyNode, inner, false);
        for (const st of c.consequent) visit(st as unknown as AnyNode, inner, true);
      }
      return;
    }
    let inner = scopes;
    if ((n.type === 'ForStatement' || n.type === 'ForInStatement' || n.type === 'ForOfStatement') && (n.type === 'ForStatement' ? n.init : n.left)) {
      const head = (n.type === 'ForStatement' ? n.init : n.left) as acorn.AnyNode;
      if (head.type === 'VariableDeclaration' && head.kind !== 'var') inner = [...scopes, lexicalOf([head])];
    }
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'loc' || key === 'range') continue;
      const child = node[key];
      if (Array.isArray(child))
        for (const c of child) if (c && typeof c === 'object' && typeof (c as AnyNode).type === 'string') visit(c as AnyNode, inner, false);
      if (child && typeof child === 'object' && !Array.isArray(child) && typeof (child as AnyNode).type === 'string') visit(child as AnyNode, inner, false);
    }
  };
  const top = [lexicalOf(ast.body)];
  for (const st of ast.body) visit(st as unknown as AnyNode, top, false);
  return found;
}
