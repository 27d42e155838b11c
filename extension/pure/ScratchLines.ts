/**
 * What a scratch file shows at the end of its lines, without vscode: values, console output and errors of the last
 * run, by document line. A new run replaces them all; an edit moves them with their lines (lineShift) and marks them
 * stale until the next run, dropping those of lines it replaced; late values of the last run land on the moved lines,
 * and a line's pending promise, once settled, replaces its own value there (replace).
 * ScratchSession draws the view as decorations.
 */
import { lineAnnotation } from './inlineText';
import { lineShift, type LineChange } from './lineShift';
import { documentLine } from '../../host/notebook/splitCells';

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

interface Part {
  text: string;
  /** Markdown. */
  hover: string;
  /** `→ undefined` of a line: shown only when nothing else is (a console.log line returns undefined). */
  weak: boolean;
  /** Names a part a later event replaces (a line's pending promise, once it settles). */
  key?: string;
}

interface LineInfo {
  stale?: boolean;
  parts: Part[];
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

  /** Adds to a document line; `key` names the part for replace(). */
  at(line: number, text: string, hover: string, tone?: Tone, weak = false, key?: string): void {
    const info = this.lines.get(line) ?? { parts: [] };
    info.parts.push({ text, hover, weak, ...(key !== undefined && { key }) });
    if (tone) info.tone = tone;
    this.lines.set(line, info);
  }

  /** Adds to a line of a cell of the last run (nothing when the cell is unknown or its lines were replaced). */
  inCell(cellId: string, cellLine: number, text: string, hover: string, tone?: Tone, weak = false, key?: string): void {
    const line = this.lineOf(cellId, cellLine);
    if (line !== undefined) this.at(line, text, hover, tone, weak, key);
  }

  /**
   * Replaces the part added with `key` where it is now (its line moved by edits, stale or not); false when there is
   * none: a new run cleared it, or an edit replaced its line.
   */
  replace(key: string, text: string, hover: string): boolean {
    for (const info of this.lines.values()) {
      const i = info.parts.findIndex((p) => p.key === key);
      if (i < 0) continue;
      info.parts[i] = { text, hover, weak: false, key };
      return true;
    }
    return false;
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
      const strong = info.parts.filter((p) => !p.weak);
      const shown = (strong.length ? strong : info.parts).map((p) => p.text);
      const hover = info.parts.map((p) => `${p.hover}\n\n`).join('');
      out.push({ line, text: lineAnnotation(shown), hover, stale: !!info.stale, tone: info.tone });
    }
    return out;
  }
}
