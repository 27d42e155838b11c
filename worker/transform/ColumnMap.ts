/**
 * Columns on lines the transform edited, mapped back to the user's columns (1-based). Lines are never
 * moved by the transform, so only columns need mapping.
 */
export type Edit = { start: number; end: number; text: string };

/** Maps a (1-based) column on a line of generated code back to the source the user wrote. */
export interface Columns {
  original(line: number, generatedColumn: number): number;
}

/** `outer` applied first (the cell transform), then `inner` (types stripped before it). */
export function composeColumns(outer: Columns, inner: Columns | undefined): Columns {
  if (!inner) return outer;
  return { original: (line, column) => inner.original(line, outer.original(line, column)) };
}

export class ColumnMap implements Columns {
  /**
   * Per line, each edit in order: the first and past-last generated column of its text, the column the user's code it
   * stands for began at, and the cumulative shift of the columns after it.
   */
  private readonly edits = new Map<number, [number, number, number, number][]>();

  constructor(source: string, edits: Edit[]) {
    const lineStarts = [0];
    for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    const ordered = [...edits].sort((a, b) => a.start - b.start);
    let line = 0;
    let lineShift = 0;
    for (const e of ordered) {
      while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= e.start) {
        line++;
        lineShift = 0;
      }
      // only single-line edits shift columns; multi-line replacements keep their line count
      if (e.text.includes('\n') || source.slice(e.start, e.end).includes('\n')) continue;
      const col = e.start - lineStarts[line]! + 1;
      const at = col + lineShift;
      lineShift += e.text.length - (e.end - e.start);
      const list = this.edits.get(line + 1) ?? [];
      list.push([at, at + e.text.length, col, lineShift]);
      this.edits.set(line + 1, list);
    }
  }

  original(line: number, generatedColumn: number): number {
    let shift = 0;
    for (const [from, to, col, after] of this.edits.get(line) ?? []) {
      // code the transform wrote in place of the user's (an import's replacement) stands at where that began
      if (generatedColumn >= from && generatedColumn < to) return col;
      if (generatedColumn >= to) shift = after;
    }
    return generatedColumn - shift;
  }
}

/** The edited source; each edit's `output` is set to where its text starts in it. */
export function applyEdits(source: string, edits: (Edit & { output?: number })[]): string {
  // stable order: by position; at one offset, insertions (in the order they were made) before the text replaced there,
  // which they wrap (the completion box around `import(…)` or `import.meta` as the last expression)
  const inserts = (e: Edit) => (e.start === e.end ? 0 : 1);
  const ordered = edits.map((edit, i) => ({ edit, i })).sort((a, b) => a.edit.start - b.edit.start || inserts(a.edit) - inserts(b.edit) || a.i - b.i);
  let out = '';
  let pos = 0;
  for (const { edit } of ordered) {
    out += source.slice(pos, edit.start);
    edit.output = out.length;
    out += edit.text;
    pos = Math.max(pos, edit.end);
  }
  return out + source.slice(pos);
}
