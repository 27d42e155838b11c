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
  /** Per line: [generated column where a shift starts, cumulative shift from there on]. */
  private readonly shifts = new Map<number, [number, number][]>();
  /** Per line: [first and past-last generated column of an edit's text, the column its source started at]. */
  private readonly inside = new Map<number, [number, number, number][]>();

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
      this.inside.set(line + 1, [...(this.inside.get(line + 1) ?? []), [at, at + e.text.length, col]]);
      lineShift += e.text.length - (e.end - e.start);
      const list = this.shifts.get(line + 1) ?? [];
      list.push([col + lineShift - (e.text.length - (e.end - e.start)) + e.text.length, lineShift]);
      this.shifts.set(line + 1, list);
    }
  }

  original(line: number, generatedColumn: number): number {
    // code the transform wrote in place of the user's (an import's replacement) stands at where that began
    for (const [from, to, col] of this.inside.get(line) ?? []) if (generatedColumn >= from && generatedColumn < to) return col;
    const list = this.shifts.get(line);
    if (!list) return generatedColumn;
    let shift = 0;
    for (const [from, s] of list) if (generatedColumn >= from) shift = s;
    return generatedColumn - shift;
  }
}
