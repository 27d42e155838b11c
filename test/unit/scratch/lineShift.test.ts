import { strict as assert } from 'node:assert';
import { lineShift, type LineChange } from '../../../extension/pure/lineShift';

const change = (startLine: number, endLine: number, text: string, startChar = 0, endChar = startChar): LineChange => ({
  range: { start: { line: startLine, character: startChar }, end: { line: endLine, character: endChar } },
  text,
});

describe('scratch values follow their lines through edits (lineShift)', () => {
  it('lines below an inserted line move down; lines above stay', () => {
    const f = lineShift([change(3, 3, 'const added = 1;\n')]);
    assert.deepEqual([0, 2, 3, 4, 10].map(f), [0, 2, 4, 5, 11]);
  });

  it('typing on a line keeps its value on that line', () => {
    const f = lineShift([change(5, 5, 'x', 4)]);
    assert.deepEqual([4, 5, 6].map(f), [4, 5, 6]);
  });

  it('a new line typed at the end of a line leaves the value where it was', () => {
    const f = lineShift([change(3, 3, '\n', 20)]);
    assert.deepEqual([3, 4].map(f), [3, 5]);
  });

  it('deleting lines removes their values and moves the rest up', () => {
    const f = lineShift([change(2, 5, '')]);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 9].map(f), [1, 2, undefined, undefined, undefined, 3, 6]);
  });

  it('several changes in one edit (multi-cursor), given in any order', () => {
    const changes = [change(1, 1, 'a\n', 3), change(6, 6, 'b\nc\n', 2)];
    for (const order of [changes, [...changes].reverse()]) {
      const f = lineShift(order);
      assert.deepEqual([0, 1, 2, 5, 6, 7].map(f), [0, 1, 3, 6, 7, 10]);
    }
  });

  it('pasting over lines: the first line stays, the replaced ones go, the rest shift', () => {
    const f = lineShift([change(2, 4, 'one\ntwo\nthree\nfour', 5, 3)]);
    assert.deepEqual([2, 3, 4, 5].map(f), [2, undefined, undefined, 6]);
  });
});
