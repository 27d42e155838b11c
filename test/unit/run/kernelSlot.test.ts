import { strict as assert } from 'node:assert';
import { KernelSlot } from '../../../host/run/KernelSlot';
import { FakeKernel, fakeStarts } from '../helpers/fakeKernel';

describe("KernelSlot: a document's kernel", () => {
  it('is started once and reused while the runtime and access stay the same', async () => {
    const { start, kernels } = fakeStarts();
    const slot = new KernelSlot();
    const [a, b] = await Promise.all([slot.ensure('node', start), slot.ensure('node', start)]);
    const c = await slot.ensure('node', start);
    assert.equal(kernels.length, 1);
    assert.ok(a === b && b === c);
  });

  it('another runtime stops the kernel and starts a fresh one (its state cannot carry over)', async () => {
    const { start, kernels } = fakeStarts();
    const started: string[] = [];
    const slot = new KernelSlot({ started: (k) => started.push(k.info.runtime) });
    await slot.ensure('node', () => start({ runtime: 'node' }));
    const deno = await slot.ensure('deno', () => start({ runtime: 'deno' }));
    assert.equal(kernels[0]!.alive, false);
    assert.equal(deno.info.runtime, 'deno');
    assert.equal(slot.kernel, deno);
    assert.deepEqual(started, ['node', 'deno']);
  });

  it('a kernel that announced its end (`exiting`) is not reused: the next run waits for it and gets a fresh one', async () => {
    const { start, kernels } = fakeStarts();
    const ended: string[] = [];
    const slot = new KernelSlot({ ended: (_k, reason) => ended.push(reason) });
    const first = (await slot.ensure('sandbox', start)) as FakeKernel;
    first.emit('exiting', { code: 1, reason: 'stopped: the sandbox ran out of memory (limit 128 MB)', cellId: 'c1' });
    assert.deepEqual(ended, ['stopped: the sandbox ran out of memory (limit 128 MB)']);
    assert.equal(slot.kernel, undefined);
    const next = slot.ensure('sandbox', start);
    setTimeout(() => first.exit('stopped: the sandbox ran out of memory (limit 128 MB)'), 10);
    const second = await next;
    assert.notEqual(second, first);
    assert.equal(kernels.length, 2);
    // the exit that followed the announcement is not reported twice
    assert.equal(ended.length, 1);
  });

  it('a crash is reported once and the next run starts a fresh kernel; a stop asked for is not a crash', async () => {
    const { start } = fakeStarts();
    const ended: string[] = [];
    const slot = new KernelSlot({ ended: (_k, reason) => ended.push(reason) });
    const first = (await slot.ensure('node', start)) as FakeKernel;
    first.exit('process.exit(3) was called by cell [2]');
    const second = await slot.ensure('node', start);
    assert.notEqual(second, first);
    await slot.stop();
    assert.equal(second.alive, false);
    assert.deepEqual(ended, ['process.exit(3) was called by cell [2]']);
  });

  it('a failed start is reported and the next run tries again', async () => {
    const failures: string[] = [];
    const slot = new KernelSlot({ startFailed: (err) => failures.push((err as Error).message) });
    await assert.rejects(
      slot.ensure('node', async () => {
        throw new Error('no Node.js found');
      }),
      /no Node\.js found/,
    );
    const k = await slot.ensure('node', async () => new FakeKernel());
    assert.equal(slot.kernel, k);
    assert.deepEqual(failures, ['no Node.js found']);
  });
});

describe('KernelSlot disposal', () => {
  it('a kernel that finishes starting after its document went is stopped, not left running', async () => {
    const slot = new KernelSlot();
    const k = new FakeKernel();
    let release!: () => void;
    const starting = slot.ensure('node', () => new Promise<FakeKernel>((r) => (release = () => r(k))));
    await new Promise((r) => setImmediate(r));
    slot.dispose();
    release();
    await assert.rejects(starting, /document was closed/);
    assert.equal(k.alive, false);
  });
});
