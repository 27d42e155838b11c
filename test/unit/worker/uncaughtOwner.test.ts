import { strict as assert } from 'node:assert';
import type { WorkerEvents } from '../../../protocol';
import { startKernel, type TestKernel } from '../helpers/testKernel';
import { nodeBinaries } from '../../nodeBinaries';

/**
 * An unhandled rejection belongs to the cell run its work came from, not to the cell running when it is reported: on
 * Node 20 (no async context for promises) the first frame in a cell's own code names it (worker/node/uncaughtOwner.ts).
 */
for (const node of nodeBinaries())
  describe(`uncaught errors: the cell they came from (${node.name})`, function () {
    let k: TestKernel;
    const uncaught: WorkerEvents['uncaught'][] = [];
    before(async () => {
      k = await startKernel({ nodePath: node.path });
      k.kernel.onEvent('uncaught', (u) => uncaught.push(u));
    });
    after(() => k.kernel.dispose());

    it("a rejection from an earlier cell's promise chain, reported while a later cell runs, is the earlier run's", async () => {
      await k.run("async function main() { await new Promise((r) => setTimeout(r, 40)); throw new Error('from main'); }\nconsole.log('first ran'); main(); 1", {
        cellId: 'first',
      });
      await k.run("'second'", { cellId: 'second' });
      await k.run('await new Promise((r) => setTimeout(r, 200)); 3', { cellId: 'third' });
      const u = uncaught.find((e) => e.error.message === 'from main');
      assert.ok(u, JSON.stringify(uncaught));
      assert.equal(u.cellId, 'first');
      assert.equal(u.executionId, k.console.find((e) => e.text === 'first ran')!.executionId);
    });

    it('one with no frame in a cell (a rejected string) stays with the cell started last', async () => {
      await k.run("Promise.reject('plain'); 1", { cellId: 'plain' });
      await k.run('await new Promise((r) => setTimeout(r, 50)); 2', { cellId: 'after-plain' });
      const u = uncaught.find((e) => JSON.stringify(e.error).includes('plain'));
      assert.ok(u, JSON.stringify(uncaught));
      assert.equal(u.cellId, 'plain');
    });
  });
