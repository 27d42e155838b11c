/** Checkpoint bookkeeping: counts, the last CHECKPOINT_HISTORY hits in order, bounded text, replacing a document's set. */
import { strict as assert } from 'node:assert';
import { CHECKPOINT_HISTORY } from '../../../protocol';
import { CHECKPOINT_TEXT_CHARS, CheckpointLog } from '../../../worker/debug/CheckpointLog';

const spec = (id: string, line = 0, expression = 'x') => ({ id, line, expression });

describe('checkpoint log', () => {
  it('counts every hit and keeps only the last hits, oldest first', () => {
    const log = new CheckpointLog();
    log.set('doc', [spec('a')]);
    for (let i = 1; i <= CHECKPOINT_HISTORY + 5; i++) log.record('a', String(i));
    const [hits] = log.takeChanged();
    assert.equal(hits?.count, CHECKPOINT_HISTORY + 5);
    assert.equal(hits?.recent.length, CHECKPOINT_HISTORY);
    assert.equal(hits?.recent[0]?.text, '6');
    assert.equal(hits?.recent.at(-1)?.text, String(CHECKPOINT_HISTORY + 5));
    assert.deepEqual(log.takeChanged(), [], 'reported once');
  });

  it('cuts long values and marks errors', () => {
    const log = new CheckpointLog();
    log.set('doc', [spec('a')]);
    log.record('a', 'y'.repeat(10_000));
    log.record('a', 'ReferenceError: x is not defined', true);
    const [hits] = log.takeChanged();
    assert.equal(hits?.recent[0]?.text.length, CHECKPOINT_TEXT_CHARS);
    assert.equal(hits?.recent[1]?.error, true);
  });

  it("replaces a document's checkpoints, keeping the hits of one that did not change", () => {
    const log = new CheckpointLog();
    log.set('doc', [spec('a', 1), spec('b', 2)]);
    log.set('other', [spec('c')]);
    log.record('a', '1');
    log.record('b', '2');
    log.set('doc', [spec('a', 1), spec('d', 4)]);
    assert.equal(log.record('b', '3'), false, 'a removed checkpoint records nothing');
    assert.deepEqual(
      log.takeChanged().map((h) => [h.id, h.count]),
      [['a', 1]],
    );
    assert.deepEqual(
      log.specs('doc').map((s) => s.id),
      ['a', 'd'],
    );
    assert.equal(log.size, 3);
    log.set('doc', [spec('a', 7)]);
    log.record('a', 'x');
    assert.equal(log.takeChanged()[0]?.count, 1, 'a moved checkpoint starts again');
  });
});
