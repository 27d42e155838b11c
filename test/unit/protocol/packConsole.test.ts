/**
 * Console batches travel packed (protocol/console.ts PackedConsole): an entry leaves out the cell, run, method, level
 * and depth it shares with the entry before. Whatever the mix of entries, the host gets back exactly what the kernel
 * sent, and a flood's batch shrinks.
 */
import { strict as assert } from 'node:assert';
import { CONSOLE_METHODS, packConsole, unpackConsole, type ConsoleEntry, type ConsoleLevel, type PackedConsole } from '../../../protocol';

const LEVELS: ConsoleLevel[] = ['log', 'info', 'warn', 'error', 'debug'];

/** A deterministic generator (no flaky seeds): the same entries on every run. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function entries(seed: number, n: number): ConsoleEntry[] {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const out: ConsoleEntry[] = [];
  let prev: ConsoleEntry | undefined;
  for (let i = 0; i < n; i++) {
    // mostly the same fields as the entry before (a loop), sometimes one of them changes
    const change = r();
    const e: ConsoleEntry = {
      method: prev && change > 0.15 ? prev.method : pick(CONSOLE_METHODS),
      level: prev && change > 0.3 ? prev.level : pick(LEVELS),
      cellId: prev && change > 0.1 ? prev.cellId : pick(['', 'cell-a', 'cell-b']),
      executionId: prev && change > 0.2 ? prev.executionId : pick([0, 1, 2, 17]),
      time: 1_700_000_000_000 + i + r(),
      depth: prev && change > 0.25 ? prev.depth : pick([0, 0, 1, 3]),
      text: `line ${i}`,
    };
    if (r() < 0.1) e.values = [{ kind: 'primitive', type: 'number', text: '1' } as never];
    if (r() < 0.05) e.open = true;
    if (r() < 0.05) e.line = 3;
    out.push(e);
    prev = e;
  }
  return out;
}

/** Through JSON, as the IPC channel and the agent's frames carry it. */
const wire = (batch: PackedConsole): PackedConsole => JSON.parse(JSON.stringify(batch)) as PackedConsole;

describe('packed console batches (PackedConsole)', () => {
  it('gives back exactly the entries packed, over many mixes of cells, runs, methods, levels and depths', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const sent = entries(seed, 1 + (seed % 40));
      assert.deepEqual(unpackConsole(wire(packConsole(sent))), sent, `seed ${seed}`);
    }
  });

  it('keeps the fields of an entry whose cell or run differs from the one before, even when the rest repeat', () => {
    const a: ConsoleEntry = { method: 'log', level: 'log', cellId: 'a', executionId: 1, time: 1, depth: 0, text: 'x' };
    const sent = [a, { ...a, cellId: 'b' }, { ...a, cellId: 'b', executionId: 2 }, { ...a, cellId: 'b', executionId: 2, depth: 1 }, { ...a, cellId: '' }];
    const { packed } = packConsole(sent);
    assert.ok(
      packed.every((p) => p.cellId !== undefined),
      'every entry here differs from the one before',
    );
    assert.deepEqual(unpackConsole(wire({ packed })), sent);
  });

  it("a flood's batch leaves out what repeats, and takes less than half of its bytes", () => {
    const line = (i: number): ConsoleEntry => ({
      method: 'log',
      level: 'log',
      cellId: '3c1f2a9e-6f0b-4f55-9a31-0d1f1f0b6c2e',
      executionId: 4,
      time: 1_733_412_345_678.123 + i,
      depth: 0,
      text: `line ${i}`,
    });
    const sent = Array.from({ length: 1000 }, (_, i) => line(i));
    const { packed } = packConsole(sent);
    assert.deepEqual(Object.keys(packed[1]!).sort(), ['text', 'time']);
    assert.ok(JSON.stringify(packed).length < 0.5 * JSON.stringify(sent).length);
    assert.deepEqual(unpackConsole(wire({ packed })), sent);
  });

  it('a batch that is not one gives no entries rather than throwing in the host', () => {
    for (const bad of [undefined, null, {}, { packed: 'x' }, { entries: [{ text: 'old' }] }]) assert.deepEqual(unpackConsole(bad as never), []);
  });
});
