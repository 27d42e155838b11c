import type * as acorn from 'acorn';

/** Every binding name a declaration pattern introduces (`{a, b: [c, ...d]}` -> a, c, d). */
export function collectPatternNames(p: acorn.Pattern, out: Set<string>): Set<string> {
  switch (p.type) {
    case 'Identifier':
      out.add(p.name);
      break;
    case 'ObjectPattern':
      for (const prop of p.properties) collectPatternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      break;
    case 'ArrayPattern':
      for (const el of p.elements) if (el) collectPatternNames(el, out);
      break;
    case 'AssignmentPattern':
      collectPatternNames(p.left, out);
      break;
    case 'RestElement':
      collectPatternNames(p.argument, out);
      break;
    default:
      break;
  }
  return out;
}
