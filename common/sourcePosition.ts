/** Where an offset of a source text is, as editors count: the 1-based line and column (a cell transform's errors, a notebook reader's problems, a dependency's line). */

export function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) line++;
  return line;
}

export function columnAt(source: string, offset: number): number {
  return offset - source.lastIndexOf('\n', offset - 1);
}
