/**
 * The names a function's code uses without declaring them itself: every identifier it reads or writes that its
 * parameters, and the declarations of its body and of each function, block, loop, `catch`, `switch` and class inside
 * it, do not bind (`var` for the whole function, `let`, `const`, `class` and `function` for their block, as JavaScript
 * scopes them). A TypeScript namespace's function (lowerNamespaces.ts) names the members its other declarations
 * export this way, as TypeScript reads them. Pure: reads an acorn tree.
 */
import type * as acorn from 'acorn';
import { forEachNode } from '../../common/forEachNode';
import { collectPatternNames } from './patternNames';

export interface FreeReference {
  id: acorn.Identifier;
  /** The property `{ x }` whose shorthand value the identifier is (written out in full when it is renamed). */
  shorthand?: acorn.Property | acorn.AssignmentProperty;
  /** The identifier is assigned to: `x = 1`, `x += 1`, `x++`, `[x] = a`, `({ x } = o)`, `for (x of xs)`. */
  write?: true;
}

interface Scope {
  names: Set<string>;
  parent?: Scope;
}

type AnyNode = acorn.Node & Record<string, unknown>;

/**
 * `topLevel`: the function is a cell's body (a script's top level), whose own declarations are the cell's top-level
 * bindings: they are not bound here, so its uses of them are listed too (a cell's declarations are the kernel's globals).
 */
export function freeReferences(fn: acorn.Function, topLevel = false): FreeReference[] {
  const found: FreeReference[] = [];
  const root: Scope = { names: new Set() };
  const bound = (name: string, scope: Scope | undefined) => {
    for (let s = scope; s; s = s.parent) if (s.names.has(name)) return true;
    return false;
  };
  const reference = (id: acorn.Identifier, scope: Scope, shorthand?: FreeReference['shorthand'], write?: boolean) => {
    if (!bound(id.name, scope)) found.push({ id, ...(shorthand && { shorthand }), ...(write && { write: true as const }) });
  };

  /** A function's scope: its parameters, its body's `var`s and the declarations at its body's top. */
  const functionScope = (f: acorn.Function, parent: Scope): Scope => {
    const scope: Scope = { names: new Set(), parent };
    for (const p of f.params) collectPatternNames(p, scope.names);
    if (f.body.type === 'BlockStatement' && !(topLevel && f === fn)) {
      collectVars(f.body, scope.names);
      declareBlock(f.body.body, scope.names);
    }
    return scope;
  };
  const visitFunction = (f: acorn.Function, outer: Scope) => {
    const scope = functionScope(f, outer);
    // a named function expression sees its own name
    if (f.type === 'FunctionExpression' && f.id) scope.parent = { names: new Set([f.id.name]), parent: outer };
    for (const p of f.params) visitPattern(p, scope, true);
    if (f.body.type === 'BlockStatement') for (const st of f.body.body) visit(st, scope);
    else visit(f.body, scope);
  };

  /** A pattern: its identifiers are bindings (`declares`) or targets of an assignment; defaults and computed keys are read. */
  const visitPattern = (p: acorn.Pattern, scope: Scope, declares: boolean): void => {
    switch (p.type) {
      case 'Identifier':
        if (!declares) reference(p, scope, undefined, true);
        return;
      case 'ObjectPattern':
        for (const prop of p.properties) {
          if (prop.type === 'RestElement') visitPattern(prop.argument, scope, declares);
          else {
            if (prop.computed) visit(prop.key, scope);
            const v = prop.value;
            // a shorthand target, with a default or not (`({ x } = o)`, `({ x = 1 } = o)`), is renamed with its key
            if (!declares && prop.shorthand && v.type === 'Identifier') reference(v, scope, prop, true);
            else if (!declares && prop.shorthand && v.type === 'AssignmentPattern' && v.left.type === 'Identifier') {
              reference(v.left, scope, prop, true);
              visit(v.right, scope);
            } else visitPattern(v, scope, declares);
          }
        }
        return;
      case 'ArrayPattern':
        for (const el of p.elements) if (el) visitPattern(el, scope, declares);
        return;
      case 'AssignmentPattern':
        visitPattern(p.left, scope, declares);
        visit(p.right, scope);
        return;
      case 'RestElement':
        visitPattern(p.argument, scope, declares);
        return;
      default:
        // a member expression as an assignment target
        visit(p, scope);
    }
  };

  const visit = (node: acorn.Node | null | undefined, scope: Scope): void => {
    if (!node) return;
    const n = node as AnyNode & acorn.AnyNode;
    switch (n.type) {
      case 'Identifier':
        reference(n, scope);
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        visitFunction(n, scope);
        return;
      case 'ClassDeclaration':
      case 'ClassExpression': {
        if (n.superClass) visit(n.superClass, scope);
        const inner: Scope = n.id ? { names: new Set([n.id.name]), parent: scope } : scope;
        for (const el of n.body.body) visit(el, inner);
        return;
      }
      case 'BlockStatement':
      case 'StaticBlock':
        visitBlock(n.body, scope);
        return;
      case 'SwitchStatement': {
        visit(n.discriminant, scope);
        const inner: Scope = { names: new Set(), parent: scope };
        declareBlock(
          n.cases.flatMap((c) => c.consequent),
          inner.names,
        );
        for (const c of n.cases) {
          visit(c.test, inner);
          for (const st of c.consequent) visit(st, inner);
        }
        return;
      }
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const head = n.type === 'ForStatement' ? n.init : n.left;
        const inner: Scope = { names: new Set(), parent: scope };
        if (head?.type === 'VariableDeclaration' && head.kind !== 'var') for (const d of head.declarations) collectPatternNames(d.id, inner.names);
        if (n.type === 'ForStatement') {
          visit(n.init, inner);
          visit(n.test, inner);
          visit(n.update, inner);
        } else {
          if (n.left.type === 'VariableDeclaration') visit(n.left, inner);
          else visitPattern(n.left, inner, false);
          visit(n.right, inner);
        }
        visit(n.body, inner);
        return;
      }
      case 'CatchClause': {
        const inner: Scope = { names: new Set(), parent: scope };
        if (n.param) {
          collectPatternNames(n.param, inner.names);
          visitPattern(n.param, inner, true);
        }
        visit(n.body, inner);
        return;
      }
      case 'VariableDeclaration':
        for (const d of n.declarations) {
          visitPattern(d.id, scope, true);
          visit(d.init, scope);
        }
        return;
      case 'AssignmentExpression':
        if (n.left.type === 'MemberExpression') visit(n.left, scope);
        else visitPattern(n.left, scope, false);
        visit(n.right, scope);
        return;
      case 'UpdateExpression':
        if (n.argument.type === 'Identifier') reference(n.argument, scope, undefined, true);
        else visit(n.argument, scope);
        return;
      case 'MemberExpression':
        visit(n.object, scope);
        if (n.computed) visit(n.property, scope);
        return;
      case 'Property':
        if (n.computed) visit(n.key, scope);
        if (n.shorthand && n.value.type === 'Identifier') reference(n.value, scope, n);
        else visit(n.value, scope);
        return;
      case 'MethodDefinition':
      case 'PropertyDefinition':
        if (n.computed) visit(n.key, scope);
        visit(n.value, scope);
        return;
      case 'LabeledStatement':
        visit(n.body, scope);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
      case 'MetaProperty':
        return;
      default:
        for (const key of Object.keys(n)) {
          if (key === 'type' || key === 'start' || key === 'end' || key === 'loc' || key === 'range') continue;
          const child = n[key];
          if (Array.isArray(child)) for (const c of child) visit(c as acorn.Node, scope);
          else if (child && typeof child === 'object' && typeof (child as AnyNode).type === 'string') visit(child as acorn.Node, scope);
        }
    }
  };

  /** A block's statements in a scope of their own (its `let`, `const`, `class` and `function` declarations). */
  const visitBlock = (body: acorn.Statement[], parent: Scope) => {
    const scope: Scope = { names: new Set(), parent };
    declareBlock(body, scope.names);
    for (const st of body) visit(st, scope);
  };

  visitFunction(fn, root);
  return found;
}

/** The names a block's own statements declare for it: `let`, `const`, `class` and `function` (not `var`). */
function declareBlock(body: acorn.Statement[], names: Set<string>): void {
  for (const st of body) {
    if (st.type === 'VariableDeclaration' && st.kind !== 'var') for (const d of st.declarations) collectPatternNames(d.id, names);
    else if ((st.type === 'FunctionDeclaration' || st.type === 'ClassDeclaration') && st.id) names.add(st.id.name);
  }
}

/** Every `var` a function body declares, in its blocks and loops too (not in the functions and classes inside it). */
function collectVars(body: acorn.BlockStatement, names: Set<string>): void {
  forEachNode(body, (node) => {
    const n = node as acorn.AnyNode;
    if (n.type === 'VariableDeclaration') {
      if (n.kind === 'var') for (const d of n.declarations) collectPatternNames(d.id, names);
      return false;
    }
    return !(n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression' || n.type.startsWith('Class'));
  });
}
