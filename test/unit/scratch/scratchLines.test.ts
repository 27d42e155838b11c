import { strict as assert } from 'node:assert';
import { ScratchLines } from '../../../extension/pure/ScratchLines';

const insertLines = (line: number, count: number) => ({ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '\n'.repeat(count) });

describe("a scratch file's end-of-line values (extension/pure/ScratchLines)", () => {
  it('a re-run replaces the values of the run before', () => {
    const lines = new ScratchLines();
    lines.startCell('c', 0);
    lines.inCell('c', 1, '→ 1', '`1`');
    lines.inCell('c', 2, '→ "old"', '`"old"`');
    lines.clear();
    lines.startCell('c', 0);
    lines.inCell('c', 1, '→ 2', '`2`');
    assert.deepEqual(
      lines.view(10).map((v) => [v.line, v.text, v.stale]),
      [[0, '→ 2', false]],
    );
  });

  it('an edit moves values with their lines and marks them stale; values of replaced lines go', () => {
    const lines = new ScratchLines();
    lines.startCell('c', 0);
    lines.inCell('c', 1, '→ a', 'a');
    lines.inCell('c', 3, '→ b', 'b');
    lines.edited([insertLines(1, 2)]);
    assert.deepEqual(
      lines.view(10).map((v) => [v.line, v.text, v.stale]),
      [
        [0, '→ a', true],
        [4, '→ b', true],
      ],
    );
    lines.edited([{ range: { start: { line: 3, character: 0 }, end: { line: 5, character: 0 } }, text: '' }]);
    assert.deepEqual(
      lines.view(10).map((v) => v.text),
      ['→ a'],
    );
  });

  it('late values of the last run land on the moved lines', () => {
    const lines = new ScratchLines();
    lines.startCell('c', 2);
    lines.edited([insertLines(0, 3)]);
    lines.inCell('c', 2, '» tick', 'tick');
    assert.deepEqual(
      lines.view(20).map((v) => v.line),
      [6],
    );
  });

  it('shows `→ undefined` only on a line with nothing else, keeps the error tone, and hides lines the file no longer has', () => {
    const lines = new ScratchLines();
    lines.startCell('c', 0);
    lines.inCell('c', 1, '→ undefined', 'u', undefined, true);
    lines.inCell('c', 1, '» hello', 'h');
    lines.inCell('c', 2, '→ undefined', 'u', undefined, true);
    lines.at(3, 'TypeError: x is not a function', 'stack', 'error');
    lines.at(40, '→ 1', '1');
    assert.deepEqual(
      lines.view(5).map((v) => [v.line, v.text, v.tone]),
      [
        [0, '» hello', undefined],
        [1, '→ undefined', undefined],
        [3, 'TypeError: x is not a function', 'error'],
      ],
    );
  });

  it("a line's settled promise replaces its pending value where the line is now, and never lands on a new run", () => {
    const lines = new ScratchLines();
    lines.startCell('c', 0);
    lines.inCell('c', 1, '→ Promise { <pending> }', 'pending', undefined, false, '1:1');
    lines.inCell('c', 1, '» logged', 'log');
    lines.inCell('c', 2, '→ undefined', 'u', undefined, true, '1:2');
    lines.edited([insertLines(0, 2)]);
    assert.equal(lines.replace('1:1', '→ Promise { 7 }', 'seven'), true);
    // a settled value is no longer weak: it shows on a line that had only `→ undefined`
    assert.equal(lines.replace('1:2', '→ Promise { 1 }', 'one'), true);
    assert.deepEqual(
      lines.view(10).map((v) => [v.line, v.text, v.stale, v.hover]),
      [
        [2, '→ Promise { 7 } · » logged', true, 'seven\n\nlog\n\n'],
        [3, '→ Promise { 1 }', true, 'one\n\n'],
      ],
    );
    lines.clear();
    lines.startCell('c', 0);
    lines.inCell('c', 2, '→ Promise { <pending> }', 'pending', undefined, false, '2:1');
    assert.equal(lines.replace('1:1', '→ late', 'late'), false, "a past run's promise");
    lines.edited([{ range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, text: 'x' }]);
    assert.equal(lines.replace('2:1', '→ gone', 'gone'), false, 'its line was replaced');
    assert.deepEqual(lines.view(10), []);
  });
});
