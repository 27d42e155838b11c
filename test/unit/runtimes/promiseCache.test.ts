import { strict as assert } from 'node:assert';
import { PromiseCache } from '../../../host/kernel/PromiseCache';

describe('PromiseCache (the Node probes: findNode, nodePermissionSupport)', () => {
  it('computes once per key and shares the answer, pending or settled', async () => {
    const asked: string[] = [];
    const cache = new PromiseCache(async (key) => {
      asked.push(key);
      return key.length;
    });
    const [a, b] = [cache.get('node'), cache.get('node')];
    assert.equal(a, b, 'a pending answer is shared');
    assert.equal(await a, 4);
    assert.equal(await cache.get('node'), 4);
    assert.equal(await cache.get('/opt/node'), 9);
    assert.deepEqual(asked, ['node', '/opt/node']);
  });

  it('forgets a failed answer, so the next call asks again', async () => {
    let calls = 0;
    const cache = new PromiseCache(async () => {
      calls++;
      if (calls === 1) throw new Error('cannot run');
      return 'v24';
    });
    await assert.rejects(cache.get('x'), /cannot run/);
    assert.equal(await cache.get('x'), 'v24');
    assert.equal(await cache.get('x'), 'v24');
    assert.equal(calls, 2);
  });
});
