/**
 * A TypeScript namespace declared again, in the same cell or a later one, reads the members its other declarations
 * export by their bare names, as TypeScript reads them (lowerNamespaces.ts, freeReferences.ts): each program runs cell
 * by cell in a kernel and, as one file, through TypeScript's own emit; the two must log the same.
 */
import { strict as assert } from 'node:assert';
import ts from 'typescript';
import * as acorn from 'acorn';
import { freeReferences } from '../../../worker/transform/freeReferences';
import { runLogged } from '../helpers/decoratorRuns';
import { startKernel, type TestKernel } from '../helpers/testKernel';

/** Programs as cells; each logs through `log(…)`. */
const PROGRAMS: Record<string, string[]> = {
  'a later cell reads an earlier one’s const and function, in expressions, shorthands and calls': [
    'namespace Geo {\n  export const PI2: number = Math.PI * 2;\n  export function half(x: number) { return x / 2; }\n}',
    'namespace Geo {\n  export function area(r: number) { return half(PI2 * r * r); }\n  export const both = { PI2, half: half(4) };\n}\nlog(Geo.area(1).toFixed(3), Geo.both.PI2.toFixed(3), Geo.both.half)',
  ],
  'writes through to the other declaration’s variable (=, +=, ++, destructuring targets, for-of targets)': [
    'namespace Counter {\n  export let count = 0;\n  export let label = "none";\n}',
    'namespace Counter {\n  export function bump() { count++; count += 10; [label] = ["bumped"]; ({ count } = { count: count * 2 }); for (label of ["a", "last"]); return count; }\n}\nlog(Counter.bump(), Counter.count, Counter.label)',
  ],
  'a name the declaration binds itself stays its own: parameters, inner let, catch, for-let, class and function names': [
    'namespace S {\n  export const v = "member";\n  export const f = "member f";\n}',
    [
      'namespace S {',
      '  export function param(v: string) { return v; }',
      '  export function inner() { { let v = "inner"; return v; } }',
      '  export function caught() { try { throw "caught"; } catch (v) { return v; } }',
      '  export function loop() { let out = ""; for (let v = 0; v < 2; v++) out += v; return out; }',
      '  export function named() { return (function v() { return typeof v; })(); }',
      '  export function klass() { return new (class v { who() { return typeof v; } })().who(); }',
      '  export function hoisted() { return f(); function f() { return "local f"; } }',
      '  export function outer() { return v + " / " + f; }',
      '}',
      'log(S.param("arg"), S.inner(), S.caught(), S.loop(), S.named(), S.klass(), S.hoisted(), S.outer())',
    ].join('\n'),
  ],
  'two declarations in one cell read each other’s members, either way round': [
    'namespace Pair {\n  export function first() { return "1" + second(); }\n}\nnamespace Pair {\n  export function second() { return "2" + (typeof first); }\n}\nlog(Pair.first())',
  ],
  'classes and enums of another declaration, and names nobody exports left alone': [
    'namespace Zoo {\n  export enum Kind { Cat = "cat", Dog = "dog" }\n  export class Animal { constructor(public kind: Kind) {} }\n}',
    'namespace Zoo {\n  export function make() { return new Animal(Kind.Dog); }\n  export const globalsStay = [typeof Math, typeof JSON, typeof undefinedName].join();\n}\nlog(Zoo.make().kind, Zoo.make() instanceof Zoo.Animal, Zoo.globalsStay)',
  ],
  'an exported namespace inside one is one object across the declarations of both, in one cell or several': [
    'namespace Outer {\n  export namespace Inner { export const x = 1; }\n  export namespace Inner { export const y = 2; }\n  namespace Hidden { export const h = 0; }\n}',
    'namespace Outer {\n  export namespace Inner { export const z = 3; }\n}\nlog(Outer.Inner.x, Outer.Inner.y, Outer.Inner.z, Object.keys(Outer).join())',
  ],
  'a property named like a member, and an object key, are not members': [
    'namespace P {\n  export const key = "member";\n}',
    'namespace P {\n  const o = { key: 1, other: { key: 2 } };\n  export const read = [o.key, o.other.key, o["key"], key].join();\n  export class K { key = 3; get() { return this.key; } }\n}\nlog(P.read, new P.K().get())',
  ],
};

/** TypeScript's own emit of the program as one file, run in a fresh context. */
async function asTypeScript(cells: string[]): Promise<string[]> {
  const js = ts.transpileModule(cells.join('\n;\n'), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None } }).outputText;
  return runLogged('', js);
}

describe('a namespace declared again reads its other declarations’ members', function () {
  this.timeout(60_000);
  let k: TestKernel;
  before(async () => {
    k = await startKernel();
    await k.run('globalThis.log = (...v) => console.log(v.map(String).join(" "))');
  });
  after(async () => {
    await k?.kernel.dispose();
  });

  for (const [name, cells] of Object.entries(PROGRAMS)) {
    it(name, async () => {
      const expected = await asTypeScript(cells);
      assert.ok(expected.length && !expected.some((l) => l.startsWith('threw')), JSON.stringify(expected));
      const before = k.console.length;
      for (const cell of cells) {
        const r = await k.run(cell, { language: 'typescript' });
        assert.equal(r.status, 'ok', JSON.stringify(r));
      }
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(
        k.console.slice(before).map((c) => c.text),
        expected,
      );
    });
  }

  it('a cell run again, and a declaration in a cell after, keep reading them', async () => {
    const first = 'namespace Again {\n  export const base = 2;\n}';
    const second = 'namespace Again {\n  export function twice() { return base * 2; }\n}\nAgain.twice()';
    const twice = async () => {
      const r = await k.run(second, { language: 'typescript' });
      return r.status === 'ok' && r.value?.type === 'number' ? r.value.text : JSON.stringify(r);
    };
    await k.run(first, { language: 'typescript' });
    assert.equal(await twice(), '4');
    await k.run(first.replace('= 2', '= 5'), { language: 'typescript' });
    assert.equal(await twice(), '10');
    assert.equal(await twice(), '10');
  });
});

describe('free references of a function (freeReferences)', () => {
  const free = (code: string) => {
    const program = acorn.parse(`(function (N, mark) {\n${code}\n})`, { ecmaVersion: 'latest', sourceType: 'module' });
    const fn = (program.body[0] as acorn.ExpressionStatement).expression as acorn.FunctionExpression;
    return freeReferences(fn).map((r) => `${r.id.name}${r.shorthand ? '*' : ''}`);
  };

  it('lists what the function uses and does not declare, shorthands marked', () => {
    assert.deepEqual(free('a; b.c; d[e]; ({ f, g: h, [i]: j }); N; mark'), ['a', 'b', 'd', 'e', 'f*', 'h', 'i', 'j']);
    assert.deepEqual(free('({ x, y = 1 } = o); [z, ...w] = arr; for (q of list);'), ['x*', 'y*', 'o', 'z', 'w', 'arr', 'q', 'list']);
  });

  it('leaves what any scope inside declares: var anywhere, block names, parameters, catch, loops, classes, labels', () => {
    assert.deepEqual(free('if (1) { var hoisted = 1 } hoisted; { let blocked = 1 } blocked;'), ['blocked']);
    assert.deepEqual(free('function f(p, { q }, [r] = s) { return p + q + r + f } f; p;'), ['s', 'p']);
    assert.deepEqual(free('try {} catch ({ message }) { message } message;'), ['message']);
    assert.deepEqual(free('for (let i of is) i; i; for (const [k, v] of m) k + v;'), ['is', 'i', 'm']);
    assert.deepEqual(free('class C extends Base { static s = C; m(x) { return x + this.y + C } } new C;'), ['Base']);
    assert.deepEqual(free('class D { static { let s = 1; s + t; } [computed] = field; }'), ['t', 'computed', 'field']);
    assert.deepEqual(free('outer: for (;;) { break outer; continue outer; }'), []);
    assert.deepEqual(free('switch (v) { case 1: let inCase = 2; inCase; } inCase;'), ['v', 'inCase']);
    assert.deepEqual(free('const arrow = (a, b = a) => a + b + c; (function named() { named; })(); named;'), ['c', 'named']);
    assert.deepEqual(free('new.target; import.meta; obj?.prop; tag`${inTemplate}`'), ['obj', 'tag', 'inTemplate']);
  });
});
