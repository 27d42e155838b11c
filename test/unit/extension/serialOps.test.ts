import { strict as assert } from 'node:assert';
import { SerialOps } from '../../../extension/pure/SerialOps';

describe("a cell's output writes (SerialOps)", () => {
  it('run one after another, in order, even when one fails', async () => {
    const ops = new SerialOps(1000);
    const done: string[] = [];
    const slow = ops.queue(() => new Promise((r) => setTimeout(() => r(done.push('slow')), 30)));
    const failing = ops.queue(() => Promise.reject(new Error('gone')));
    const last = ops.queue(async () => done.push('last'));
    await Promise.all([slow, failing.catch(() => undefined), last]);
    assert.deepEqual(done, ['slow', 'last']);
  });

  it('a write that never answers does not hold the end of the execution (no spinner left behind)', async () => {
    const ops = new SerialOps(50);
    let ended = false;
    void ops.queue(() => new Promise(() => undefined));
    await ops.queue(() => {
      ended = true;
      return Promise.resolve();
    });
    assert.equal(ended, true);
  });
});
