/**
 * The cell transform's async hooks (trackAsync): each top-level statement reports its line first, each top-level
 * `await` (and only those: not inside a function, not `for await`) awaits through the await hook with the id of its
 * site, and the code still means what the cell wrote.
 */
import { strict as assert } from 'node:assert';
import vm from 'node:vm';
import { AWAIT_HOOK, STATEMENT_HOOK, transformCell } from '../../../worker/transform/transformCell';
import { LOOP_HOOK, loopStopError } from '../../../worker/runtime/loopStop';

/** Runs transformed code in a fresh context whose hooks record their calls; returns the cell's value and the calls. */
async function run(source: string, awaitBase = 0) {
  const out = transformCell(source, { trackAsync: { awaitBase } });
  const statements: number[] = [];
  const awaited: number[] = [];
  const context = vm.createContext({
    [STATEMENT_HOOK]: (line: number) => statements.push(line),
    [AWAIT_HOOK]: (value: unknown, id: number) => {
      awaited.push(id);
      return value;
    },
  });
  const box = (await vm.runInContext(out.code, context)) as { 0: unknown } | undefined;
  return { value: box?.[0], statements, awaited, sites: out.awaits, code: out.code };
}

describe('cell transform: async hooks', () => {
  it('reports each top-level statement, skipping directives and empty statements', async () => {
    const r = await run('"use strict";\nconst a = 1;\n;\nfunction f() { return a }\nlet b = f() +\n  1;\nb');
    assert.deepEqual(r.statements, [2, 4, 5, 7]);
    assert.equal(r.value, 2);
  });

  it('routes top-level awaits through the hook, with their site ids, and none inside functions', async () => {
    const r = await run(
      'async function inner() { return await 1 }\nconst arrow = async () => await 2;\nconst x = await inner();\nawait await arrow();\nconst s = await (0, 3);\nx + s',
      10,
    );
    assert.equal(r.value, 4);
    assert.deepEqual(
      r.sites.map((s) => [s.line, s.text]),
      [
        [3, 'await inner()'],
        [4, 'await await arrow()'],
        [4, 'await arrow()'],
        [5, 'await (0, 3)'],
      ],
    );
    // the inner of `await await x` is awaited first; ids are awaitBase + the site's index
    assert.deepEqual(r.awaited, [10, 12, 11, 13]);
  });

  it('leaves for await alone, and hooks an await in its head', async () => {
    const r = await run('let n = 0;\nasync function* g() { yield 1; yield 2 }\nfor await (const v of await g()) n += v;\nn');
    assert.equal(r.value, 3);
    assert.deepEqual(r.awaited, [0]);
    assert.deepEqual(
      r.sites.map((s) => s.text),
      ['await g()'],
    );
  });

  it('keeps an import and a dynamic import awaited through the hook', () => {
    const out = transformCell('import x from "x";\nconst m = await import("m");', { trackAsync: { awaitBase: 0 } });
    assert.match(out.code, /__coda\$at\(2, 1\); void \(\s*\(\{ m \} = \{ m: await __coda\$await\(\(__coda\$import\("m"\)\), 0\) \}\)\)/);
    assert.equal(out.code.split('\n').length, 3, 'lines never move');
  });

  it('cuts a long awaited expression in its description', async () => {
    const out = transformCell(`await Promise.resolve(${'1 + '.repeat(40)}1)`, { trackAsync: { awaitBase: 0 } });
    assert.equal(out.awaits[0]!.text.length, 60);
    assert.ok(out.awaits[0]!.text.endsWith('…'));
  });
});

describe('cell transform: loop hooks (Deno: a loop of awaits stopped at its next turn, worker/runtime/loopStop.ts)', () => {
  /** The loops whose turns called the hook, by execution id, and the cell's value. */
  async function turns(source: string, stopAfter = Infinity) {
    const out = transformCell(source, { trackAsync: { awaitBase: 0 }, loopHook: 7 });
    const calls: number[] = [];
    const context = vm.createContext({
      [STATEMENT_HOOK]: () => undefined,
      [AWAIT_HOOK]: (value: unknown) => value,
      [LOOP_HOOK]: (id: number) => {
        calls.push(id);
        if (calls.length > stopAfter) throw loopStopError();
      },
    });
    const box = (await vm.runInContext(out.code, context).catch((e: unknown) => ({ 0: e }))) as { 0: unknown } | undefined;
    return { calls, value: box?.[0], code: out.code };
  }

  it('puts the hook first in each turn of a loop that awaits, in its body or head, with or without braces, on the same lines', async () => {
    const r = await turns(
      'let n = 0;\nwhile (n < 3) await n++;\nfor (let i = 0; i < 2; i++) { await i }\ndo n--; while (await n)\nfor await (const x of [1, 2]) n += x;\nn',
    );
    assert.deepEqual(r.calls, Array(10).fill(7), '3 + 2 + 3 + 2 turns');
    assert.equal(r.value, 3);
    assert.equal(r.code.split('\n').length, 7, 'six lines and the closing one every cell gets: none added');
  });

  it('leaves loops without an await alone, and an await inside a function inside a loop is not the loop’s', async () => {
    const r = await turns(
      'let s = 0;\nfor (const x of [1, 2, 3]) s += x;\nfor (let i = 0; i < 2; i++) { const f = async () => { await i } }\nwhile (s > 6) s--;\ns',
    );
    assert.deepEqual(r.calls, []);
    assert.equal(r.value, 6);
  });

  it('hooks a loop in a function the cell declares; a stopped loop ends with the stop, past a try in its turn', async () => {
    const r = await turns('async function spin() { let n = 0; for (;;) { try { await null } catch {} n++ } }\nawait spin()', 3);
    assert.equal(r.value, loopStopError());
    assert.deepEqual(r.calls, [7, 7, 7, 7]);
  });
});
