/**
 * A cell ending in a statement that is no expression (worker/transform/statementCompletion.ts) has the statement's
 * completion value, as Node's and Deno's REPLs show it. Differential: each program's value as a cell, against V8's own
 * completion value of the same script (vm), with the async hooks and Deno's loop hook on and off; lines and columns
 * of an error inside stay the cell's.
 */
import { strict as assert } from 'node:assert';
import { isDeepStrictEqual } from 'node:util';
import vm from 'node:vm';
import { AWAIT_HOOK, STATEMENT_HOOK, transformCell, type TransformOptions } from '../../../worker/transform/transformCell';
import { LOOP_HOOK } from '../../../worker/runtime/loopStop';

const HOOKS = { [STATEMENT_HOOK]: () => undefined, [AWAIT_HOOK]: (v: unknown) => v, [LOOP_HOOK]: () => undefined };

/** The cell's value, run as the kernel runs it (its body in an async function), in a fresh context. */
async function cellValue(source: string, opts: TransformOptions = {}): Promise<unknown> {
  const out = transformCell(source, opts);
  const box = (await vm.runInContext(out.code, vm.createContext({ ...HOOKS }))) as { 0: unknown } | undefined;
  return box?.[0];
}

/** What V8 gives the same script as its completion value. */
const scriptValue = (source: string) => vm.runInContext(source, vm.createContext({}));

/** Values compared across contexts: functions by kind and name, the rest structurally. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'function' || typeof b === 'function') return typeof a === typeof b && (a as { name: string }).name === (b as { name: string }).name;
  return isDeepStrictEqual(JSON.parse(JSON.stringify([a]) ?? 'null'), JSON.parse(JSON.stringify([b]) ?? 'null'));
}

const PROGRAMS = [
  // if
  "if (1 < 2) { 'yes' } else { 'no' }",
  "if (1 > 2) { 'yes' } else { 'no' }",
  "if (false) 'x'",
  "if (true) 'x'",
  "const a = 2;\nif (a === 1) 'one'\nelse if (a === 2) 'two'\nelse 'many'",
  "if (true) if (false) 'inner'; else 'dangling else'",
  "if (true) { 'a'; let x = 1; }",
  "{ 'a'; if (false) {} }",
  'if (true) { const x = 3; x * x; class C {} }',
  // (sloppy V8 gives a block's function declaration as the value, against the language; strict V8 and cells do not)
  "'use strict'; if (true) { const x = 3; x * x; function f() {} }",
  // try
  "function fail(x) { throw new RangeError('bad ' + x) }\ntry { fail(3) } catch (e) { e.message }",
  "try { 'tried' } catch { 'caught' }",
  "try { 'tried' } finally { 'finally is not the value' }",
  "try { throw 1 } catch { 'caught' } finally { 'not this' }",
  "try { JSON.parse('{') } catch { }",
  'try {} catch {}',
  // switch
  "switch (2) { case 1: 'one'; break; case 2: 'two'; break; default: 'other' }",
  "switch (1) { case 1: 'one'; case 2: 'fell through'; }",
  "switch (9) { case 1: 'one'; break; default: 'default' }",
  "switch (9) { case 1: 'one' }",
  // loops
  'let n = 0;\nfor (const x of [1, 2, 3]) { if (x > 1) n += x }',
  'let m = 0;\nfor (const x of [1, 2, 3]) { if (x < 3) m += x }',
  'for (let i = 0; i < 3; i++) i * 2',
  'for (let i = 0; i < 0; i++) i',
  'for (const k in { a: 1, b: 2 }) k.toUpperCase()',
  'let i = 0;\nwhile (i < 4) i++',
  'let j = 0;\ndo { j += 2 } while (j < 5)',
  'for (const x of [1, 2, 3]) { if (x === 2) break; x * 100 }',
  "for (const x of [1, 2, 3]) { x; if (x === 2) continue; 'after ' + x }",
  'outer: for (let i = 0; i < 3; i++) { for (let j = 0; j < 3; j++) { if (j === 1) continue outer; i * 10 + j } }',
  "outer: for (let i = 0; i < 2; i++) { i; inner: for (const y of 'ab') { if (y === 'b') break outer; y } }",
  'a: b: for (const z of [1, 2]) z',
  "l: { 'a'; break l; 'b' }",
  'if (true) l: for (const q of [7]) q',
  'for (const x of []) x',
  // blocks, with, functions as values
  '{ const y = 5; y * 2 }',
  '{ { { 42 } } }',
  'with ({ w: 4 }) w * 2',
  'if (true) (() => 1)',
  'if (true) (function () {})',
  'if (true) (function named() {})',
  'if (true) (class {})',
  // a strict cell stays strict ahead of what the prologue adds (the completion variable, hoisted functions)
  "'use strict'; function f() { return typeof this } if (true) f()",
  "'use strict';\nfunction g() { return typeof this }\ng()",
  "'use strict'; try { undeclared = 1 } catch (e) { e.name }",
  // nothing but declarations: no value, as before
  '{ let unused = 1 }',
];

describe('cell transform: the completion value of a last statement that is no expression', () => {
  for (const [label, opts] of [
    ['plain', {}],
    ['with the async hooks', { trackAsync: { awaitBase: 0 } }],
    ["with Deno's loop hook and the async hooks", { trackAsync: { awaitBase: 0 }, loopHook: 1 }],
  ] as [string, TransformOptions][]) {
    it(`gives what V8 gives the script, for ${PROGRAMS.length} programs (${label})`, async () => {
      const wrong: string[] = [];
      for (const program of PROGRAMS) {
        const expected = scriptValue(program);
        const actual = await cellValue(program, opts);
        if (!same(actual, expected)) wrong.push(`${JSON.stringify(program)}: ${String(actual)} (V8: ${String(expected)})`);
      }
      assert.deepEqual(wrong, []);
    });
  }

  it('awaits inside, including in loops that await (the hooks and the completion nest)', async () => {
    const opts: TransformOptions = { trackAsync: { awaitBase: 0 }, loopHook: 1 };
    assert.equal(await cellValue("try { await Promise.reject(new Error('async')) } catch (e) { `caught ${e.message}` }", opts), 'caught async');
    assert.equal(await cellValue('let t = 0;\nfor (const x of [1, 2]) await x', opts), 2);
    assert.equal(await cellValue('async function* g() { yield 1; yield 2 }\nfor await (const v of g()) v * 3', opts), 6);
    assert.equal(await cellValue('let k = 0;\nwhile (k < 2) await k++', opts), 1);
  });

  it('leaves a cell that ends in an expression or a declaration as it was', () => {
    for (const source of ['1 + 1', 'const x = 1', 'function f() {}', 'if (true) {}\nconst after = 1']) {
      assert.doesNotMatch(transformCell(source).code, /__coda\$completion/, source);
    }
  });

  it('keeps the lines and columns of an error thrown inside', async () => {
    const source = "if (true) {\n  'first';\n  missingName + 1\n}";
    const out = transformCell(source);
    const script = new vm.Script(out.code, { filename: 'cell.js' });
    const error: unknown = await (script.runInContext(vm.createContext({})) as Promise<unknown>).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.equal((error as Error | undefined)?.name, 'ReferenceError', String(error));
    const [, line, column] = /cell\.js:(\d+):(\d+)/.exec((error as Error).stack!)!;
    assert.equal(Number(line), 3);
    assert.equal(out.columns.original(Number(line), Number(column)), 3, 'the column of missingName in the cell');
  });
});
