/**
 * What a cell's path cannot run is refused where it is written, never dropped: sucrase removes every TypeScript
 * namespace as a type (so one holding values vanished from what ran, and a later line failed with `NS is not defined`),
 * and a decorator where standard decorators cannot stand (acorn stopped at `@` with "Unexpected character").
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as sucrase from '../../../worker/transform/sucraseBundle';
import { valueNamespace } from '../../../worker/transform/valueNamespace';
import { startKernel, type TestKernel } from '../helpers/testKernel';

/** 1-based line and column of the first `needle` in `source`. */
function at(source: string, needle: string): [number, number] {
  const offset = source.indexOf(needle);
  assert.ok(offset >= 0, needle);
  const before = source.slice(0, offset).split('\n');
  return [before.length, before[before.length - 1]!.length + 1];
}

describe('cells: namespaces and decorators refused where they are written', function () {
  this.timeout(30_000);

  describe('which namespaces hold values (sucrase would drop them)', () => {
    const holds: [string, string][] = [
      ['namespace NS { export const v = 1 }', 'namespace NS'],
      ['namespace NS { const hidden = 1 }', 'namespace NS'],
      ['namespace A.B.C { export function f() {} }', 'namespace A.B.C'],
      ['module Legacy { export class K {} }', 'module Legacy'],
      ['export namespace E { export enum Color { Red } }', 'namespace E'],
      ['namespace Outer { export interface T {} namespace Inner { export let n = 2 } }', 'namespace Outer'],
      ['namespace Side { console.log("effect") }', 'namespace Side'],
      ['namespace Alias { export import X = Other.X }', 'namespace Alias'],
      ['const t: string = `${1}`;\nnamespace Late {\n  export const s = `a${"b"}c`\n}', 'namespace Late'],
      ['namespace Jsx { export const el = <div>{1}</div> }', 'namespace Jsx'],
    ];
    for (const [source, needle] of holds) {
      it(`holds values: ${source.replace(/\n/g, ' ')}`, () => {
        assert.equal(valueNamespace(sucrase, source, source.includes('<div>')), source.indexOf(needle));
      });
    }
    const typesOnly = [
      'namespace Types { export interface P { x: number } export type Q = P[] }',
      'declare namespace Lib { const version: string; function f(): void; namespace Deep { let n: number } }',
      'declare module Old { export const v: number }',
      'declare module "pkg" { export const v: number }',
      'declare global { interface Window { coda: number } }',
      'namespace Empty {}',
      'namespace Semis { ; ; }',
      'namespace Nested { export namespace Types { export type T = 1 } }',
      'const namespace = 2; namespace',
      'const module = { exports: {} }; module.exports',
      'const s = "namespace X { export const v = 1 }"; // module Y { const a = 1 }',
      'type T = { namespace: string; module: number }',
      'namespace Ambient { export declare const v: number; declare function f(): void }',
    ];
    for (const source of typesOnly) {
      it(`holds no value: ${source}`, () => assert.equal(valueNamespace(sucrase, source), undefined));
    }
  });

  describe('in a kernel', () => {
    let k: TestKernel;
    before(async () => (k = await startKernel()));
    after(() => k?.kernel.dispose());

    it('a namespace with a dotted name fails the cell at its keyword, with its code; the cell before it ran nothing of it', async () => {
      const code = 'const before = 1;\n  namespace Shapes.Flat { export const sides = 4 }\nShapes.Flat.sides';
      const r = await k.run(code, { language: 'typescript' });
      assert.equal(r.status, 'error');
      if (r.status !== 'error') return;
      assert.equal(r.error.code, 'NamespaceWithValues', JSON.stringify(r.error));
      assert.equal(r.error.name, 'SyntaxError');
      assert.match(r.error.message, /dotted name/);
      assert.deepEqual([r.error.location?.line, r.error.location?.column], at(code, 'namespace'));
      // refused before anything ran: `before` was never declared
      assert.equal(await k.value('typeof before'), 'undefined');
    });

    it('a namespace with values runs as TypeScript compiles it: exports, nesting, enums, state, merging, errors on their lines', async () => {
      const code = [
        'namespace Geometry {',
        '  export const unit: number = 2;',
        '  export let count = 0;',
        '  const hidden = "h";',
        '  export function area(w: number, h: number): number { count++; return w * h * unit; }',
        '  export class Box { constructor(public w: number) {} size() { return area(this.w, this.w); } }',
        '  export namespace Inner { export const deep = hidden + "!"; }',
        '  export enum Color { Red, Green }',
        '  export interface Shape { w: number }',
        '}',
        '[Geometry.area(2, 3), new Geometry.Box(2).size(), Geometry.count, Geometry.Inner.deep, Geometry.Color.Green, "hidden" in Geometry]',
      ].join('\n');
      const r = await k.run(code, { language: 'typescript' });
      assert.ok(r.status === 'ok' && r.value?.type === 'object', JSON.stringify(r));
      assert.equal(r.value.preview, "[ 12, 8, 2, 'h!', 1, false ]");
      // a later declaration of the same namespace adds to it (its body names the earlier one's members through it)
      const more = await k.run('namespace Geometry { export const extra = Geometry.unit * 10; }\nObject.keys(Geometry).join()', { language: 'typescript' });
      assert.ok(more.status === 'ok' && more.value?.type === 'string', JSON.stringify(more));
      assert.equal(more.value.value, 'unit,count,area,Box,Inner,Color,extra');
      // decorators and accessors in it, compiled after it is opened
      const decorated = await k.run(
        'namespace Deco {\n  const id = (v: any, c: any) => v;\n  export class K { accessor n = 5; @id m() { return this.n; } }\n}\nnew Deco.K().m()',
        {
          language: 'typescript',
        },
      );
      assert.ok(decorated.status === 'ok' && decorated.value?.type === 'number' && decorated.value.text === '5', JSON.stringify(decorated));
      const thrown = 'namespace Broken {\n  export const ok: number = 1;\n  throw new Error("inside");\n}';
      const err = await k.run(thrown, { language: 'typescript' });
      assert.ok(err.status === 'error' && err.error.frames?.[0]?.line === 3, JSON.stringify(err));
    });

    it("a local TypeScript module's namespace with values is compiled as a cell's is", async () => {
      const dir = mkdtempSync(join(tmpdir(), 'coda-namespace-'));
      writeFileSync(
        join(dir, 'units.ts'),
        'export namespace Units {\n  export const metre: number = 1;\n  export function km(n: number): number { return n * 1000 * metre; }\n}\n',
      );
      const r = await k.run(`import { Units } from ${JSON.stringify(pathToFileURL(join(dir, 'units.ts')).href)};\nUnits.km(3)`, { language: 'typescript' });
      assert.ok(r.status === 'ok' && r.value?.type === 'number' && r.value.text === '3000', JSON.stringify(r));
    });

    it('a namespace of types only still runs, and so does a word "namespace" in a string', async () => {
      assert.equal((await k.run('namespace T { export interface P { x: number } }\nconst p: T.P = { x: 3 };\np.x', { language: 'typescript' })).status, 'ok');
      assert.equal(await k.value('p.x'), '3');
      const r = await k.run('const words: string = "namespace N { export const v = 1 }"; words.length', { language: 'typescript' });
      assert.ok(r.status === 'ok', JSON.stringify(r));
    });

    for (const [language, code, needle] of [
      ['typescript', 'function inject(t: unknown) {}\nclass Service { constructor(@inject db: unknown) {} }', '@inject'],
      ['javascript', 'const api = {\n  @route("/x") get() {}\n}', '@route'],
      ['javascript', 'const f = 1;\n@((v) => v) function g() {}', '@('],
    ] as const) {
      it(`a decorator where none can stand is refused at its @, with its code (${language}: ${needle})`, async () => {
        const r = await k.run(code, { language });
        assert.equal(r.status, 'error');
        if (r.status !== 'error') return;
        assert.equal(r.error.code, 'DecoratorsUnsupported', JSON.stringify(r.error));
        assert.deepEqual([r.error.location?.line, r.error.location?.column], at(code, needle));
      });
    }

    it('decorators before a class or a class member run (test/unit/runtimes/decoratorCells.test.ts has the rest)', async () => {
      const r = await k.run('function logged(v: any, c: ClassDecoratorContext) { v.seen = c.name }\n@logged class Service {}\n(Service as any).seen', {
        language: 'typescript',
      });
      assert.ok(r.status === 'ok' && r.value?.type === 'string' && r.value.value === 'Service', JSON.stringify(r));
    });

    for (const [language, code] of [
      ['javascript', 'import data from "./d.json" assert { type: "json" }'],
      ['typescript', 'const before: number = 1;\nexport { x } from "./x.js" assert {type: "json"}'],
      ['javascript', 'const m = 1;\n  import "./side.json"   assert   { type: "json" };'],
    ] as const) {
      it(`an import assertion (\`assert { … }\`) is refused at its keyword, saying to write \`with\` (${language})`, async () => {
        const r = await k.run(code, { language });
        assert.ok(r.status === 'error' && r.error.code === 'ImportAssertionSyntax' && /write `with` in its place/.test(r.error.message), JSON.stringify(r));
        assert.deepEqual([r.error.location?.line, r.error.location?.column], at(code, 'assert'));
      });
    }

    it('a word "assert" elsewhere keeps the parser’s own words', async () => {
      const r = await k.run('const assert = 1;\nassert {');
      assert.ok(r.status === 'error' && r.error.code === undefined, JSON.stringify(r));
    });

    it('an @ that is no decorator keeps the parser’s own words', async () => {
      const r = await k.run('const mail = a @ b');
      assert.equal(r.status, 'error');
      if (r.status !== 'error') return;
      assert.equal(r.error.code, undefined);
      assert.match(r.error.message, /Unexpected character '@'/);
      assert.equal((await k.run('const ok = "a@b.c"; `@${ok}`')).status, 'ok');
    });
  });
});
