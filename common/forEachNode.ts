import type * as acorn from 'acorn';

/** Visits every node of an acorn tree (depth first). */
export function forEachNode(root: acorn.Node, visit: (node: acorn.Node) => void): void {
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
    visit(n);
    for (const key of Object.keys(n)) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'loc' || key === 'range') continue;
      const child = n[key];
      if (child && typeof child === 'object') stack.push(child);
    }
  }
}
