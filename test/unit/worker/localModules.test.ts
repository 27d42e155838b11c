/**
 * The notebook's own modules (worker/node/LocalModules.ts, localModuleHooks.ts): as they are on disk, on every Node the
 * tests have (Node 20 runs the resolve hook in a thread of its own, module.register; Node 24 on the main thread,
 * module.registerHooks; what Deno and Bun do is in the conformance suite), and finding the notebook's packages.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeBinary } from '../../runtimeBinaries';
import { nodeBinaries, packageFixture, startKernel, type TestKernel } from '../helpers/testKernel';

for (const node of nodeBinaries()) {
  describe(`helper modules edited while the kernel runs (${node.name})`, () => {
    let k: TestKernel;
    let dir: string;
    const write = (file: string, text: string) => writeFileSync(join(dir, file), text);
    beforeEach(async () => {
      const cwd = packageFixture();
      dir = join(cwd, 'lib');
      mkdirSync(dir);
      k = await startKernel({ nodePath: node.path, cwd });
    });
    afterEach(() => k.kernel.dispose());

    it('reloads a module whose import another cell reloaded first', async () => {
      write('leaf.mjs', 'export const leaf = "one";\n');
      write('mid.mjs', 'export { leaf } from "./leaf.mjs";\n');
      assert.equal(await k.value('import { leaf } from "./lib/mid.mjs"; leaf'), 'one');
      write('leaf.mjs', 'export const leaf = "two!";\n');
      // the leaf is loaded again here, through a cell of its own
      assert.equal(await k.value('import { leaf } from "./lib/leaf.mjs"; leaf'), 'two!');
      // the middle module is unchanged, but it holds the first leaf: it is loaded again too
      assert.equal(await k.value('import { leaf } from "./lib/mid.mjs"; leaf'), 'two!');
    });

    it('keeps packages and unchanged modules as they are, and a query the cell wrote', async () => {
      write('pkg.mjs', 'import { kind } from "cjs-pkg";\nexport const viaPkg = kind;\nexport const me = {};\n');
      await k.run('import * as first from "./lib/pkg.mjs"; import * as pkgFirst from "cjs-pkg"; globalThis.firstPkg = pkgFirst');
      assert.equal(await k.value('import * as again from "./lib/pkg.mjs"; again === first'), 'true');
      write('pkg.mjs', 'import { kind } from "cjs-pkg";\nexport const viaPkg = kind + "!";\nexport const me = {};\n');
      assert.equal(await k.value('import * as third from "./lib/pkg.mjs"; [third.viaPkg, third === first].join()'), 'cjs!,false');
      assert.equal(await k.value('import * as pkgAgain from "cjs-pkg"; pkgAgain.default === firstPkg.default'), 'true', 'a package is never loaded again');
      write('q.mjs', 'export const q = import.meta.url;\n');
      assert.match(await k.value('import { q } from "./lib/q.mjs?v=7"; q'), /\/lib\/q\.mjs\?v=7$/);
      write('q.mjs', 'export const q = import.meta.url + "!";\n');
      assert.match(await k.value('import { q } from "./lib/q.mjs?v=7"; q'), /\/lib\/q\.mjs\?v=7&coda-v=\d+!$/);
    });

    it('reloads an ES module whose CommonJS import requires a file that changed', async () => {
      write('esm.mjs', 'import c from "./c.cjs";\nexport const v = c.v;\n');
      write('c.cjs', 'module.exports = { v: require("./d.cjs") };\n');
      write('d.cjs', 'module.exports = "d1";\n');
      assert.equal(await k.value('import { v } from "./lib/esm.mjs"; v'), 'd1');
      write('d.cjs', 'module.exports = "d2 changed";\n');
      assert.equal(await k.value('import { v } from "./lib/esm.mjs"; v'), 'd2 changed');
      assert.equal(await k.value('require("./lib/c.cjs").v'), 'd2 changed');
    });

    it('follows import cycles, and a module made to import another one', async () => {
      write('a.mjs', 'import { b } from "./b.mjs";\nexport const a = () => "a1+" + b();\n');
      write('b.mjs', 'import { a } from "./a.mjs";\nexport const b = () => "b1";\n');
      assert.equal(await k.value('import { a } from "./lib/a.mjs"; a()'), 'a1+b1');
      write('b.mjs', 'import { a } from "./a.mjs";\nimport { c } from "./c.mjs";\nexport const b = () => "b2+" + c;\n');
      write('c.mjs', 'export const c = "c1";\n');
      assert.equal(await k.value('import { a } from "./lib/a.mjs"; a()'), 'a1+b2+c1');
      write('c.mjs', 'export const c = "c2";\n');
      assert.equal(await k.value('import { a } from "./lib/a.mjs"; a()'), 'a1+b2+c2');
    });

    it('says what is missing when a helper file was removed, and loads it once it is back', async () => {
      write('gone.mjs', 'export const g = 1;\n');
      assert.equal(await k.value('import { g } from "./lib/gone.mjs"; g'), '1');
      rmSync(join(dir, 'gone.mjs'));
      const r = await k.run('import { g } from "./lib/gone.mjs"; g');
      assert.ok(
        r.status === 'error' && /Cannot find module .*\/lib\/gone\.mjs/.test(r.error.message) && !r.error.message.includes('coda-v'),
        JSON.stringify(r),
      );
      write('gone.mjs', 'export const g = 2;\n');
      assert.equal(await k.value('import { g } from "./lib/gone.mjs"; g'), '2');
    });

    it('resolves an import without the file extension as the editor types do (a bundler), from cells and helper modules', async () => {
      write('plain.js', 'export const plain = "plain.js";\n');
      mkdirSync(join(dir, 'folder'));
      write('folder/index.js', 'export { plain } from "../plain";\nexport const viaIndex = "folder/index.js";\n');
      write('typed.ts', 'export const typed: string = "typed.ts";\n');
      assert.equal(await k.value('import { plain } from "./lib/plain"; plain'), 'plain.js');
      assert.equal(await k.value('import { viaIndex, plain as p2 } from "./lib/folder"; viaIndex + " " + p2'), 'folder/index.js plain.js');
      for (const spec of ['./lib/typed', './lib/typed.js']) {
        const r = await k.run(`import { typed } from "${spec}"; typed`);
        // Node 20 too: a local TypeScript module's types are stripped by the kernel's own hook
        assert.ok(r.status === 'ok' && r.value?.type === 'string' && r.value.value === 'typed.ts', JSON.stringify(r));
      }
      const none = await k.run('import { x } from "./lib/nowhere"');
      assert.ok(
        none.status === 'error' && none.error.name !== 'ImportError' && /Cannot find module .*\/lib\/nowhere'/.test(none.error.message),
        JSON.stringify(none),
      );
    });

    it('says which helper module does not parse, and where, for ES modules (Node says neither) and CommonJS ones', async () => {
      write('entry.mjs', 'export { broken } from "./nested/broken.mjs";\n');
      mkdirSync(join(dir, 'nested'));
      write('nested/broken.mjs', 'export const ok = 1;\nexport const broken = 1 +* 2;\n');
      const esm = await k.run('import { broken } from "./lib/entry.mjs"');
      assert.ok(esm.status === 'error' && esm.error.name === 'SyntaxError', JSON.stringify(esm));
      assert.deepEqual(
        esm.error.frames?.[0] && { ...esm.error.frames[0], file: String((esm.error.frames[0] as { file?: string }).file).replace(dir, '<lib>') },
        { functionName: '', file: '<lib>/nested/broken.mjs', line: 2, column: 26 },
      );
      assert.ok(!esm.error.frames?.some((f) => 'file' in f && /__coda_/.test(String(f.file))), "no frame of the kernel's own resolver files");
      write('broken.cjs', 'exports.a = 1;\nexports.b = 1 +* 2;\n');
      const cjs = await k.run('require("./lib/broken.cjs")');
      assert.ok(cjs.status === 'error' && cjs.error.frames?.[0] && 'file' in cjs.error.frames[0], JSON.stringify(cjs));
      assert.deepEqual(
        { ...cjs.error.frames[0], file: String((cjs.error.frames[0] as { file?: string }).file).replace(dir, '<lib>') },
        { functionName: '', file: '<lib>/broken.cjs', line: 2, column: 16 },
      );
      // a module that parses but fails as it runs keeps its own frames
      write('throws.mjs', 'export const x = 1;\nthrow new RangeError("at load");\n');
      const threw = await k.run('import { x } from "./lib/throws.mjs"');
      assert.ok(
        threw.status === 'error' && threw.error.name === 'RangeError' && /throws\.mjs$/.test(String((threw.error.frames?.[0] as { file?: string })?.file)),
        JSON.stringify(threw),
      );
      {
        write('typed-broken.ts', 'export const t: number = 1;\nexport const u: = 2;\n');
        const ts = await k.run('import { t } from "./lib/typed-broken.ts"');
        assert.ok(
          ts.status === 'error' && /typed-broken\.ts$/.test(String((ts.error.frames?.[0] as { file?: string })?.file)) && ts.error.frames?.[0]?.line === 2,
          JSON.stringify(ts),
        );
        // what Node's own type stripping refuses, cells accept: so do helper modules, on every Node
        write('full.ts', 'export enum E { A, B }\nexport class P {\n  constructor(private x: number) {}\n  get v(): number {\n    return this.x;\n  }\n}\n');
        assert.equal(await k.value('import { E, P } from "./lib/full.ts"; [E.B, new P(7).v].join()'), '1,7');
        // a parameter property is declared before the class's fields, as in a cell and as TypeScript declares it
        write('props.ts', 'export class Q {\n  x = 1;\n  constructor(public a: number) {}\n}\n');
        assert.equal(await k.value('import { Q } from "./lib/props.ts"; Object.keys(new Q(2)).join()'), 'a,x');
      }
    });

    it('reloads a CommonJS module a cell requires when it or a file it requires changed, and keeps it otherwise', async () => {
      write('r.js', 'exports.r = require("./s.js").s;\nexports.me = {};\n');
      write('s.js', 'exports.s = 1;\n');
      await k.run('globalThis.firstR = require("./lib/r.js")');
      assert.equal(await k.value('require("./lib/r.js") === firstR'), 'true');
      write('s.js', 'exports.s = 22;\n');
      assert.equal(await k.value('const r2 = require("./lib/r.js"); [r2.r, r2 === firstR].join()'), '22,false');
    });
  });
}

/** A notebook folder with helper modules that import packages only the dependency store holds. */
function helperFolder(): { cwd: string; store: string } {
  const store = join(packageFixture(), 'node_modules');
  const cwd = mkdtempSync(join(tmpdir(), 'coda-helpers-'));
  mkdirSync(join(cwd, 'lib'));
  writeFileSync(join(cwd, 'lib', 'uses.mjs'), 'import twice from "esm-only";\nimport { add } from "cjs-pkg";\nexport const both = add(twice(2), 1);\n');
  writeFileSync(join(cwd, 'lib', 'uses.cjs'), 'exports.kind = require("cjs-pkg").kind;\n');
  writeFileSync(join(cwd, 'lib', 'lacks.mjs'), 'export { x } from "not-in-any-store";\n');
  return { cwd, store };
}

const runtimes = [
  ...nodeBinaries().map((n) => ({ name: n.name, init: {}, nodePath: n.path })),
  ...(['bun', 'deno'] as const).map((runtime) => ({ name: runtime, init: { runtime, runtimePath: runtimeBinary(runtime) }, nodePath: undefined })),
];

for (const rt of runtimes) {
  describe(`helper modules find the notebook's packages (${rt.name})`, () => {
    let k: TestKernel;
    before(async function () {
      if ('runtimePath' in rt.init && !rt.init.runtimePath) this.skip();
      const { cwd, store } = helperFolder();
      k = await startKernel({ cwd, nodePath: rt.nodePath, modulePaths: [store], init: rt.init });
    });
    after(() => k?.kernel.dispose());

    it('an ES module and a CommonJS module of the notebook folder import and require packages of the store', async () => {
      if (rt.name === 'deno') {
        // Deno resolves a module's packages itself, from its own folders: the store is not one of them (docs/runtimes.md)
        const r = await k.run('import { both } from "./lib/uses.mjs"; both');
        assert.ok(r.status === 'error' && /cjs-pkg|esm-only/.test(r.error.message), JSON.stringify(r));
        return;
      }
      assert.equal(await k.value('import { both } from "./lib/uses.mjs"; both'), '5');
      assert.equal(await k.value('require("./lib/uses.cjs").kind'), 'cjs');
      // a package no store holds: the error of the module's own lookup, naming the module
      const r = await k.run('import { x } from "./lib/lacks.mjs"');
      assert.ok(r.status === 'error' && /not-in-any-store/.test(r.error.message) && /lacks\.mjs/.test(r.error.message), JSON.stringify(r));
    });

    it('cells see their own NODE_PATH', async () => {
      assert.equal(await k.value('String(process.env.NODE_PATH)'), 'undefined');
    });
  });
}
