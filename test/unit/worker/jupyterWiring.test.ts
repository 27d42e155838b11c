/**
 * Every Node (and Deno/Bun) kernel speaks the display APIs of other JavaScript kernels: ijavascript's `$$`, tslab's
 * module, and values that render themselves (Symbol.for('Jupyter.display')) shown as Jupyter shows them.
 */
import { strict as assert } from 'node:assert';
import { analyzeDependencies } from '../../../host/deps/analyzeDependencies';
import { sleep, startKernel, type TestKernel } from '../helpers/testKernel';

describe('Jupyter display APIs in the kernel', function () {
  this.timeout(30_000);
  let k: TestKernel;
  before(async () => (k = await startKernel()));
  after(() => k?.kernel.dispose());

  const displays = () => k.events.filter((e) => e.name === 'display').map((e) => (e.body as { data: { mime: string; data: string }[] }).data);

  it("ijavascript's $$.html shows HTML", async () => {
    k.events.length = 0;
    assert.equal((await k.run('$$.html("<b>bold</b>")')).status, 'ok');
    assert.deepEqual(displays(), [[{ mime: 'text/html', data: '<b>bold</b>' }]]);
  });

  it('a result that renders itself is shown as its bundle (every type in one output), not as a value', async () => {
    k.events.length = 0;
    const r = await k.run('({ [Symbol.for("Jupyter.display")]() { return { "text/html": "<i>x</i>", "text/plain": "x" } } })');
    assert.equal(r.status, 'ok');
    assert.equal(r.status === 'ok' ? r.value : 'error', undefined);
    assert.deepEqual(
      displays()[0]
        ?.map((d) => d.mime)
        .sort(),
      ['text/html', 'text/plain'],
    );
  });

  it("tslab's display module, without an install", async () => {
    k.events.length = 0;
    const analysis = await analyzeDependencies([{ cellId: 'c', code: 'import * as tslab from "tslab";' }]);
    assert.deepEqual(analysis.specs, [], 'tslab is provided by the kernel, never fetched from npm');
    assert.equal((await k.run('import * as tslab from "tslab"; tslab.display.markdown("# Title")')).status, 'ok');
    await sleep(50);
    assert.deepEqual(displays(), [[{ mime: 'text/markdown', data: '# Title' }]]);
  });

  it('$$.async() cells end at $$.done()', async () => {
    const r = await k.run('$$.async(); setTimeout(() => $$.done(), 50); 1');
    assert.equal(r.status, 'ok');
    assert.ok(r.durationMs >= 40, `ended after ${r.durationMs} ms`);
  });
});
