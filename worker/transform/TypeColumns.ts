/**
 * Columns of a TypeScript cell after its types were stripped, mapped back to the columns the user wrote. Sucrase keeps
 * every line where it was but removes annotations (`x: Record<string, number>` → `x`), so a frame on a line with types
 * would otherwise point that many columns early. Built from sucrase's token-level source map.
 */
import type { Columns } from './ColumnMap';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

export class TypeColumns implements Columns {
  /** Per generated line (1-based): [generated column, source column] pairs (0-based), in order. */
  private readonly lines: [number, number][][] = [];

  constructor(mappings: string) {
    let srcLine = 0;
    let srcCol = 0;
    let srcIndex = 0;
    mappings.split(';').forEach((segments, i) => {
      const pairs: [number, number][] = [];
      let genCol = 0;
      for (const segment of segments.split(',')) {
        if (!segment) continue;
        const fields = decodeVlq(segment);
        genCol += fields[0] ?? 0;
        if (fields.length < 4) continue;
        srcIndex += fields[1]!;
        srcLine += fields[2]!;
        srcCol += fields[3]!;
        // sucrase never moves code between lines; a segment from another line says nothing about this one
        if (srcLine === i && srcIndex === 0) pairs.push([genCol, srcCol]);
      }
      this.lines[i + 1] = pairs;
    });
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

function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = DIGIT.get(ch);
    if (digit === undefined) return out;
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return out;
}
