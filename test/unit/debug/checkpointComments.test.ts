/** `//?` checkpoint comments: what each kind of line records, and lines that record nothing. */
import { strict as assert } from 'node:assert';
import { checkpointComments, checkpointOnLine } from '../../../extension/pure/checkpointComments';

describe('checkpoint comments', () => {
  it('records a declared or assigned variable after its line runs', () => {
    assert.deepEqual(checkpointOnLine('const total = a + b; //?', 3), { line: 3, expression: 'total', after: true });
    assert.deepEqual(checkpointOnLine('  count += 1 //?', 0), { line: 0, expression: 'count', after: true });
    assert.deepEqual(checkpointOnLine('state.hits = hits //?', 0), { line: 0, expression: 'state.hits', after: true });
    assert.deepEqual(checkpointOnLine('let n: number = 1 //?', 0), { line: 0, expression: 'n', after: true });
    assert.deepEqual(checkpointOnLine('ticks++ //?', 0), { line: 0, expression: 'ticks', after: true });
  });

  it("records a line's expression as it is reached, or the expression after the marker", () => {
    assert.deepEqual(checkpointOnLine('items.length * 2; //?', 1), { line: 1, expression: 'items.length * 2' });
    assert.deepEqual(checkpointOnLine('doWork(x) //? x.id', 1), { line: 1, expression: 'x.id' });
    assert.deepEqual(checkpointOnLine('//? Date.now()', 1), { line: 1, expression: 'Date.now()' });
  });

  it('ignores a marker inside a string, a bare marker on an empty line, and statements', () => {
    assert.equal(checkpointOnLine('const url = "http://x//?y";', 0), undefined);
    assert.equal(checkpointOnLine('   //?', 0), undefined);
    assert.equal(checkpointOnLine('if (ready) { //?', 0), undefined);
  });

  it('numbers checkpoints by document line, after a scratch cell offset', () => {
    assert.deepEqual(checkpointComments('let a = 1;\na * 2 //?\n// plain\nb = a //?', 10), [
      { id: '11', line: 11, expression: 'a * 2' },
      { id: '13', line: 13, expression: 'b', after: true },
    ]);
  });
});
