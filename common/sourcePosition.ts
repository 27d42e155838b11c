/** Where an offset of a source text is, as editors count: the 1-based line and column (a cell transform's errors, a notebook reader's problems, a dependency's line). */

export function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

export function columnAt(source: string, offset: number): number {
  return offset - source.lastIndexOf('\n', offset - 1);
}

/** Where a node's code ends before its own trailing `;` (a statement's or a class field's), where text goes inside it. */
export function endBeforeSemicolon(source: string, node: { end: number }): number {
  return source[node.end - 1] === ';' ? node.end - 1 : node.end;
}
