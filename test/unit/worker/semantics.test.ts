import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeBinaries, packageFixture, startKernel, type TestKernel } from '../helpers/testKernel';

for (const node of nodeBinaries()) {
  describe(`cell semantics (${node.name})`, function () {
    let k: TestKernel;
    const fixture = packageFixture();
    const store = packageFixture();
    before(async () => {
      k = await startKernel({ nodePath: node.path, cwd: fixture, modulePaths: [join(store, 'node_modules')] });
    });
    after(() => k.kernel.dispose());

    it('keeps state across cells and lets const, let and class be declared again', async () => {
      assert.equal(await k.value('const x = 1; x'), '1');
      assert.equal(await k.value('const x = 2; x'), '2');
      assert.equal(await k.value('let y = x * 10; y'), '20');
      assert.equal(await k.value('class A { v = 1 }; new A().v'), '1');
      assert.equal(await k.value('class A { v = 2 }; new A().v'), '2');
      assert.equal(await k.value('x + y'), '22');
    });

    it('supports top-level await and returns the last expression', async () => {
      assert.equal(await k.value('const z = await new Promise((r) => setTimeout(() => r(5), 5)); z * 2'), '10');
      // a last statement that is no expression: its completion value, as in Node's REPL (statementCompletion.ts)
      assert.equal(await k.value('if (true) { 1 }'), '1');
      assert.equal(await k.value('if (true) { const only = 1 }'), 'undefined');
    });

    it('keeps function hoisting and destructuring', async () => {
      assert.equal(await k.value('hoisted(); function hoisted() { return "h" }'), '(no value)');
      assert.equal(await k.value('hoisted()'), 'h');
      assert.equal(await k.value('const { a, b: [c, ...rest] } = { a: 1, b: [2, 3, 4] }; a + c + rest.length'), '5');
    });

    it('shows a returned promise with its state instead of adopting it', async () => {
      assert.equal(await k.value('Promise.resolve(41)'), 'Promise { 41 }');
      assert.equal(await k.value('new Promise(() => {})'), 'Promise { <pending> }');
    });

    it('imports node builtins, CommonJS and ESM-only packages from the notebook folder, and relative files', async () => {
      assert.equal(await k.value('import { readFileSync } from "node:fs"; typeof readFileSync'), 'function');
      assert.equal(await k.value('import path from "path"; path.sep'), '/');
      assert.equal(await k.value('import { kind, add } from "cjs-pkg"; kind + add(1, 2)'), 'cjs3');
      assert.equal(await k.value('import twice, { kind as k2 } from "esm-only"; k2 + twice(4)'), 'esm8');
      assert.equal(await k.value('const m = await import("esm-only"); m.kind'), 'esm');
      assert.equal(await k.value('require("cjs-pkg").kind'), 'cjs');
      assert.equal(await k.value('import { local } from "./local.mjs"; local'), 'relative import');
    });

    it('imports names of a CommonJS module that Node cannot see statically, as TypeScript interop does', async () => {
      assert.equal(await k.value('import { pair } from "umd-pkg"; pair(1, 2).join("+")'), '1+2');
      // a name neither the module nor its exports have stops the cell at its import, in Node's words (it went on with
      // `undefined` before)
      const missing = await k.run('import { pair as p2, missing } from "umd-pkg"; typeof missing');
      assert.ok(
        missing.status === 'error' &&
          missing.error.name === 'SyntaxError' &&
          missing.error.message === "The requested module 'umd-pkg' does not provide an export named 'missing'" &&
          missing.error.location?.line === 1 &&
          missing.error.location.column === 1,
        JSON.stringify(missing),
      );
      const noDefault = await k.run('const before = 1;\n  import theDefault from "./local.mjs"');
      assert.ok(
        noDefault.status === 'error' &&
          /does not provide an export named 'default'/.test(noDefault.error.message) &&
          noDefault.error.location?.line === 2 &&
          noDefault.error.location.column === 3,
        JSON.stringify(noDefault),
      );
      // an ES module's own named exports are still what it exports
      assert.equal(await k.value('import { kind as k3 } from "esm-only"; k3'), 'esm');
      // `* as` of a CommonJS module is its exports and a default, on every Node (Node 20 and 22 gave only the names their
      // analysis found: `import * as _ from 'lodash'` had no `_.map`, where Node 24, Deno and Bun had it)
      assert.equal(await k.value('import * as U from "umd-pkg"; typeof U.pair + typeof U.default.pair'), 'functionfunction');
      assert.equal(
        await k.value('import * as C from "cjs-pkg"; [C.kind, C.add(1, 2), C.default.kind, Object.keys(C).sort().join()].join()'),
        'cjs,3,cjs,add,default,kind',
      );
      // an ES module's namespace stays its own: its names only, live, not its default's properties
      writeFileSync(join(fixture, 'esm-default.mjs'), 'export let count = 0; export const bump = () => ++count; export default { extra: 1 };\n');
      assert.equal(
        await k.value('import * as E from "./esm-default.mjs"; E.bump(); [E.count, E.extra, Object.keys(E).join()].join()'),
        '1,,bump,count,default',
      );
      // one compiled from an ES module (exports.__esModule) is its own namespace: `default` is its default, as in TypeScript
      writeFileSync(
        join(fixture, 'compiled.cjs'),
        'Object.defineProperty(exports, "__esModule", { value: true }); exports.default = "the default"; exports.named = 2;\n',
      );
      assert.equal(await k.value('import * as D from "./compiled.cjs"; [D.default, D.named].join()'), 'the default,2');
      // and its default import is that default too (`d === ns.default`), as in TypeScript and on Bun
      assert.equal(await k.value('import d1, * as D1 from "./compiled.cjs"; [d1, d1 === D1.default].join()'), 'the default,true');
      writeFileSync(
        join(fixture, 'compiled-fn.cjs'),
        'Object.defineProperty(exports, "__esModule", { value: true }); exports.default = function f() { return 7; };\n',
      );
      assert.equal(await k.value('import f1 from "./compiled-fn.cjs"; f1()'), '7');
      // one without a default gives its exports, as Node, Deno and Bun do
      writeFileSync(join(fixture, 'compiled-nodefault.cjs'), 'Object.defineProperty(exports, "__esModule", { value: true }); exports.only = 3;\n');
      assert.equal(await k.value('import n1 from "./compiled-nodefault.cjs"; n1.only'), '3');
      // a plain CommonJS module's default stays its module.exports, even with a `default` property of its own
      writeFileSync(join(fixture, 'plain-default.cjs'), 'module.exports = { default: "inner", other: 1 };\n');
      assert.equal(await k.value('import p1 from "./plain-default.cjs"; [p1.default, p1.other].join()'), 'inner,1');
      assert.equal(await k.value('import * as fsNs from "node:fs"; typeof fsNs.readFileSync + typeof fsNs.default.readFileSync'), 'functionfunction');
    });

    it('resolves packages from the dependency store folders after the notebook folder', async () => {
      const other = await startKernel({ nodePath: node.path, cwd: mkdtempSync(join(tmpdir(), 'coda-empty-')), modulePaths: [join(store, 'node_modules')] });
      try {
        assert.equal(await other.value('import { kind } from "esm-only"; kind'), 'esm');
        assert.equal(await other.value('require("cjs-pkg").kind'), 'cjs');
        const missing = await other.run('import nope from "not-installed-anywhere"');
        assert.equal(missing.status, 'error');
      } finally {
        await other.kernel.dispose();
      }
    });

    it('runs TypeScript cells with types, enums and type-only imports removed', async () => {
      const r = await k.run(
        'import type { Stats } from "node:fs";\ninterface P { x: number }\nenum Dir { Up, Down }\nconst p: P = { x: Dir.Down };\nconst s: Stats | undefined = undefined;\np.x as number',
        { language: 'typescript' },
      );
      assert.equal(r.status, 'ok');
      assert.deepEqual(r.status === 'ok' && r.value, { type: 'number', text: '1' });
      assert.equal(await k.value('Dir.Up'), '0');
    });

    it('maps runtime errors to the cell line and column, with the cause', async () => {
      const r = await k.run('function inner() {\n  throw new RangeError("too far", { cause: new Error("root") });\n}\n\ninner()');
      assert.equal(r.status, 'error');
      if (r.status !== 'error') return;
      assert.equal(r.error.name, 'RangeError');
      assert.equal(r.error.cause?.message, 'root');
      assert.deepEqual({ line: r.error.location?.line, column: r.error.location?.column }, { line: 2, column: 9 });
      assert.deepEqual(
        r.error.frames?.map((f) => [f.functionName, f.line]),
        [
          ['inner', 2],
          ['', 5],
        ],
      );
      assert.match(r.error.stack!, /at inner \(cell\[\d+\]:2:9\)/);
      assert.doesNotMatch(r.error.stack!, /worker\.js|node:internal/);
    });

    it('reports syntax errors with their position', async () => {
      const r = await k.run('const ok = 1;\nconst = 2');
      assert.equal(r.status, 'error');
      if (r.status === 'error') assert.deepEqual([r.error.name, r.error.location?.line, r.error.location?.column], ['SyntaxError', 2, 7]);
    });

    it('runs pasted module code: an exported declaration declares, `export {}` and `export { a }` do nothing', async () => {
      assert.equal(await k.value('export const exported = 1;\nexport let counted = 2, more = 3;\nexported + counted + more'), '6');
      assert.equal(await k.value('export function twice(n) { return n * 2 }\nexport class Box { v = 4 }\ntwice(new Box().v)'), '8');
      assert.equal(await k.value('export default function named() { return "default" }\nnamed()'), 'default');
      assert.equal(await k.value('export default class Shape { sides = 3 }\nnew Shape().sides'), '3');
      assert.equal(await k.value('export {};\nexport {\n  exported,\n  twice as doubled,\n};\nexported'), '1');
      // later cells see what was declared
      assert.equal(await k.value('twice(exported) + more'), '5');
      // positions after a removed `export` and a removed multi-line `export { … }` are the cell's own
      const thrown = await k.run('export {\n  exported\n};\nexport function fails() { throw new Error("here") }\nfails()');
      assert.ok(thrown.status === 'error', JSON.stringify(thrown));
      const frame = thrown.error.frames?.find((f) => f.functionName === 'fails');
      assert.deepEqual([frame?.line, frame?.column], [4, 33]);
    });

    it('refuses a default export of a value and a re-export, at the export', async () => {
      for (const [code, words] of [
        ['const a = 1;\nexport default a + 1', /`export default` of a value/],
        ['export default function () {}', /`export default` of a value/],
        ['export * from "node:path"', /re-export/],
        ['export { join } from "node:path"', /re-export/],
      ] as const) {
        const r = await k.run(code);
        assert.ok(r.status === 'error' && r.error.name === 'SyntaxError', JSON.stringify(r));
        assert.match(r.error.message, words);
        assert.equal(r.error.location?.column, 1, code);
      }
    });

    it('reports rejected top-level awaits and thrown non-errors', async () => {
      const r = await k.run('await Promise.reject(new TypeError("nope"))');
      assert.equal(r.status === 'error' && r.error.name, 'TypeError');
      const s = await k.run('throw "plain string"');
      // as Node's REPL names it (`Uncaught 'plain string'`)
      assert.equal(s.status === 'error' && s.error.message, "'plain string'");
    });
  });
}
