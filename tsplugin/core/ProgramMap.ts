/**
 * Positions both ways between the cells of a notebook and the one program text built from them
 * (buildProgram.ts). Each cell is a set of segments copied verbatim into the program, so a position inside a
 * segment maps by a constant shift; the text between segments (separators, block braces, blanked imports)
 * maps to no cell.
 */
export interface Segment {
  cell: number;
  /** Offset in the cell's own text. */
  cellStart: number;
  /** Offset in the program text. */
  programStart: number;
  length: number;
}

export interface CellPosition {
  cell: number;
  offset: number;
}

export class ProgramMap {
  /** Segments in program order (binary search from program to cell). */
  private readonly ordered: Segment[];
  /** Per cell, its segments, hoisted imports first (they win over the blanked copy in the body). */
  private readonly byCell: Segment[][];

  constructor(
    readonly text: string,
    segments: Segment[],
    cellCount: number,
  ) {
    this.ordered = [...segments].sort((a, b) => a.programStart - b.programStart);
    this.byCell = Array.from({ length: cellCount }, () => []);
    for (const s of segments) this.byCell[s.cell]?.push(s);
  }

  get cellCount(): number {
    return this.byCell.length;
  }

  /** The program offset of a cell offset (the end of the cell included, where the cursor often is). */
  toProgram(cell: number, offset: number): number | undefined {
    const segs = this.byCell[cell];
    if (!segs) return undefined;
    for (const s of segs) if (offset >= s.cellStart && offset < s.cellStart + s.length) return s.programStart + offset - s.cellStart;
    for (const s of segs) if (offset === s.cellStart + s.length) return s.programStart + s.length;
    return undefined;
  }

  /** The cell position of a program offset, or undefined when it falls between cells. */
  toCell(pos: number): CellPosition | undefined {
    const s = this.segmentAt(pos);
    return s ? { cell: s.cell, offset: s.cellStart + pos - s.programStart } : undefined;
  }

  /** A program span as a span of one cell; a span that runs past its segment is cut at the segment's end. */
  spanToCell(start: number, length: number): { cell: number; start: number; length: number } | undefined {
    const s = this.segmentAt(start);
    if (!s) return undefined;
    const end = Math.min(start + length, s.programStart + s.length);
    return { cell: s.cell, start: s.cellStart + start - s.programStart, length: Math.max(0, end - start) };
  }

  /** Program ranges that hold the given cell's text, in program order. */
  cellRanges(cell: number): { start: number; length: number }[] {
    return (this.byCell[cell] ?? []).map((s) => ({ start: s.programStart, length: s.length })).sort((a, b) => a.start - b.start);
  }

  private segmentAt(pos: number): Segment | undefined {
    const a = this.ordered;
    let lo = 0;
    let hi = a.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]!.programStart <= pos) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0) return undefined;
    const s = a[found]!;
    if (pos < s.programStart + s.length) return s;
    // the end of a segment (an empty span after the last character) belongs to it
    return pos === s.programStart + s.length ? s : undefined;
  }
}
