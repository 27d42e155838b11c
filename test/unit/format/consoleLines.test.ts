import { strict as assert } from 'node:assert';
import type { ConsoleEntry } from '../../../protocol';
import { ConsoleLines } from '../../../host/format/ConsoleLines';
import { terminalSafe } from '../../../host/format/terminalSafe';
import { consoleEntry } from '../helpers/consoleEntry';

const entry = consoleEntry;

/** What a terminal receives, as one string. */
function terminal() {
  let written = '';
  // as coda run writes to its terminal: each piece made terminal-safe
  const lines = new ConsoleLines((s) => (written += terminalSafe(s)));
  const log = (e: ConsoleEntry, prefix = '') =>
    lines.console(
      e,
      () => `${prefix}${'  '.repeat(e.depth)}${e.text}`,
      () => e.text,
    );
  return { lines, log, written: () => written };
}

describe('console text written without a line end, as coda run prints it (host/format/ConsoleLines)', () => {
  it('leaves the line open for the text that continues it, as the cell wrote it', () => {
    const t = terminal();
    t.lines.line('── cell [1]');
    t.log(entry('.', { open: true }));
    t.log(entry('.', { open: true }));
    t.log(entry(' done'));
    t.lines.line('→ 1');
    assert.equal(t.written(), '── cell [1]\n.. done\n→ 1\n');
  });

  it('ends an open line before anything else: another line, a result, a summary, another stream, another cell', () => {
    const t = terminal();
    t.log(entry('progress', { open: true }));
    t.lines.line('→ 1');
    t.log(entry('out', { open: true }));
    t.log(entry('err', { method: 'error', level: 'error' }));
    t.log(entry('one', { open: true }));
    t.log(entry('two', { cellId: 'other' }), '(from cell [2]) ');
    t.log(entry('last', { open: true }));
    t.lines.close();
    t.lines.close();
    assert.equal(t.written(), 'progress\n→ 1\nout\nerr\none\n(from cell [2]) two\nlast\n');
  });

  it('prints a continuation without the prefix and indent of a new line, and keeps every piece terminal-safe', () => {
    const t = terminal();
    t.log(entry('a', { open: true, depth: 1 }), '(late) ');
    t.log(entry('\x1b]0;title\x07b', { depth: 1 }), '(late) ');
    assert.equal(t.written(), '(late)   a\\x1b]0;title\\x07b\n');
  });
});
