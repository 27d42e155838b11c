import { strict as assert } from 'node:assert';
import { nodeBinaries, sleep, startKernel, type TestKernel } from '../helpers/testKernel';

/** Generous bound that proves a cell was stopped at all; latency itself is measured by `npm run bench`. */
const STOPPED_WITHIN_MS = 3000;

async function interruptAfter(k: TestKernel, code: string, delayMs = 150) {
  const running = k.run(code);
  await sleep(delayMs);
  k.kernel.interrupt();
  const outcome = await Promise.race([running, sleep(STOPPED_WITHIN_MS).then(() => 'still running' as const)]);
  return outcome === 'still running' ? outcome : outcome.status;
}

for (const node of nodeBinaries()) {
  describe(`interrupt (${node.name})`, function () {
    let k: TestKernel;
    before(async () => {
      k = await startKernel({ nodePath: node.path });
      await k.run('const before = "kept"');
    });
    after(() => k.kernel.dispose());

    for (const [name, code] of [
      ['a synchronous while(true){}', 'while (true) {}'],
      ['a loop after an await', 'await null; while (true) {}'],
      ['a hung await', 'await new Promise(() => {})'],
      ['a loop inside a timer callback', 'setTimeout(() => { for (;;) {} }, 10); await new Promise((r) => setTimeout(r, 1e7))'],
    ]) {
      it(`stops ${name} and keeps the kernel and its variables`, async () => {
        assert.equal(await interruptAfter(k, code!), 'interrupted');
        assert.equal(await k.value('before'), 'kept');
      });
    }

    it("stops the interrupted cell's intervals", async () => {
      k.console.length = 0;
      assert.equal(await interruptAfter(k, 'setInterval(() => console.log("tick"), 10); await new Promise(() => {})'), 'interrupted');
      const ticks = k.console.length;
      await sleep(100);
      assert.equal(k.console.length, ticks, 'no tick after the interrupt');
    });

    it('stops a cell whose interrupt overtakes its execute request (stop pressed right after run)', async () => {
      // the control pipe's byte and the channel's execute race to the worker: in any order, the cell stops
      for (let i = 0; i < 10; i++) {
        const running = k.run('while (true) {}');
        k.kernel.interrupt();
        const outcome = await Promise.race([running, sleep(STOPPED_WITHIN_MS).then(() => 'still running' as const)]);
        assert.equal(outcome === 'still running' ? outcome : outcome.status, 'interrupted', `attempt ${i + 1}`);
      }
      assert.equal(await k.value('before'), 'kept');
    });

    it("a second interrupt of the same cell does not stop other cells' background work", async () => {
      await k.run('globalThis.ticks = 0; globalThis.ticker = setInterval(() => ticks++, 5)');
      const running = k.run('await new Promise(() => {})');
      await sleep(50);
      k.kernel.interrupt();
      assert.equal((await running).status, 'interrupted');
      const before = Number(await k.value('ticks'));
      await sleep(100);
      assert.ok(Number(await k.value('ticks')) > before, "the other cell's interval still ticks");
      await k.run('clearInterval(ticker)');
    });

    it('cuts the JavaScript only of a loop that holds the thread: a cell that gives it back takes the interrupt itself', async () => {
      const terminations: string[] = [];
      const off = k.kernel.onEvent('log', (b) => b.message.startsWith('terminated') && terminations.push(b.message));
      try {
        for (let round = 1; round <= 3; round++) {
          for (const code of [
            'await new Promise(() => {})',
            'for (;;) await new Promise((r) => setTimeout(r, 1))',
            'for (;;) await new Promise((r) => setImmediate(r))',
          ]) {
            assert.equal(await interruptAfter(k, code, 50), 'interrupted', `round ${round}: ${code}`);
            assert.deepEqual(terminations, [], `round ${round}: ${code} gives the thread back, yet it was terminated`);
          }
          for (const code of ['while (true) {}', 'for (;;) await null']) {
            assert.equal(await interruptAfter(k, code, 50), 'interrupted', `round ${round}: ${code}`);
            // (the watchdog's report follows the cell's result)
            for (let waited = 0; terminations.length === 0 && waited < 2000; waited += 10) await sleep(10);
            assert.equal(terminations.length, 1, `round ${round}: ${code} holds the thread and is terminated`);
            terminations.length = 0;
          }
        }
      } finally {
        off();
      }
      assert.equal(await k.value('before'), 'kept');
    });

    it("ends the kernel, saying why, when an interrupt breaks Node's queue of immediates (a loop in a later setImmediate callback)", async () => {
      // terminating that loop skips Node's bookkeeping of its callback; Node's next turn of the queue then throws on
      // every pass and nothing else would ever run: the kernel ends instead of hanging, and the host is told why
      const own = await startKernel({ nodePath: node.path });
      try {
        const exit = new Promise<import('../../../host/kernel/Kernel').KernelExit>((r) => own.kernel.onExit(r));
        const running = own.run('setImmediate(() => {}); setImmediate(() => { while (true) {} }); await new Promise(() => {})');
        await sleep(100);
        own.kernel.interrupt();
        await assert.rejects(running, /The kernel stopped: an interrupt cut a loop in a setImmediate callback short/);
        const ended = await exit;
        assert.equal(ended.expected, false);
        assert.match(ended.reason, /breaks Node's queue of immediates/);
      } finally {
        await own.kernel.dispose();
      }
    });

    it('stops background work when no cell is running', async () => {
      await k.run('setInterval(() => { const end = Date.now() + 5; while (Date.now() < end) {} }, 1)');
      k.kernel.interrupt();
      await sleep(100);
      assert.equal(await k.value('1 + 1'), '2');
    });
  });
}

describe('restart and crashes', function () {
  it('a new kernel starts with a clean state', async () => {
    const a = await startKernel();
    await a.run('globalThis.leftover = 1; const declared = 2');
    await a.kernel.dispose();
    assert.equal(a.kernel.alive, false);
    const b = await startKernel();
    try {
      assert.equal(await b.value('typeof leftover + " " + typeof declared'), 'undefined undefined');
    } finally {
      await b.kernel.dispose();
    }
  });

  it('reports process.exit() called by a cell, and fails the running request with that reason', async () => {
    const k = await startKernel();
    const exit = new Promise<import('../../../host/kernel/Kernel').KernelExit>((r) => k.kernel.onExit(r));
    await assert.rejects(k.run('console.log("bye"); process.exit(3)', { cellId: 'exiter' }), /process\.exit\(3\) was called by cell/);
    const info = await exit;
    assert.equal(info.code, 3);
    assert.equal(info.expected, false);
    assert.ok(
      k.console.some((e) => e.text === 'bye'),
      'output printed before exiting is kept',
    );
  });

  it('reports running out of memory in words', async () => {
    const k = await startKernel({ execArgv: ['--max-old-space-size=40'] });
    const exit = new Promise<import('../../../host/kernel/Kernel').KernelExit>((r) => k.kernel.onExit(r));
    await assert.rejects(k.run('const hog = []; while (true) hog.push(new Array(1e5).fill(Math.random()))'), /ran out of memory \(heap limit 40 MB/);
    assert.match((await exit).reason, /out of memory/);
  });

  it('treats a stack overflow as an ordinary cell error', async () => {
    const k = await startKernel();
    try {
      const r = await k.run('function down(n) { return down(n + 1) + 1 }\ndown(0)');
      assert.equal(r.status === 'error' && r.error.name, 'RangeError');
      assert.equal(await k.value('"alive"'), 'alive');
    } finally {
      await k.kernel.dispose();
    }
  });

  it('gives a clear error for a node binary that cannot run', async () => {
    await assert.rejects(startKernel({ nodePath: '/nonexistent/node' }), /Could not start the CodaJS kernel with \/nonexistent\/node/);
  });
});
