/**
 * What a scratch file shows at the end of its lines, without vscode: values, console output and errors of the last
 * run, by document line. A new run replaces them all; an edit moves them with their lines (lineShift) and marks them
 * stale until the next run, dropping those of lines it replaced; late values of the last run land on the moved lines.
 * ScratchSession draws the view as decorations.
 */
import { lineAnnotation } from './inlineText';
import { lineShift, type LineChange } from './lineShift';
import { documentLine } from './splitCells';

export type Tone = 'error' | 'warn';

export interface LineView {
  line: number;
  /** The annotation text (values and console output joined, cut to fit). */
  text: string;
  /** Markdown: the hovers of everything on the line. */
  hover: string;
  /** From a run before the latest edit. */
  stale: boolean;
  tone?: Tone;
}

interface LineInfo {
  stale?: boolean;
  parts: string[];
  /** `→ undefined` of a line: shown only when nothing else is (a console.log line returns undefined). */
  weak: string[];
  hover: string;
  tone?: Tone;
}

export class ScratchLines {
  private readonly lines = new Map<number, LineInfo>();
  /** The document line each cell of the last run starts at, by cell id (moved by edits too). */
  private readonly cellStarts = new Map<string, number>();

  /** A new run starts: every old annotation goes. */
  clear(): void {
    this.lines.clear();
  }

  startCell(cellId: string, line: number): void {
    this.cellStarts.set(cellId, line);
  }

  /** The document line of a cell's line (1-based in the cell), or its first line; undefined for an unknown cell. */
  lineOf(cellId: string, cellLine?: number): number | undefined {
    const start = this.cellStarts.get(cellId);
    if (start === undefined) return undefined;
    return cellLine === undefined ? start : documentLine(start, cellLine);
  }

  /** Adds to a document line. */
  at(line: number, text: string, hover: string, tone?: Tone, weak = false): void {
    const info = this.lines.get(line) ?? { parts: [], weak: [], hover: '' };
    (weak ? info.weak : info.parts).push(text);
    info.hover += `${hover}\n\n`;
    if (tone) info.tone = tone;
    this.lines.set(line, info);
  }

  /** Adds to a line of a cell of the last run (nothing when the cell is unknown or its lines were replaced). */
  inCell(cellId: string, cellLine: number, text: string, hover: string, tone?: Tone, weak = false): void {
    const line = this.lineOf(cellId, cellLine);
    if (line !== undefined) this.at(line, text, hover, tone, weak);
  }

  /** The file was edited: annotations follow their lines and turn stale; those of replaced lines go. */
  edited(changes: readonly LineChange[]): void {
    const shift = lineShift(changes);
    const moved = new Map<number, LineInfo>();
    for (const [line, info] of this.lines) {
      const to = shift(line);
      if (to !== undefined) moved.set(to, { ...info, stale: true });
    }
    this.lines.clear();
    for (const [line, info] of moved) this.lines.set(line, info);
    for (const [cellId, start] of this.cellStarts) {
      const to = shift(start);
      if (to === undefined) this.cellStarts.delete(cellId);
      else this.cellStarts.set(cellId, to);
    }
  }

  /** What to draw, for the lines the document still has. */
  view(lineCount: number): LineView[] {
    const out: LineView[] = [];
    for (const [line, info] of this.lines) {
      if (line >= lineCount) continue;
      out.push({ line, text: lineAnnotation(info.parts.length ? info.parts : info.weak), hover: info.hover, stale: !!info.stale, tone: info.tone });
    }
    return out;
  }
}
