/**
 * A `var` the cell declares in a block, loop, `try`, `switch` or labelled statement is a binding of the script, as
 * in a script (worker/transform/transformCell.ts nestedVars): later cells see it. Differential: each program runs as
 * a cell and as one V8 script, then the same probe (the `typeof` and value of each name) runs after it in the same
 * context, and both must agree, with the program's own value.
 */
import { strict as assert } from 'node:assert';
import vm from 'node:vm';
import { AWAIT_HOOK, STATEMENT_HOOK, transformCell, type TransformOptions } from '../../../worker/transform/transformCell';
import { LOOP_HOOK } from '../../../worker/runtime/loopStop';

const HOOKS = { [STATEMENT_HOOK]: () => undefined, [AWAIT_HOOK]: (v: unknown) => v, [LOOP_HOOK]: () => undefined };

async function asCells(program: string, probe: string, opts: TransformOptions): Promise<string> {
  const context = vm.createContext({ ...HOOKS });
  const run = async (source: string) => ((await vm.runInContext(transformCell(source, opts).code, context)) as { 0: unknown } | undefined)?.[0];
  const value = await run(program);
  return JSON.stringify([value, await run(probe)]);
}

/** The program as one script (a script cannot await: its awaits, all of plain values, are left out). */
function asScript(program: string, probe: string): string {
  const context = vm.createContext({});
  const value: unknown = vm.runInContext(program.replace(/\bawait /g, ''), context);
  return JSON.stringify([value, vm.runInContext(probe, context)]);
}

/** [program, the names a later cell reads] */
const PROGRAMS: [string, string[]][] = [
  ['if (true) { var a = 1 }', ['a']],
  ['if (false) { var a = 1 }', ['a']],
  ['for (var i = 0; i < 3; i++) {}', ['i']],
  ['for (var i = 0, n = 2; i < n; i++) {}', ['i', 'n']],
  ['for (var k in { x: 1, y: 2 }) {}', ['k']],
  ['for (var v of [1, 2, 3]) {}', ['v']],
  ['for (var [p, q] of [[1, 2]]) {}', ['p', 'q']],
  ['for (var { r, s = 4 } of [{ r: 3 }]) {}', ['r', 's']],
  ['try { var t = 1; throw 0 } catch { var c = 2 } finally { var f = 3 }', ['t', 'c', 'f']],
  ['try { throw 1 } catch (e) { var e = 2 }', ['e']],
  ['switch (1) { case 1: var sw = "one"; break; default: var dflt = 2 }', ['sw', 'dflt']],
  ['outer: { var lab = 1; break outer; }', ['lab']],
  ['while (true) { var w = 1; break }', ['w']],
  ['do { var d = 1 } while (false)', ['d']],
  ['{ { var deep = [1, 2] } }', ['deep']],
  ['if (true) var single = 1', ['single']],
  ['var top = 1; if (true) { var top = 2 }', ['top']],
  ['with ({ inWith: 0 }) { var inWith = 5, other = 6 }', ['inWith', 'other']],
  ['if (true) { var { x1, y1: [z1] } = { x1: 1, y1: [2] } }', ['x1', 'z1']],
  ['if (true) { var fnv = function () {}; var arrow = () => 1 } [fnv.name, arrow.name]', ['fnv']],
  // not the script's: a function's and a class static block's own
  ['function g() { var inFn = 1 } g(); if (true) { (() => { var inArrow = 1 })() }', ['inFn', 'inArrow']],
  ['class K { static { var inStatic = 1 } }', ['inStatic']],
  // let and const in blocks stay the block's
  ['if (true) { let bl = 1; const bc = 2; var bv = 3 }', ['bl', 'bc', 'bv']],
  // awaits inside (the await hooks and Deno's loop hook at the same places)
  ['for (var aw of [1, 2]) { await null; var inAw = aw * 10 }', ['aw', 'inAw']],
  ['for (let j = 0; j < 2; j++) var wj = await j', ['wj']],
  ['if (true) var awaited = await 7', ['awaited']],
  // a sloppy script's functions declared in blocks are its own too (Annex B), set where the declaration is reached
  ['{ function h() { return "h" } }', ['h']],
  ['if (true) { function h2() { return 2 } } if (false) { function h3() {} }', ['h2', 'h3']],
  ['switch (1) { case 1: function inCase() { return 1 } }', ['inCase']],
  ['var before = typeof early; { function early() {} } [before, typeof early]', ['early']],
  ['{ let shadow = 1; { function shadow2() {} } } { let named = 1; { function named() {} } }', ['shadow2', 'named']],
  ['{ async function af() {} function* gf() {} }', ['af', 'gf']],
  ['for (let i = 0; i < 1; i++) { function inLoop() { return i } }', ['inLoop']],
  ['function outer() { { function innerOnly() {} } } outer()', ['innerOnly']],
  ["'use strict'; { function strictBlock() {} } 0", ['strictBlock']],
  // the value of the program is unchanged
  ["if (true) { 'value'; var after = 1 }", ['after']],
];

describe("a var in a block, loop or try is the script's (cell transform)", () => {
  for (const [label, opts] of [
    ['plain', {}],
    ['with the async hooks', { trackAsync: { awaitBase: 0 } }],
    ["with Deno's loop hook and the async hooks", { trackAsync: { awaitBase: 0 }, loopHook: 1 }],
  ] as const) {
    it(`later cells see what a script would, for ${PROGRAMS.length} programs (${label})`, async () => {
      const differ: string[] = [];
      for (const [program, names] of PROGRAMS) {
        const probe = `[${names.map((n) => `typeof ${n} === 'undefined' ? 'undefined' : ${n}`).join(', ')}]`;
        const expected = asScript(program, probe);
        const actual = await asCells(program, probe, opts);
        if (actual !== expected) differ.push(`${program}\n  V8:   ${expected}\n  cell: ${actual}`);
      }
      assert.deepEqual(differ, []);
    });
  }

  it('a var declared again without a value keeps the value an earlier cell gave it', async () => {
    const context = vm.createContext({ ...HOOKS });
    const run = async (source: string) => ((await vm.runInContext(transformCell(source).code, context)) as { 0: unknown } | undefined)?.[0];
    await run('var kept = 5');
    assert.equal(await run('if (true) { var kept } kept'), 5);
    assert.equal(await run('for (var kept of []) {} kept'), 5);
  });

  it("lists the names among the cell's declarations, and keeps lines and columns", () => {
    const out = transformCell('for (var i = 0; i < 2; i++) {}\nif (true) { var found = i }\nfor (var k of []) {}');
    assert.deepEqual(out.declared.sort(), ['found', 'i', 'k']);
    // `found` (column 17 of line 2) still maps to its column
    const line2 = out.code.split('\n')[1]!;
    assert.equal(out.columns.original(2, line2.indexOf('found') + 1), 17);
  });
});
