import { strict as assert } from 'node:assert';
import { sleep, startKernel, type TestKernel } from '../helpers/testKernel';

describe('console capture and attribution', function () {
  let k: TestKernel;
  before(async () => {
    k = await startKernel();
  });
  after(() => k.kernel.dispose());

  it('captures every console method with its level, in call order, before the result', async () => {
    k.console.length = 0;
    await k.run(`console.log("log %s", "x"); console.info("info"); console.debug("debug"); console.warn("warn"); console.error("error");
console.dir({ a: { b: 1 } }); console.table([{ a: 1 }, { a: 2, b: 3 }]); console.group("g"); console.log("inside"); console.groupEnd();
console.count(); console.count(); console.countReset(); console.count(); console.time("t"); console.timeEnd("t");
console.assert(1 === 2, "math"); console.assert(true, "never"); console.trace("here"); console.timeEnd("missing");`);
    const seen = k.console.map((e) => [e.method, e.level, e.depth]);
    assert.deepEqual(seen.slice(0, 11), [
      ['log', 'log', 0],
      ['info', 'info', 0],
      ['debug', 'debug', 0],
      ['warn', 'warn', 0],
      ['error', 'error', 0],
      ['dir', 'log', 0],
      ['table', 'log', 0],
      ['group', 'log', 0],
      ['log', 'log', 1],
      ['count', 'log', 0],
      ['count', 'log', 0],
    ]);
    const texts = k.console.map((e) => e.text);
    assert.equal(texts[0], 'log x');
    assert.deepEqual(k.console[6]!.table?.columns, ['(index)', 'a', 'b']);
    assert.deepEqual(texts.slice(9, 12), ['default: 1', 'default: 2', 'default: 1']);
    assert.match(texts[12]!, /^t: \d+\.\d{3}ms$/);
    assert.equal(texts[13], 'Assertion failed: math');
    assert.equal(k.console[13]!.level, 'error');
    assert.equal(texts[14], 'Trace: here');
    assert.ok(
      k.console[14]!.frames?.some((f) => f.cellId),
      'trace frames point at the cell',
    );
    assert.equal(k.console[15]!.level, 'warn');
  });

  it('gives object arguments expandable previews', async () => {
    k.console.length = 0;
    await k.run('console.log("user", { name: "Ada", tags: ["x"] })');
    const entry = k.console[0]!;
    assert.equal(entry.text, "user { name: 'Ada', tags: [ 'x' ] }");
    assert.equal(entry.values?.length, 1);
    assert.ok(entry.values![0]!.type === 'object' && entry.values![0]!.handle, 'object argument has a handle');
  });

  it('attributes output printed later by timers and promises to the cell that started the work', async () => {
    k.console.length = 0;
    await k.run('setTimeout(() => console.log("late timer"), 30); Promise.resolve().then(() => console.log("microtask"))', { cellId: 'starter' });
    await k.run('console.log("other cell")', { cellId: 'other' });
    await sleep(100);
    const owner = (text: string) => k.console.find((e) => e.text === text)?.cellId;
    assert.equal(owner('late timer'), 'starter');
    assert.equal(owner('microtask'), 'starter');
    assert.equal(owner('other cell'), 'other');
  });

  it("output a timer prints right after the cell reaches the host after the cell's result, also when both come in one read", async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const order: string[] = [];
      const off = k.kernel.onEvent('console', (b) => order.push(...b.entries.map((e) => e.text)));
      const cell = k.run('setTimeout(() => console.log("late"), 5); "done"').then(() => order.push('result'));
      // the host busy while the worker replies and the timer prints: both frames wait in the pipe for one read
      const until = performance.now() + 150;
      while (performance.now() < until);
      await cell;
      await sleep(30);
      off();
      assert.deepEqual(order, ['result', 'late']);
    }
  });

  it('says which cell still runs background work, and when it drains', async () => {
    const pending = k.waitFor('cellWork', (b) => b.cellId === 'bg' && b.pending > 0);
    const drained = k.waitFor('cellWork', (b) => b.cellId === 'bg' && b.pending === 0);
    await k.run('setTimeout(() => {}, 50)', { cellId: 'bg' });
    assert.deepEqual((await pending).kinds, ['timeout']);
    await drained;
  });

  it('reports errors thrown by background work against their cell and keeps the kernel alive', async () => {
    const uncaught = k.waitFor('uncaught');
    await k.run('setTimeout(() => { throw new Error("from timer") }, 5)', { cellId: 'thrower' });
    const u = await uncaught;
    assert.equal(u.cellId, 'thrower');
    assert.equal(u.error.message, 'from timer');
    assert.equal(await k.value('"still alive"'), 'still alive');
  });

  it('turns process.stdout and process.stderr writes into console lines', async () => {
    k.console.length = 0;
    await k.run('process.stdout.write("out line\\n"); process.stderr.write("err line\\n")');
    assert.deepEqual(
      k.console.map((e) => [e.text, e.level]),
      [
        ['out line', 'log'],
        ['err line', 'error'],
      ],
    );
  });

  it('sends rich output from display()', async () => {
    const d = k.waitFor('display', (b) => b.data[0]!.mime === 'text/html');
    await k.run('display.html("<b>bold</b>")', { cellId: 'rich' });
    assert.deepEqual((await d).data, [{ mime: 'text/html', data: '<b>bold</b>' }]);
    const t = k.waitFor('display', (b) => b.data[0]!.mime === 'text/html' && b.data[0]!.data.includes('<table>'));
    await k.run('display.table([{ a: 1, b: "<x>" }])');
    assert.match((await t).data[0]!.data, /<td>&#60;x&#62;<\/td>/);
  });

  it('reports each top-level expression value and console line in scratch mode', async () => {
    k.events.length = 0;
    k.console.length = 0;
    await k.run('const s = 2\ns * 3\nconsole.log("at line 3")\ns + 1', { instrumentLines: true, cellId: 'scratch' });
    const values = k.events
      .filter((e) => e.name === 'lineValue')
      .map((e) => {
        const b = e.body as { line: number; value: { type: string; text?: string } };
        return [b.line, b.value.text ?? b.value.type];
      });
    assert.deepEqual(values, [
      [2, '6'],
      [3, 'undefined'],
      [4, '3'],
    ]);
    assert.equal(k.console[0]!.line, 3);
  });
});
