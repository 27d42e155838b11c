/**
 * The cells of one notebook, in order, as one TypeScript module the way the kernel runs them:
 * - imports of every cell are hoisted to the top (an import cannot sit in a block, and the kernel shares an
 *   imported binding with every later cell);
 * - a cell that re-declares a name of an earlier cell opens a block that lasts to the end of the notebook, so
 *   the new declaration shadows the old one for this cell and every later one (re-running edited code is not an
 *   error, and later uses see the latest type) while earlier cells keep seeing the old one;
 * - `export` keywords are blanked (the kernel refuses them; the plugin reports that itself);
 * - what a half-typed cell leaves open (a brace, a comment) is closed after it, so later cells stay themselves;
 * - a cell that is one object literal is wrapped in parentheses, as the kernel reads it (objectLiteralCell.ts);
 * - the file ends with `export {}`, so top-level `await` is valid and nothing leaks into a global scope.
 * Cell text is copied verbatim (blanked ranges become spaces, newlines kept), so positions map exactly.
 */
import { analyzeCell, type CellAnalysis, type TextRange, type TS } from './analyzeCell';
import { ProgramMap, type Segment } from './ProgramMap';

export interface CellSource {
  text: string;
  /** TypeScript cell (otherwise JavaScript). */
  isTs: boolean;
}

export interface CellLayout {
  analysis: CellAnalysis;
  /** Blocks open around this cell (0: the module's top level). */
  depth: number;
}

export interface NotebookProgram {
  map: ProgramMap;
  cells: CellLayout[];
  /** Names declared (or imported) by more than one cell. */
  redeclared: Set<string>;
}

const SEPARATOR = '\n;\n';
const OPEN_BLOCK = '{\n';
const TAIL = 'export {};\n';

/** `analyze` lets a caller cache the analysis of unchanged cells (the only per-cell parse a keystroke costs). */
export function buildProgram(
  tsm: TS,
  cells: readonly CellSource[],
  analyze: (cell: CellSource, index: number) => CellAnalysis = (c) => analyzeCell(tsm, c.text, c.isTs),
): NotebookProgram {
  const analyses = cells.map(analyze);
  const segments: Segment[] = [];
  const parts: string[] = [];
  let length = 0;
  const push = (s: string) => {
    parts.push(s);
    length += s.length;
  };

  analyses.forEach((a, cell) => {
    for (const r of a.imports) {
      segments.push({ cell, cellStart: r.start, programStart: length, length: r.end - r.start });
      push(cells[cell]!.text.slice(r.start, r.end));
      push('\n');
    }
  });

  const layouts: CellLayout[] = [];
  const seen = new Map<string, number>();
  const redeclared = new Set<string>();
  let level = new Set<string>();
  let depth = 0;
  analyses.forEach((a, cell) => {
    for (const n of [...a.names, ...a.importNames]) {
      if ((seen.get(n) ?? cell) !== cell) redeclared.add(n);
      seen.set(n, cell);
    }
    if (a.names.some((n) => level.has(n))) {
      push(OPEN_BLOCK);
      depth++;
      level = new Set();
    }
    for (const n of a.names) level.add(n);
    layouts.push({ analysis: a, depth });
    const text = cells[cell]!.text;
    // a cell that is one object literal is that object, in parentheses outside its own text (objectLiteralCell.ts)
    if (a.objectLiteral) push('(');
    segments.push({ cell, cellStart: 0, programStart: length, length: text.length });
    push(blank(text, [...a.imports, ...a.exportKeywords, ...a.exportStatements]));
    if (a.objectLiteral) push('\n)');
    if (a.closers) push(`\n${a.closers}`);
    push(SEPARATOR);
  });
  push('}\n'.repeat(depth));
  push(TAIL);
  return { map: new ProgramMap(parts.join(''), segments, cells.length), cells: layouts, redeclared };
}

/** Spaces for every character of the ranges but line breaks, so lines stay where they were. */
function blank(text: string, ranges: readonly TextRange[]): string {
  if (ranges.length === 0) return text;
  const chars = text.split('');
  for (const r of ranges) for (let i = r.start; i < r.end; i++) if (chars[i] !== '\n' && chars[i] !== '\r') chars[i] = ' ';
  return chars.join('');
}
