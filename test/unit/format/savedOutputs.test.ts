/**
 * Saved outputs are diff-friendly and private: the same output saves to the same bytes on every run, carries no
 * kernel handle, run number, timestamp, cell URI or home folder, and a console flood is stored one line per line.
 */
import { strict as assert } from 'node:assert';
import {
  loadedOutputData,
  MIME_CONSOLE,
  MIME_ERROR,
  MIME_VALUE,
  savedOutputData,
  serializeCoda,
  type ConsoleEntry,
  type ConsoleOutput,
  type ErrorOutput,
} from '../../../protocol';
import { matchGolden } from '../helpers/golden';

const HOME = '/home/alice';
const CELL_URI = 'vscode-notebook-cell://ssh-remote%2Bbox/home/alice/work/private/report.coda#W2sZmlsZQ%3D%3D';

/** One run's console output: its bookkeeping differs from run to run, its content does not. */
function consoleRun(run: number, lines = 3): ConsoleOutput {
  const entry = (text: string, extra: Partial<ConsoleEntry> = {}): ConsoleEntry => ({
    method: 'log',
    level: 'log',
    cellId: CELL_URI,
    executionId: run,
    time: 1_700_000_000_000 + run * 977,
    depth: 0,
    text,
    ...extra,
  });
  return {
    entries: [
      ...Array.from({ length: lines }, (_, i) => entry(`line ${i}`)),
      entry('config { retries: 3 }', {
        values: [{ type: 'object', subtype: 'object', className: 'Object', preview: '{retries: 3}', handle: { kernelId: `k-${run}`, id: 40 + run } }],
      }),
      entry('Error: nope', {
        method: 'error',
        level: 'error',
        frames: [
          { functionName: 'load', cellId: CELL_URI, cellLabel: '[2]', line: 3, column: 7 },
          { functionName: 'x', file: `${HOME}/work/node_modules/x/index.js`, line: 1, column: 1 },
        ],
      }),
      entry('multi\nline'),
    ],
  };
}

function errorRun(run: number): ErrorOutput {
  return {
    cellLabel: '[2]',
    error: {
      name: 'TypeError',
      message: `Cannot read ${HOME}/work/data.json`,
      stack: `TypeError: x\n    at load (cell[2]:3:7)\n    at ${HOME}/work/node_modules/x/index.js:1:1`,
      frames: [{ functionName: 'load', cellId: CELL_URI, cellLabel: '[2]', line: 3, column: 7 }],
      location: { cellId: CELL_URI, line: 3, column: 7 },
      cause: { name: 'Error', message: 'inner', stack: `Error: inner\n    at ${HOME}/x.js:1:1` },
    },
  };
  void run;
}

function savedDoc(run: number): string {
  return serializeCoda({
    coda: 1,
    metadata: {},
    cells: [
      {
        kind: 'code',
        language: 'javascript',
        source: ['work()'],
        outputs: [
          { items: [{ mime: MIME_CONSOLE, data: savedOutputData(MIME_CONSOLE, consoleRun(run), { home: HOME }) }] },
          {
            items: [
              {
                mime: MIME_VALUE,
                data: savedOutputData(
                  MIME_VALUE,
                  {
                    value: { type: 'object', subtype: 'map', className: 'Map', preview: 'Map(1) {a => 1}', size: 1, handle: { kernelId: `k-${run}`, id: run } },
                  },
                  { home: HOME },
                ),
              },
            ],
          },
          { items: [{ mime: MIME_ERROR, data: savedOutputData(MIME_ERROR, errorRun(run), { home: HOME }) }] },
        ],
      },
    ],
  });
}

describe('saved outputs', () => {
  it('the same output saves to the same bytes on every run', () => {
    assert.equal(savedDoc(1), savedDoc(2));
    matchGolden('format/saved-outputs.coda', savedDoc(1));
  });

  it('keeps no cell URI, kernel handle, run number, timestamp or home folder', () => {
    const text = savedDoc(7);
    for (const leak of ['vscode-notebook-cell', 'ssh-remote', HOME, 'kernelId', 'executionId', '"time"', '1700000'])
      assert.ok(!text.includes(leak), `saved file contains ${leak}`);
    assert.match(text, /~\/work\/node_modules\/x\/index\.js/);
  });

  it('does not shorten another user whose name starts like the home folder', () => {
    const saved = savedOutputData(MIME_ERROR, { error: { name: 'E', message: '/home/alice2/file and /home/alice/file' } }, { home: HOME }) as ErrorOutput;
    assert.equal(saved.error.message, '/home/alice2/file and ~/file');
  });

  it('stores a 10,000-line console flood one file line per console line', () => {
    const file = (data: unknown) =>
      serializeCoda({
        coda: 1,
        metadata: {},
        cells: [{ kind: 'code', language: 'javascript', source: ['flood()'], outputs: [{ items: [{ mime: MIME_CONSOLE, data }] }] }],
      });
    const live = consoleRun(1, 10_000);
    const text = file(savedOutputData(MIME_CONSOLE, live));
    const before = file(live); // what was saved until now: every entry as an object of 7 lines
    const lines = text.split('\n').length;
    assert.ok(lines < 10_100, `${lines} lines (before: ${before.split('\n').length})`);
    assert.ok(text.length * 5 < before.length, `${text.length} bytes (before: ${before.length})`);
  });

  it('saves a line left open at the end of a run as a line like any other (nothing continues it after a reload)', () => {
    const live = consoleRun(1);
    live.entries[1] = { ...live.entries[1]!, open: true };
    const saved = JSON.stringify(savedOutputData(MIME_CONSOLE, live));
    assert.ok(!saved.includes('"open"'), saved);
    assert.equal(saved, JSON.stringify(savedOutputData(MIME_CONSOLE, consoleRun(1))));
  });

  it('reads back what the renderer shows: the same entries, in order', () => {
    const live = consoleRun(3);
    const loaded = loadedOutputData(MIME_CONSOLE, JSON.parse(JSON.stringify(savedOutputData(MIME_CONSOLE, live)))) as ConsoleOutput;
    assert.deepEqual(
      loaded.entries.map((e) => [e.method, e.level, e.depth, e.text]),
      live.entries.map((e) => [e.method, e.level, e.depth, e.text]),
    );
    assert.equal(loaded.entries[3]!.values?.[0]?.type === 'object' && loaded.entries[3]!.values[0].handle, undefined);
    assert.equal(loaded.entries[4]!.frames?.[0]?.cellLabel, '[2]');
  });

  it('reads files saved before this format (full entries) unchanged', () => {
    const old = consoleRun(1);
    assert.deepEqual(
      (loadedOutputData(MIME_CONSOLE, old) as ConsoleOutput).entries.map((e) => e.text),
      old.entries.map((e) => e.text),
    );
  });
});
