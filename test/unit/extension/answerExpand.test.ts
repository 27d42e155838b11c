import { strict as assert } from 'node:assert';
import { answerExpand, kernelsOf, type KernelLookup } from '../../../extension/pure/answerExpand';
import { NotebookRuns } from '../../../extension/pure/NotebookRuns';
import { FakeKernel } from '../helpers/fakeKernel';

const BUSY = 'The kernel is busy running a cell';

function lookup(kernels: FakeKernel[], busy = new Set<string>()): KernelLookup {
  return {
    byKernelId: (id) => kernels.find((k) => k.alive && k.info.kernelId === id),
    busy: (id) => busy.has(id),
  };
}

const expand = (kernelId: string, handleId = 7) => ({ type: 'expand' as const, requestId: 3, kernelId, handleId, start: 0, count: 50 });

describe('renderer expand requests (extension/pure/answerExpand)', () => {
  it('go to the live kernel that made the handle, by its kernelId', async () => {
    const [a, b] = [new FakeKernel(), new FakeKernel()];
    const answer = await answerExpand(lookup([a, b]), expand(b.info.kernelId), BUSY);
    assert.deepEqual(b.expanded, [{ handleId: 7, start: 0, count: 50 }]);
    assert.deepEqual(a.expanded, []);
    assert.equal(answer.requestId, 3);
    assert.equal(answer.page?.handle.kernelId, b.info.kernelId);
  });

  it('are stale when that kernel is gone (restarted or closed), so the renderer falls back to the saved preview', async () => {
    const k = new FakeKernel();
    await k.dispose();
    assert.deepEqual(await answerExpand(lookup([k]), expand(k.info.kernelId), BUSY), { type: 'expandResult', requestId: 3, stale: true });
    assert.deepEqual(k.expanded, []);
  });

  it('are stale when the kernel no longer knows the handle (its cell was run again)', async () => {
    const k = new FakeKernel();
    k.page = () => {
      throw new Error('expand failed: stale handle 7');
    };
    const answer = await answerExpand(lookup([k]), expand(k.info.kernelId), BUSY);
    assert.equal(answer.stale, true);
    assert.match(answer.error ?? '', /stale handle/);
  });

  it('wait for a busy kernel: the answer says so instead of hanging until the cell ends', async () => {
    const k = new FakeKernel();
    const answer = await answerExpand(lookup([k], new Set([k.info.kernelId])), expand(k.info.kernelId), BUSY);
    assert.deepEqual(answer, { type: 'expandResult', requestId: 3, error: BUSY });
    assert.deepEqual(k.expanded, []);
  });
});

describe("the kernels of the notebooks' runs, for expansions (kernelsOf)", () => {
  it('find the live kernel by id, say busy while its notebook runs a cell, and forget it once restarted', async () => {
    const runs = new NotebookRuns('nb.coda', { changed: () => undefined, started: () => undefined });
    const k = (await runs.slot.ensure('node', async () => new FakeKernel())) as FakeKernel;
    const kernels = kernelsOf(() => [runs]);
    assert.equal(kernels.byKernelId(k.info.kernelId), k);
    assert.equal(kernels.busy(k.info.kernelId), false);
    runs.busy(k);
    assert.equal(kernels.busy(k.info.kernelId), true);
    await runs.restart('restarted');
    assert.equal(kernels.byKernelId(k.info.kernelId), undefined);
    const answer = await answerExpand(kernels, expand(k.info.kernelId), BUSY);
    assert.equal(answer.stale, true);
  });
});
