/** Frames as every output names them: a notebook cell's by its label, a script's cell by the script's own line. */
import { strict as assert } from 'node:assert';
import { formatFrame, type StackFrame } from '../../../protocol';
import { scriptPlaces, scriptToNotebook } from '../../../host/notebook/scriptNotebook';

describe('formatFrame: how every output names a frame', () => {
  const inCell: StackFrame = { functionName: 'check', cellId: 'cell-3', cellLabel: '[3]', line: 2, column: 9 };

  it('names a notebook cell by its label and its own line', () => {
    assert.equal(formatFrame(inCell), 'check (cell[3]:2:9)');
    assert.equal(formatFrame({ ...inCell, functionName: '' }), 'cell[3]:2:9');
    assert.equal(
      formatFrame({ functionName: '', cellId: 'cell-4', line: 1, column: 1 }, () => '[4]'),
      'cell[4]:1:1',
    );
  });

  it("names a script's cell by the script's own line, the first line's column shifted only when the cell starts mid-line", () => {
    const script = { name: 'src/report.ts', line: 40 };
    assert.equal(formatFrame({ ...inCell, script }), 'check (src/report.ts:41:9)');
    assert.equal(formatFrame({ ...inCell, line: 1, script }), 'check (src/report.ts:40:9)');
    // a selection run from column 13 of line 40: its first line's columns are the script's plus 12, later lines' as they are
    assert.equal(formatFrame({ ...inCell, line: 1, script: { ...script, column: 13 } }), 'check (src/report.ts:40:21)');
    assert.equal(formatFrame({ ...inCell, line: 3, script: { ...script, column: 13 } }), 'check (src/report.ts:42:9)');
  });

  it('names a file outside the cells by its path', () => {
    assert.equal(formatFrame({ functionName: 'get', file: '/nb/node_modules/x/index.js', line: 10, column: 3 }), 'get (/nb/node_modules/x/index.js:10:3)');
  });

  it("places each cell of a script where scriptToNotebook's cells are (code before the first marker, markdown cells, a last cell)", () => {
    const text = ['const a = 1', '', '// %% [markdown]', '// # Title', '// %% second', 'a + 1', '// %%', 'throw 1'].join('\n');
    const doc = scriptToNotebook(text, 'javascript');
    const places = scriptPlaces('s.js', text);
    assert.equal(places.length, doc.cells.length);
    assert.deepEqual(
      places.map((p) => p.line),
      [1, 4, 6, 8],
    );
    // each code cell's first line is that line of the script
    const lines = text.split('\n');
    doc.cells.forEach((c, i) => {
      if (c.kind === 'code') assert.equal(lines[places[i]!.line - 1], c.source[0]!.replace(/\n$/, ''));
    });
  });
});
