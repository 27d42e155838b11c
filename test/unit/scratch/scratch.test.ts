import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleEntry } from '../../../protocol';
import type { CodaDocument } from '../../../protocol/codaFile';
import { parseCoda, serializeCoda } from '../../../protocol/codaFormat';
import { notebookToScript, scriptLanguage, scriptToNotebook } from '../../../host/notebook/scriptNotebook';
import { inlineConsole, inlineValue, lineAnnotation } from '../../../extension/pure/inlineText';
import { RunScheduler } from '../../../extension/pure/RunScheduler';
import { scratchRuntime } from '../../../host/notebook/scratchRuntime';
import { cellAt, documentLine, splitCells } from '../../../host/notebook/splitCells';
import { matchGolden } from '../helpers/golden';
import { ROOT } from '../helpers/testKernel';

const script = `import fs from "node:fs";
const a = 1;
// %% first cell
a + 1
//%%
console.log("two")

  // %% [markdown] Notes
// # Heading
// text
// %%
const last = 3;`;

describe('scratch cells', () => {
  it('splits on // %% markers, keeps code before the first one, and reads markdown cells', () => {
    const cells = splitCells(script);
    assert.deepEqual(
      cells.map((c) => [c.index, c.kind, c.title, c.markerLine, c.startLine, c.endLine]),
      [
        [0, 'code', '', -1, 0, 2],
        [1, 'code', 'first cell', 2, 3, 4],
        [2, 'code', '', 4, 5, 7],
        [3, 'markdown', 'Notes', 7, 8, 10],
        [4, 'code', '', 10, 11, 12],
      ],
    );
    assert.equal(cells[3]!.code, '# Heading\ntext');
    assert.equal(cells[1]!.code, 'a + 1');
  });

  it('maps kernel lines back to document lines and finds the cell of a line', () => {
    const cells = splitCells(script);
    assert.equal(documentLine(cells[2]!.startLine, 1), 5);
    assert.equal(cellAt(cells, 4)!.index, 2, 'a marker line belongs to the cell it starts');
    assert.equal(cellAt(cells, 6)!.index, 2);
    assert.equal(cellAt(cells, 0)!.index, 0);
  });

  it('converts a script to a notebook and back without losing sources', () => {
    const doc = scriptToNotebook(script, 'javascript');
    assert.deepEqual(
      doc.cells.map((c) => c.kind),
      ['code', 'code', 'code', 'markup', 'code'],
    );
    const text = serializeCoda(doc);
    const parsed = parseCoda(text);
    assert.ok(parsed.ok);
    const back = notebookToScript(parsed.doc);
    assert.deepEqual(
      splitCells(back).map((c) => [c.kind, c.code]),
      splitCells(script).map((c) => [c.kind, c.code]),
    );
  });

  it('exports a notebook with JS and TS cells as a .ts script whose JS cells say so, and converts it back', () => {
    const doc: CodaDocument = {
      coda: 1,
      metadata: { runtime: 'node' },
      cells: [
        { kind: 'code', language: 'typescript', source: ['const n: number = 1;'] },
        { kind: 'code', language: 'javascript', source: ['let s = n;', "s = 'text';"], metadata: { title: 'loose' } },
      ],
    };
    assert.equal(scriptLanguage(doc), 'typescript');
    const script = notebookToScript(doc);
    assert.equal(script, "// %%\nconst n: number = 1;\n// %% [javascript] loose\nlet s = n;\ns = 'text';");
    const back = scriptToNotebook(script, 'typescript');
    assert.deepEqual(
      back.cells.map((c) => [c.language, c.metadata?.title]),
      [
        ['typescript', undefined],
        ['javascript', 'loose'],
      ],
    );
    // a notebook of JavaScript cells only exports an untagged .js script
    assert.equal(notebookToScript({ ...doc, cells: [doc.cells[1]!] }), "// %% loose\nlet s = n;\ns = 'text';");
  });

  it('formats inline annotations (golden)', () => {
    const entry = (text: string, level: ConsoleEntry['level'] = 'log'): ConsoleEntry => ({
      method: 'log',
      level,
      cellId: 'c',
      executionId: 1,
      time: 0,
      depth: 0,
      text,
    });
    const lines = [
      inlineValue({ type: 'number', text: '42' }),
      inlineValue({ type: 'string', value: 'a\nb', length: 3 }),
      inlineValue({ type: 'undefined' }),
      inlineValue({ type: 'object', subtype: 'array', className: 'Array', preview: `[ ${Array.from({ length: 40 }, (_, i) => i).join(', ')} ]` }),
      inlineConsole(entry('hello')),
      inlineConsole(entry('careful', 'warn')),
      inlineConsole(entry('line one\nline two')),
      lineAnnotation(['→ 1', '» hello']),
    ];
    matchGolden('scratch/inline.txt', `${lines.join('\n')}\n`);
  });
});

describe('run scheduler (never twice at once)', () => {
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('stops the running run before starting the next, and collapses a burst into one run', async () => {
    const runs: ReturnType<typeof deferred>[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    let stops = 0;
    const s = new RunScheduler({
      run: async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        const d = deferred();
        runs.push(d);
        await d.promise;
        concurrent--;
      },
      stop: () => {
        stops++;
        runs[runs.length - 1]?.resolve();
      },
    });
    const first = s.request();
    void s.request();
    void s.request();
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(runs.length, 2, 'the burst became one more run');
    runs[1]!.resolve();
    await first;
    assert.equal(maxConcurrent, 1);
    assert.equal(stops, 2);
    assert.equal(s.busy, false);
  });

  it('debounces requests and stop() cancels a pending one', async () => {
    let runs = 0;
    const timers: (() => void)[] = [];
    const s = new RunScheduler({
      run: async () => void runs++,
      stop: () => undefined,
      setTimer: (fn) => timers.push(fn),
      clearTimer: (h) => (timers[(h as number) - 1] = () => undefined),
    });
    s.debounce(600);
    s.debounce(600);
    s.debounce(600);
    timers.forEach((fire) => fire());
    await new Promise((r) => setTimeout(r, 1));
    assert.equal(runs, 1, 'three quick edits, one run');
    timers.length = 0;
    s.debounce(600);
    s.stop();
    timers.forEach((fire) => fire());
    await new Promise((r) => setTimeout(r, 1));
    assert.equal(runs, 1, 'stopped before it ran');
  });
});

describe('marker grammar', () => {
  const grammar = JSON.parse(readFileSync(join(ROOT, 'syntaxes', 'codajs-markers.tmLanguage.json'), 'utf8'));
  const re = (name: string) => new RegExp(grammar.repository[name].match);
  it('matches cell markers with titles and magic comments with a package spec', () => {
    assert.deepEqual(re('cell-marker').exec('  // %% [markdown] Intro')?.slice(1), ['//', '%%', '[markdown]', 'Intro']);
    assert.equal(re('cell-marker').exec('// %%')?.[2], '%%');
    assert.equal(re('cell-marker').exec('const x = "%%"'), null);
    assert.deepEqual(re('magic-comment').exec('// @coda-dep lodash@4.17.21')?.slice(2, 4), ['@coda-dep', 'lodash@4.17.21']);
  });
});

describe('scratch runtime choice', () => {
  it('a // @coda-runtime comment wins over the setting; unknown names are errors', () => {
    assert.deepEqual(scratchRuntime('// @coda-runtime deno\nconsole.log(1)', 'node'), { runtime: 'deno' });
    assert.deepEqual(scratchRuntime('const a = 1;\n  //   @coda-runtime sandbox', 'bun'), { runtime: 'sandbox' });
    assert.deepEqual(scratchRuntime('1 + 1', 'bun'), { runtime: 'bun' });
    assert.deepEqual(scratchRuntime('1 + 1', undefined), { runtime: 'node' });
    assert.match((scratchRuntime('// @coda-runtime python', 'node') as { error: string }).error, /Unknown runtime "python"/);
  });
});
