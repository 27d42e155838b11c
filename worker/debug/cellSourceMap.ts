/**
 * A cell script's source map, so VS Code's JavaScript debugger shows and breaks in the cell's own document: the
 * transform keeps every line where it was (worker/transform/transformCell.ts), so generated line n is the cell's line
 * n, moved down by the cell's place in its document (a `// %%` scratch cell), and line 1 starts after the prologue.
 * The map names the document by the URI VS Code gives the debug adapter, so breakpoints set there resolve to it; the
 * extension turns js-debug's description of a notebook cell back into that URI (extension/pure/cellDebugSources.ts),
 * so VS Code shows the cell itself, and the `sourcesContent` only when that cell's notebook is closed.
 */
import type { CellSource } from '../../protocol';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** One Base64 VLQ number, as source maps encode them. */
export function vlq(value: number): string {
  let rest = value < 0 ? (-value << 1) | 1 : value << 1;
  let out = '';
  do {
    let digit = rest & 31;
    rest >>>= 5;
    if (rest > 0) digit |= 32;
    out += BASE64[digit];
  } while (rest > 0);
  return out;
}

export interface CellMapInput {
  source: CellSource;
  /** Lines of the cell's code (what the user wrote). */
  lineCount: number;
  /** Columns the prologue adds in front of line 1. */
  prologueLength: number;
  /** The cell's code, for a document the debugger cannot read from disk (a notebook cell). */
  content?: string;
}

/** The source map (version 3) of one cell script: each of the cell's lines maps to its line in the document. */
export function cellSourceMap({ source, lineCount, prologueLength, content }: CellMapInput): {
  version: 3;
  sources: string[];
  names: string[];
  mappings: string;
  sourcesContent?: string[];
} {
  const lines: string[] = [];
  for (let i = 0; i < lineCount; i++) {
    // [generated column, source 0, source line delta, source column delta]; the first points at the offset
    lines.push(i === 0 ? vlq(prologueLength) + 'A' + vlq(source.lineOffset ?? 0) + 'A' : 'AACA');
  }
  const map = { version: 3 as const, sources: [source.uri], names: [], mappings: lines.join(';') };
  return content === undefined ? map : { ...map, sourcesContent: [content] };
}

/** The comment that attaches the map to a script (appended on a line of its own, so no line moves). */
export function sourceMapComment(input: CellMapInput): string {
  const json = JSON.stringify(cellSourceMap(input));
  return `\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(json).toString('base64')}`;
}
