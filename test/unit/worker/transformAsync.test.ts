/**
 * The cell transform's async hooks (trackAsync): each top-level statement reports its line first, each top-level
 * `await` (and only those: not inside a function, not `for await`) awaits through the await hook with the id of its
 * site, and the code still means what the cell wrote.
 */
import { strict as assert } from 'node:assert';
import vm from 'node:vm';
import { AWAIT_HOOK, STATEMENT_HOOK, transformCell } from '../../../worker/transform/transformCell';

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
    assert.match(out.code, /__coda\$at\(2, 1\); void \(\s*\(m = await __coda\$await\(\(__coda\$import\("m"\)\), 0\)\)\)/);
    assert.equal(out.code.split('\n').length, 3, 'lines never move');
  });

  it('cuts a long awaited expression in its description', async () => {
    const out = transformCell(`await Promise.resolve(${'1 + '.repeat(40)}1)`, { trackAsync: { awaitBase: 0 } });
    assert.equal(out.awaits[0]!.text.length, 60);
    assert.ok(out.awaits[0]!.text.endsWith('…'));
  });
});
