/**
 * The uses of a cell's top-level bindings the language refuses are refused although the cell transform makes them
 * `var`s (worker/transform/bindingGuards.ts, worker/runtime/makeBindingGuard.ts): an assignment to a `const` or import
 * binding, and a use of a `let`, `const` or `class` before its declaration ran. Differential: each program runs as one
 * V8 script (what a module or Node's REPL does) and as cells, and both must end alike: the same value, or the same
 * error with V8's own message. Then across cells: a later cell's assignment throws, a re-declaration (`let c`) makes
 * it writable again, imports are constant, and a cell run again no longer reads its last run's value early.
 */
import { strict as assert } from 'node:assert';
import vm from 'node:vm';
import { ConstantNames } from '../../../worker/transform/ConstantNames';
import { transformCell } from '../../../worker/transform/transformCell';
import { CONSTANT_HOOK, UNINITIALIZED_HOOK } from '../../../worker/transform/bindingGuards';
import { makeBindingGuard } from '../../../worker/runtime/makeBindingGuard';

type Outcome = { value: unknown } | { error: string };

/** A context with the kernel's hook, made inside it (the hook reads the context's global object). */
function cellContext(): vm.Context {
  // (`__name`: what the test's TypeScript loader adds to a function it compiles, which runs here stringified)
  const context = vm.createContext({ __name: (f: unknown) => f });
  vm.runInContext(
    `const guards = (${makeBindingGuard.toString()})(); globalThis[${JSON.stringify(CONSTANT_HOOK)}] = guards.constant; globalThis[${JSON.stringify(UNINITIALIZED_HOOK)}] = guards.uninitialized`,
    context,
  );
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

/** The program as V8 runs it in one script, after `prefix` (its completion value, or what it threw). */
function script(program: string, prefix = 'const c = 1;\n'): Outcome {
  try {
    return { value: vm.runInContext(`${prefix}${program}`, vm.createContext({})) };
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
  // after a line without a semicolon (the rewrite starts with a name, as the code it replaces)
  'c\nc = 2',
  'const e = 1\nc++',
  // reads are untouched
  'c + 1',
  'const d = c * 2; d',
  '`${c}`',
  '({ c })',
];

describe('uses of top-level bindings the language refuses (cell transform): constants, and uses before initialization', () => {
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
    // whatever a cell plants on Object.prototype (a descriptor's fields), the guards throw the same errors
    assert.deepEqual(await run('Object.prototype.value = 1; Object.prototype.writable = true; k = 7'), { error: THROWS });
    assert.deepEqual(await run('w0; const w0 = 1'), { error: "ReferenceError: Cannot access 'w0' before initialization" });
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

  it("a cell nested deeper than the analysis can follow runs without it, never failing with the transform's RangeError", () => {
    // (acorn reads a few thousand nested blocks; the recursive walks of the guards and of Annex B run out of stack first)
    const cell = (n: number) => `let q = 1; ${'{'.repeat(n)}var w = q; { function f() {} }${'}'.repeat(n)}`;
    for (const depth of [1000, 2000, 2500, 3000]) {
      try {
        const out = transformCell(cell(depth));
        assert.ok(out.declared.includes('w'), String(depth));
      } catch (err) {
        // only the parser may refuse it (in the cell's own words), never the analysis after it
        assert.ok(!(err instanceof RangeError), `${depth}: ${String(err)}`);
      }
    }
  });

  it('a cell whose uses are all allowed is left as it was', () => {
    const plain = transformCell('let a = 1; a = 2');
    assert.doesNotMatch(plain.code, /__coda\$/);
    assert.deepEqual(plain.constants, []);
  });

  it('a let, const or class used before its declaration ran throws as V8 throws (ReferenceError), in the cell as one script', async () => {
    const differ: string[] = [];
    for (const program of EARLY) {
      const expected = script(program, '');
      const actual = await cells([program]);
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        differ.push(`${program}\n  V8:   ${JSON.stringify(expected)}\n  cell: ${JSON.stringify(actual)}`);
    }
    assert.deepEqual(differ, []);
    assert.ok(EARLY.filter((p) => 'error' in script(p, '')).length >= 12);
    assert.ok(EARLY.filter((p) => 'value' in script(p, '')).length >= 10);
  });

  it("a cell run again reads its own declaration, not the last run's value, before it ran", async () => {
    const context = cellContext();
    const constants = new ConstantNames();
    const run = (source: string) => cells([source], context, constants);
    assert.deepEqual(await run('let count = 0; count'), { value: 0 });
    // `let count = count + 1` read the earlier run's count and went up by one at each run
    assert.deepEqual(await run('let count = count + 1; count'), { error: "ReferenceError: Cannot access 'count' before initialization" });
    assert.deepEqual(await run('console.log(total); const total = 5'), { error: "ReferenceError: Cannot access 'total' before initialization" });
    // the binding of an earlier cell is still read where this cell declares nothing of that name
    assert.deepEqual(await run('count + 1'), { value: 1 });
    // a function may be called later: its use is left to run
    assert.deepEqual(await run('function later() { return late } const late = 3; later()'), { value: 3 });
  });
});

/** Programs that use a lexical name before, at and after its declaration, in every position that runs or not. */
const EARLY = [
  'x; let x = 1',
  'typeof x; let x = 1',
  'x = 2; let x = 1',
  'let x = x + 1; x',
  'const a = b, b = 1',
  'let p = 1, q = p + 1; q',
  'const { m, n = m } = { m: 4 }; n',
  'if (true) { y } let y = 1',
  'for (const i of [1]) z; const z = 1',
  'new K(); class K {}',
  'class K2 extends K2 {}',
  'class K3 { static s = later3 } const later3 = 1',
  'class K4 { [k4key]() {} } const k4key = "m"',
  'class K5 { static { k5 } } let k5',
  '({ sh }); let sh = 1',
  '[dst] = [1]; let dst',
  'const f0 = 1\nz0 = 2; let z0',
  'new K8()\nclass K8 {}',
  'let a9 = 1\n;[b9] = [2]; const b9 = 0',
  // not run before the declaration: allowed
  'function f() { return w } let w = 2; f()',
  'const g = () => v; let v = 3; g()',
  'class K6 { m() { return u } } let u = 4; new K6().m()',
  'class K7 { field = t } const t = 5; new K7().field',
  'let s = 1; s',
  'let r = 1; { let r = 2 } r',
  '{ let o = 6; o } let o = 7; o',
  'if (false) { e } let e = 8; e',
  '(function (x) { return x })(9); let x = 10; x',
  'let caught; try { hh } catch (err) { caught = err.name } let hh = 1; caught',
  'var vv = vv === undefined; vv',
];
