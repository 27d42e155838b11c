/**
 * Source maps of cell scripts: every line of a notebook cell maps to the same line of its cell document, and a
 * `// %%` scratch cell's lines to their place further down the file; line 1 starts after the transform's prologue.
 */
import { strict as assert } from 'node:assert';
import { SourceMap, type SourceMapPayload, type SourceMapping } from 'node:module';
import { cellSourceMap, sourceMapComment, vlq } from '../../../worker/debug/cellSourceMap';
import { transformCell } from '../../../worker/transform/transformCell';

/** node:module's SourceMap over a cell's map; entries are found or the test fails. */
function mapOf(input: Parameters<typeof cellSourceMap>[0]): { findEntry(line: number, column: number): SourceMapping } {
  const map = new SourceMap({ file: '', sourceRoot: '', sourcesContent: [], ...cellSourceMap(input) } as SourceMapPayload);
  return {
    findEntry(line, column) {
      const e = map.findEntry(line, column);
      assert.ok('originalSource' in e, `an entry at ${line}:${column}`);
      return e;
    },
  };
}

const CELL_URI = 'vscode-notebook-cell:/work/demo.coda#W0sZmlsZQ%3D%3D';

describe('cell source maps', () => {
  it('encodes numbers as Base64 VLQ', () => {
    assert.deepEqual([0, 1, -1, 15, 16, 1000].map(vlq), ['A', 'C', 'D', 'e', 'gB', 'w+B']);
  });

  it('maps each line of a notebook cell to its cell document, line 1 after the prologue', () => {
    const code = 'const a = 1;\nfunction twice(x) {\n  return 2 * x;\n}\ntwice(a)';
    const out = transformCell(code, { instrumentLines: false });
    const map = mapOf({ source: { uri: CELL_URI }, lineCount: 5, prologueLength: out.prologueLength });
    const first = map.findEntry(0, out.prologueLength);
    assert.equal(first.originalSource, CELL_URI);
    assert.equal(first.originalLine, 0);
    assert.equal(first.originalColumn, 0);
    for (let line = 1; line < 5; line++) {
      const e = map.findEntry(line, 2);
      assert.equal(e.originalSource, CELL_URI);
      assert.equal(e.originalLine, line, `generated line ${line}`);
    }
  });

  it('maps a scratch cell to its lines in the file', () => {
    const map = mapOf({ source: { uri: '/work/scratch.js', lineOffset: 12 }, lineCount: 3, prologueLength: 40 });
    assert.deepEqual(
      [0, 1, 2].map((l) => map.findEntry(l, l === 0 ? 40 : 0).originalLine),
      [12, 13, 14],
    );
    assert.equal(map.findEntry(2, 0).originalSource, '/work/scratch.js');
  });

  it('attaches as an inline data URL on a line of its own', () => {
    const comment = sourceMapComment({ source: { uri: CELL_URI }, lineCount: 1, prologueLength: 3 });
    assert.match(comment, /^\n\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,/);
    const json = JSON.parse(Buffer.from(comment.split('base64,')[1]!, 'base64').toString()) as { sources: string[] };
    assert.deepEqual(json.sources, [CELL_URI]);
  });
});
