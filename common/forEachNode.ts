import type * as acorn from 'acorn';

/** Visits every node of an acorn tree (depth first, parents first); a visit that returns false skips the node's children. */
export function forEachNode(root: acorn.Node, visit: (node: acorn.Node) => void | boolean): void {
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (!node || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push(node[i]);
      continue;
    }
    const n = node as acorn.Node & Record<string, unknown>;
    if (typeof n.type !== 'string') continue;
    if (visit(n) === false) continue;
    for (const key of Object.keys(n)) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'loc' || key === 'range') continue;
      const child = n[key];
      if (child && typeof child === 'object') stack.push(child);
    }
  }
}
