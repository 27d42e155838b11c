/**
 * Checks the `.coda` reader runs on the raw JSON before trusting it: nesting depth (the parser recurses, so a file
 * nested thousands deep would overflow the stack), duplicate keys (a JSON parser keeps the last one, so a second
 * "permissions" would silently replace the first), numbers out of range, and offset → line/column. Pure: no I/O.
 */
import type { Node } from 'jsonc-parser';

/** Deepest nesting of objects and arrays a notebook may have; far above anything CodaJS writes. */
export const MAX_NESTING_DEPTH = 1000;

/** Offset of the bracket that opens nesting level `limit + 1`, or undefined when the text stays within it. */
export function tooDeepAt(text: string, limit = MAX_NESTING_DEPTH): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22 || c === 0x0a || c === 0x0d) inString = false; // the parser ends a string at a line break too
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return i;
    } else if (c === 0x7d || c === 0x5d) depth = Math.max(0, depth - 1);
  }
  return undefined;
}

export interface DuplicateKey {
  key: string;
  /** JSON path of the repeated key, e.g. `metadata.permissions`. */
  path: string;
  first: Node;
  again: Node;
}

/** Every key that appears twice in one object, anywhere in the tree (iterative: depth is bounded, but cheaply so). */
export function duplicateKeys(root: Node): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  const stack: { node: Node; path: string }[] = [{ node: root, path: '' }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (node.type === 'array') (node.children ?? []).forEach((c, i) => stack.push({ node: c, path: `${path}[${i}]` }));
    if (node.type !== 'object') continue;
    const seen = new Map<string, Node>();
    for (const prop of node.children ?? []) {
      const [keyNode, val] = prop.children ?? [];
      if (!keyNode) continue;
      const key = String(keyNode.value);
      const keyPath = path ? `${path}.${key}` : key;
      const first = seen.get(key);
      if (first) found.push({ key, path: keyPath, first, again: keyNode });
      else seen.set(key, keyNode);
      if (val) stack.push({ node: val, path: keyPath });
    }
  }
  return found.sort((a, b) => a.again.offset - b.again.offset);
}

/** Number literals too large for a double (1e999): read as Infinity, they would be saved as null. */
export function outOfRangeNumbers(root: Node): Node[] {
  const found: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.type === 'number' && !Number.isFinite(node.value)) found.push(node);
    for (const c of node.children ?? []) stack.push(c);
  }
  return found.sort((a, b) => a.offset - b.offset);
}

export interface TextPosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units as editors count them. */
  column: number;
}

/** offset → line and column, in O(log lines) per call (a file with many problems must not take quadratic time). */
export function textPositions(text: string): (offset: number) => TextPosition {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}
