/**
 * Text written to process.stdout or stderr without a line end: it shows under the cell that wrote it (never lost at
 * the cell's end, never under the next cell), while the cell runs, in order with the cell's other output, and the
 * consumers join it with what continues it (pushConsoleEntry); with secrets, joining never shows one whole.
 */
import { strict as assert } from 'node:assert';
import { MAX_CONSOLE_TEXT, pushConsoleEntry, type ConsoleEntry } from '../../../protocol';
import { MAX_PENDING_STREAM_TEXT } from '../../../worker/node/userConsole';
import { ConsoleLog } from '../../../extension/pure/ConsoleLog';
import { sleep, startKernel, type TestKernel } from '../helpers/testKernel';

const SECRET = 'open-line-secret-3f9a71c2';

const joined = (entries: ConsoleEntry[]) => {
  const out: ConsoleEntry[] = [];
  for (const e of entries) pushConsoleEntry(out, e);
  return out;
};
const lines = (k: TestKernel) => joined(k.console).map((e) => [e.cellId, e.text]);

describe('writes without a line end', function () {
  let k: TestKernel;
  before(async () => {
    k = await startKernel();
  });
  after(() => k.kernel.dispose());
  beforeEach(() => (k.console.length = 0));

  it('shows the text under the cell that wrote it, before its result, when the cell ends', async () => {
    let before = 0;
    const off = k.kernel.onEvent('console', () => before++);
    const r = await k.run('process.stdout.write("no line end"); 5', { cellId: 'writer' });
    off();
    assert.equal(r.status, 'ok');
    assert.ok(before > 0, 'the console event came before the result');
    assert.deepEqual(
      k.console.map((e) => [e.cellId, e.text, e.open]),
      [['writer', 'no line end', true]],
    );
    await k.run('process.stdout.write("own line\\n")', { cellId: 'next' });
    assert.deepEqual(lines(k), [
      ['writer', 'no line end'],
      ['next', 'own line'],
    ]);
  });

  it('sends the text while the cell still runs, and the consumers join the pieces into one line', async () => {
    const arrived: number[] = [];
    const off = k.kernel.onEvent('console', () => arrived.push(Date.now()));
    await k.run('for (let i = 0; i < 3; i++) { process.stdout.write("."); await new Promise((r) => setTimeout(r, 150)) } process.stdout.write(" done\\n")');
    const ended = Date.now();
    off();
    assert.ok(ended - arrived[0]! >= 300, `the first dot arrived ${ended - arrived[0]!} ms before the cell ended`);
    assert.ok(k.console.length >= 3, 'each dot went out on its own');
    assert.deepEqual(lines(k), [[k.console[0]!.cellId, '... done']]);
    const log = new ConsoleLog(100);
    log.push(k.console);
    assert.deepEqual(
      log.output().entries.map((e) => e.text),
      ['... done'],
    );
  });

  it('keeps the order of a cell output: console calls continue the open line of their stream, others start their own', async () => {
    await k.run(
      'process.stdout.write("a"); console.log("x"); process.stdout.write("b"); console.error("e"); process.stderr.write("c"); display.text("shown"); process.stdout.write("d\\n")',
    );
    await sleep(50);
    assert.deepEqual(
      k.console.map((e) => [e.method, e.text, !!e.open]),
      [
        ['log', 'a', true],
        ['log', 'x', false],
        ['log', 'b', true],
        ['error', 'e', false],
        ['error', 'c', true],
        ['log', 'd', false],
      ],
    );
    assert.deepEqual(
      joined(k.console).map((e) => e.text),
      ['ax', 'b', 'e', 'c', 'd'],
    );
  });

  it("keeps a background write's text under the cell that started it, sent without waiting for a line end", async () => {
    await k.run('setTimeout(() => process.stdout.write("late, no line end"), 30); 1', { cellId: 'starter' });
    await k.run('2', { cellId: 'other' });
    await sleep(150);
    assert.deepEqual(lines(k), [['starter', 'late, no line end']]);
  });

  it('does not join a write of one cell to the open line another cell left', async () => {
    await k.run('process.stdout.write("first")', { cellId: 'one' });
    await k.run('process.stdout.write(" second\\n")', { cellId: 'two' });
    assert.deepEqual(lines(k), [
      ['one', 'first'],
      ['two', ' second'],
    ]);
  });

  it('joins pieces up to the length of a console line, then starts a new line; a piece over the held limit goes out open', async () => {
    const tick = 'await new Promise((r) => setTimeout(r, 20));';
    await k.run(
      `process.stdout.write("x".repeat(12000)); ${tick} process.stdout.write("y".repeat(6000)); ${tick} process.stdout.write("z".repeat(6000)); ${tick} process.stdout.write("\\n")`,
    );
    assert.deepEqual(
      joined(k.console).map((e) => e.text.length),
      [18000, 6000],
    );
    k.console.length = 0;
    await k.run(`process.stdout.write("w".repeat(${MAX_PENDING_STREAM_TEXT + 10}))`);
    assert.ok(k.console.length >= 1 && k.console.every((e) => e.open));
    assert.ok(joined(k.console).every((e) => e.text.length <= MAX_CONSOLE_TEXT + 40));
  });

  it('sends what a cell wrote without a line end before process.exit() ends the kernel', async () => {
    const exiting = await startKernel();
    try {
      await exiting.run('process.stdout.write("bye"); process.exit(3)').catch(() => undefined);
      await sleep(100);
      assert.deepEqual(
        exiting.console.map((e) => e.text),
        ['bye'],
      );
    } finally {
      await exiting.kernel.dispose();
    }
  });

  describe('with a secret', () => {
    let s: TestKernel;
    before(async () => {
      s = await startKernel({ init: { env: { OPEN_SECRET: SECRET }, maskedValues: [SECRET] } });
    });
    after(() => s.kernel.dispose());
    beforeEach(() => (s.console.length = 0));
    const shown = () => joined(s.console).map((e) => e.text);

    it('masks a secret written in pieces across awaits while the cell runs (the start of one waits for its end)', async () => {
      await s.run(
        'const S = process.env.OPEN_SECRET; process.stdout.write("token " + S.slice(0, 6)); await new Promise((r) => setTimeout(r, 50)); process.stdout.write(S.slice(6)); await new Promise((r) => setTimeout(r, 50)); process.stdout.write(" ok\\n")',
      );
      assert.ok(!JSON.stringify(s.console).includes(SECRET.slice(0, 8)), JSON.stringify(s.console));
      assert.equal(shown().length, 1);
      assert.match(shown()[0]!, /^token \S+ ok$/);
      assert.ok(!shown()[0]!.includes(SECRET));
    });

    it('masks a secret at the end of a cell, and never joins background text to the line the end cut', async () => {
      await s.run('const T = process.env.OPEN_SECRET; process.stdout.write("at the end " + T); setTimeout(() => process.stdout.write("\\n"), 20)');
      await s.run('const U = process.env.OPEN_SECRET; process.stdout.write(U.slice(0, 9)); setTimeout(() => process.stdout.write(U.slice(9) + "\\n"), 20)');
      await sleep(150);
      const text = shown().join('\n');
      assert.ok(!text.includes(SECRET), text);
      assert.ok(shown()[0]!.startsWith('at the end '));
      const log = new ConsoleLog(100);
      log.push(s.console);
      assert.ok(!log.plainText(() => '[1]').includes(SECRET));
    });
  });
});
