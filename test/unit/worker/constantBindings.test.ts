/**
 * A cell's top-level `const` and import bindings stay constant although the cell transform makes them `var`s
 * (worker/transform/transformCell.ts constantWrites, worker/runtime/makeConstantHook.ts). Differential: each program
 * runs after `const c = 1` as one V8 script (what a module or Node's REPL does) and as a cell after a cell declaring
 * `c`, and both must end alike: the same value, or a TypeError with V8's own message. Then across cells: a later
 * cell's assignment throws, a re-declaration (`let c`) makes it writable again, imports are constant.
 */
import { strict as assert } from 'node:assert';
import vm from 'node:vm';
import { ConstantNames } from '../../../worker/transform/ConstantNames';
import { CONSTANT_HOOK, transformCell } from '../../../worker/transform/transformCell';
import { makeConstantHook } from '../../../worker/runtime/makeConstantHook';

type Outcome = { value: unknown } | { error: string };

/** A context with the kernel's hook, made inside it (the hook reads the context's global object). */
function cellContext(): vm.Context {
  // (`__name`: what the test's TypeScript loader adds to a function it compiles, which runs here stringified)
  const context = vm.createContext({ __name: (f: unknown) => f });
  vm.runInContext(`globalThis[${JSON.stringify(CONSTANT_HOOK)}] = (${makeConstantHook.toString()})()`, context);
  return context;
}

/** Runs the cells in order in one context, as a kernel runs them; the last one's outcome. */
async function cells(sources: string[], context = cellContext(), constants = new ConstantNames()): Promise<Outcome> {
  let outcome: Outcome = { value: undefined };
  for (const source of sources) {
    const out = transformCell(source, { constants: constants.current });
    constants.note(out);
    try {
      const box = (await vm.runInContext(out.code, context)) as { 0: unknown } | undefined;
      outcome = { value: box?.[0] };
    } catch (err) {
      outcome = { error: `${(err as Error).name}: ${(err as Error).message}` };
    }
  }
  return outcome;
}

/** The same program as V8 runs it after `const c = 1`, in one script (its completion value, or what it threw). */
function script(program: string): Outcome {
  try {
    return { value: vm.runInContext(`const c = 1;\n${program}`, vm.createContext({})) };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

const THROWS = 'TypeError: Assignment to constant variable.';

const PROGRAMS = [
  // every form of assignment
  'c = 2',
  'c += 1',
  'c -= 1; "unreached"',
  'c **= 2',
  'c++',
  '--c',
  '[c] = [2]',
  '[, ...c] = [1, 2]',
  '({ c } = { c: 2 })',
  '({ c = 5 } = {})',
  '({ x: c } = { x: 2 })',
  '({ ...c } = {})',
  '[{ deep: [c] }] = [{ deep: [3] }]',
  'for (c of [1]);',
  'for (c in { k: 1 });',
  // logical assignment assigns, and throws, only when it would
  'c ||= 2',
  'c &&= 2',
  'c ??= 2',
  // the right side runs first
  'let ran = false; try { c = (ran = true) } catch {} ran',
  // in functions, classes and blocks, called later
  'function f() { c = 3 } f()',
  'const g = () => { c += 1 }; g()',
  'class K { static m() { c = 4 } } K.m()',
  'class K2 { static { c = 4 } }',
  'if (true) { c = 5 }',
  // shadowed: a different binding, writable
  '{ let c = 5; c = 6; c }',
  '(function (c) { c = 9; return c })(1)',
  '((c) => { c++; return c })(1)',
  'try { throw 1 } catch (c) { c = 2; c }',
  'for (let c = 0; c < 2; c++) c',
  'for (const x of [1]) { let c = x; c += 1; c }',
  'function h() { var c; c = 7; return c } h()',
  'function h2() { c = 7; return c; var c } h2()',
  'function h3() { c = 8; return c; function c() {} } h3()',
  'class C3 { c = 2; m() { return this.c } } new C3().m()',
  'const o = { c: 1 }; o.c = 3; o.c',
  // reads are untouched
  'c + 1',
  'const d = c * 2; d',
  '`${c}`',
  '({ c })',
];

describe('top-level const and import bindings stay constant (cell transform)', () => {
  it('every program ends as V8 ends it after `const c = 1`: the same value, or the same TypeError', async () => {
    const differ: string[] = [];
    for (const program of PROGRAMS) {
      const expected = script(program);
      const actual = await cells(['const c = 1', program]);
      // (a value compared as JSON: functions and classes are none of these programs' values)
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        differ.push(`${program}\n  V8:   ${JSON.stringify(expected)}\n  cell: ${JSON.stringify(actual)}`);
    }
    assert.deepEqual(differ, []);
    // the corpus does exercise both outcomes
    assert.ok(PROGRAMS.filter((p) => 'error' in script(p)).length >= 15);
    assert.ok(PROGRAMS.filter((p) => 'value' in script(p)).length >= 15);
  });

  it('in the declaring cell itself, and in every later cell until a cell declares the name again', async () => {
    const context = cellContext();
    const constants = new ConstantNames();
    const run = (source: string) => cells([source], context, constants);
    assert.deepEqual(await run('const a = 1; a = 2'), { error: THROWS });
    assert.deepEqual(await run('a = 3'), { error: THROWS });
    assert.deepEqual(await run('a'), { value: 1 });
    // declared again as const: a new constant
    assert.deepEqual(await run('const a = 10; a'), { value: 10 });
    assert.deepEqual(await run('a++'), { error: THROWS });
    // declared again with let (or var, function, class): writable, in that cell and after
    assert.deepEqual(await run('let a = 20; a = 21; a'), { value: 21 });
    assert.deepEqual(await run('a = 22; a'), { value: 22 });
    assert.deepEqual(await run('function b() {} b = 1; b'), { value: 1 });
    assert.deepEqual(await run('class B {} B = 2; B'), { value: 2 });
    // a destructured const, each of its names
    assert.deepEqual(await run('const [x, { y }] = [1, { y: 2 }]; x + y'), { value: 3 });
    assert.deepEqual(await run('y = 5'), { error: THROWS });
    assert.deepEqual(await run('var y = 6; y'), { value: 6 });
    // a function of an earlier cell that assigns a constant throws when called, as V8's would
    assert.deepEqual(await run('const k = 1; function setK() { k = 2 }'), { value: undefined });
    assert.deepEqual(await run('setK()'), { error: THROWS });
    // whatever a cell plants on Object.prototype, the assignment still throws the same error
    assert.deepEqual(await run('Object.prototype.value = 1; Object.prototype.writable = true; k = 7'), { error: THROWS });
    assert.deepEqual(await run('delete Object.prototype.value; delete Object.prototype.writable; k'), { value: 1 });
  });

  it("import bindings are constant as a module's are; the rewrite keeps every column of the line", async () => {
    const out = transformCell("import { join } from 'node:path'; join = 1");
    assert.deepEqual(out.constants, ['join']);
    assert.match(out.code, new RegExp(`${CONSTANT_HOOK.replace('$', '\\$')}\\("join"\\)\\.value = 1`));
    // a later cell
    const later = transformCell('join = 2; [join] = [3]; ({ join } = {})', { constants: new Set(['join']) });
    assert.equal(later.code.split(`${CONSTANT_HOOK}("join").value`).length - 1, 3);
    assert.match(later.code, /\{ join: __coda\$constant\("join"\)\.value \}/);
    // columns (1-based): the `2` of `join = 2` maps back to column 8 of the cell
    const col = later.code.indexOf('= 2') + 2 - later.prologueLength + 1;
    assert.equal(later.columns.original(1, col), 8);
  });

  it('a cell without constants is not analysed, and its code is as before', () => {
    const plain = transformCell('let a = 1; a = 2');
    assert.doesNotMatch(plain.code, /__coda\$constant/);
    assert.deepEqual(plain.constants, []);
  });
});
