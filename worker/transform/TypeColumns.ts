/**
 * Columns of a TypeScript (or JSX) cell after sucrase compiled it, mapped back to the columns the user wrote. Sucrase
 * keeps every line where it was but removes annotations (`x: Record<string, number>` → `x`) and turns elements into
 * calls, so a frame on such a line would otherwise point that many columns off. Built from where sucrase put each token
 * (sucraseBundle.ts transformWithMappings), not from its source map, which stops at the first template literal with
 * `${…}`: every column after one was wrong.
 */
import { textPositions } from '../../protocol/codaJsonChecks';
import type { Columns } from './ColumnMap';

export class TypeColumns implements Columns {
  /** Per line (1-based): [generated column, source column] pairs (0-based), in order. */
  private constructor(private readonly lines: [number, number][][]) {}

  /** From `tokens` of `source` and where each went in `generated` (`mappings[i]`: an offset, or undefined when dropped). */
  static fromMappings(source: string, generated: string, tokens: readonly { start: number }[], mappings: readonly (number | undefined)[]): TypeColumns {
    const inSource = textPositions(source);
    const inGenerated = textPositions(generated);
    const lines: [number, number][][] = [];
    tokens.forEach((token, i) => {
      const to = mappings[i];
      if (to === undefined) return;
      const from = inSource(token.start);
      const at = inGenerated(to);
      // sucrase never moves code between lines
      if (from.line !== at.line) return;
      (lines[at.line] ??= []).push([at.column - 1, from.column - 1]);
    });
    for (const pairs of lines) pairs?.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return new TypeColumns(lines);
  }

  original(line: number, generatedColumn: number): number {
    const pairs = this.lines[line];
    if (!pairs?.length) return generatedColumn;
    const col = generatedColumn - 1;
    let best: [number, number] | undefined;
    for (const p of pairs) {
      if (p[0] > col) break;
      best = p;
    }
    return best ? best[1] + (col - best[0]) + 1 : generatedColumn;
  }
}
