/**
 * Cells of a plain .js/.ts file: `// %%` lines start a cell (optionally with a title, `// %% [markdown]` for a
 * markdown cell written as line comments, `// %% [javascript]` for a JavaScript cell in a .ts file). Code before
 * the first marker is a cell of its own. Pure.
 */
export const MARKER = /^\s*\/\/\s*%%(.*)$/;

export interface ScratchCell {
  index: number;
  kind: 'code' | 'markdown';
  title: string;
  /** `// %% [javascript]` / `// %% [typescript]`: the cell's own language (else the file's). */
  language?: 'javascript' | 'typescript';
  /** 0-based document line of the marker, or -1 for code before the first marker. */
  markerLine: number;
  /** 0-based document line of the cell's first line of code (the line after the marker). */
  startLine: number;
  /** 0-based document line after the cell's last line. */
  endLine: number;
  code: string;
}

export function splitCells(text: string): ScratchCell[] {
  const lines = text.split(/\r?\n/);
  const cells: ScratchCell[] = [];
  let current: ScratchCell | undefined;
  const close = (end: number) => {
    if (!current) return;
    current.endLine = end;
    current.code = lines.slice(current.startLine, end).join('\n');
    if (current.kind === 'markdown')
      current.code = current.code
        .split('\n')
        .map((l) => l.replace(/^\s*\/\/ ?/, ''))
        .join('\n');
    if (current.markerLine >= 0 || current.code.trim()) cells.push(current);
  };
  lines.forEach((line, i) => {
    const m = MARKER.exec(line);
    if (!m && current) return;
    if (!m) {
      current = { index: 0, kind: 'code', title: '', markerLine: -1, startLine: i, endLine: i, code: '' };
      return;
    }
    close(i);
    const title = m[1]!.trim();
    const tag = /^\[(markdown|javascript|typescript)\]\s*/i.exec(title);
    const kind = tag?.[1]!.toLowerCase();
    current = {
      index: 0,
      kind: kind === 'markdown' ? 'markdown' : 'code',
      ...(kind === 'javascript' || kind === 'typescript' ? { language: kind } : {}),
      title: tag ? title.slice(tag[0].length) : title,
      markerLine: i,
      startLine: i + 1,
      endLine: i + 1,
      code: '',
    };
  });
  close(lines.length);
  cells.forEach((c, i) => (c.index = i));
  return cells;
}

/** The document line (0-based) of a 1-based line inside code that started at `startLine`. */
export function documentLine(startLine: number, cellLine: number): number {
  return startLine + cellLine - 1;
}

/** The cell holding a document line (the marker line belongs to the cell it starts). */
export function cellAt(cells: ScratchCell[], line: number): ScratchCell | undefined {
  return cells.find((c) => line >= (c.markerLine >= 0 ? c.markerLine : c.startLine) && line < c.endLine);
}
