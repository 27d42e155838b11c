import { strict as assert } from 'node:assert';
import { MAX_CONSOLE_TEXT } from '../../../protocol';
import { ConsoleLog } from '../../../extension/pure/ConsoleLog';
import { ExecutionQueue } from '../../../extension/pure/ExecutionQueue';
import { consoleEntry } from '../helpers/consoleEntry';

const entry = consoleEntry;

describe('cell console log (stored output)', () => {
  it('stores everything while small', () => {
    const log = new ConsoleLog(10);
    log.push([entry('a'), entry('b', { level: 'warn', method: 'warn' })]);
    assert.deepEqual(
      log.output().entries.map((e) => e.text),
      ['a', 'b'],
    );
    assert.equal(log.output().omitted, undefined);
    assert.equal(
      log.plainText(() => '[1]'),
      'a\nb',
    );
  });

  it('joins a line written without its end to the plain text of the same stream and cell run that continues it', () => {
    const log = new ConsoleLog(10);
    log.push([entry('a', { open: true }), entry('b', { open: true }), entry('c')]);
    log.push([entry('d', { open: true }), entry('e', { method: 'error', level: 'error' })]);
    log.push([entry('f', { open: true }), entry('g', { executionId: 2 })]);
    log.push([entry('h', { open: true }), entry('i', { values: [{ type: 'number', text: '1' }] })]);
    log.push([entry('j', { open: true }), entry('k', { depth: 1 })]);
    assert.deepEqual(
      log.all().map((e) => [e.text, !!e.open]),
      [
        ['abc', false],
        ['d', true],
        ['e', false],
        ['f', true],
        ['g', false],
        ['h', true],
        ['i', false],
        ['j', true],
        ['k', false],
      ],
    );
    assert.equal(log.revision, 11, 'every entry received changes the output');
    assert.equal(log.size, 9);
  });

  it('starts a new line where joining would pass the length of a console line', () => {
    const log = new ConsoleLog(10);
    log.push([entry('x'.repeat(MAX_CONSOLE_TEXT - 5), { open: true }), entry('y'.repeat(5), { open: true }), entry('z')]);
    assert.deepEqual(
      log.all().map((e) => e.text.length),
      [MAX_CONSOLE_TEXT, 1],
    );
  });

  it('keeps the first and last entries of a flood and counts the rest, while all stay available', () => {
    const log = new ConsoleLog(4);
    log.push(Array.from({ length: 100_000 }, (_, i) => entry(`line ${i}`)));
    const out = log.output();
    assert.deepEqual(
      out.entries.map((e) => e.text),
      ['line 0', 'line 1', 'line 99998', 'line 99999'],
    );
    assert.equal(out.omitted, 99_996);
    assert.equal(log.all().length, 100_000);
    assert.equal(
      log.plainText(() => ''),
      'line 0\nline 1\n… 99996 lines omitted …\nline 99998\nline 99999',
    );
  });
});

describe('execution queue', () => {
  it('runs tasks one at a time in request order', async () => {
    const q = new ExecutionQueue();
    const order: string[] = [];
    const task = (name: string, ms: number) => () =>
      new Promise<void>((r) =>
        setTimeout(() => {
          order.push(name);
          r();
        }, ms),
      );
    await Promise.all([q.run(task('slow', 30)), q.run(task('fast', 1)), q.run(task('last', 5))]);
    assert.deepEqual(order, ['slow', 'fast', 'last']);
  });

  it('drops queued tasks on cancel (an interrupt), but not the running one', async () => {
    const q = new ExecutionQueue();
    const ran: string[] = [];
    let release!: () => void;
    const first = q.run(
      () =>
        new Promise<void>((r) => {
          ran.push('first');
          release = r;
        }),
    );
    const second = q.run(async () => void ran.push('second'));
    await new Promise((r) => setTimeout(r, 5));
    q.cancelPending();
    release();
    assert.deepEqual([await first, await second], [true, false]);
    assert.deepEqual(ran, ['first']);
    assert.equal(await q.run(async () => void ran.push('after')), true);
  });
});
