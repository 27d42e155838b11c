/**
 * A cell is code of a module in the notebook's folder: import attributes (`with { type: 'json' }`) reach the loader,
 * `import.meta` describes the notebook (url, filename, dirname, resolve), CommonJS's `__dirname` and `__filename`
 * stand beside `require`, and `require.resolve` finds what `require` loads, from the dependency store too.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import { CellSyntaxError, DEFAULT_HOOK, IMPORT_HOOK, META_HOOK, transformCell } from '../../../worker/transform/transformCell';
import { interopDefault } from '../../../worker/node/interopNamespace';
import { nodeBinaries, startKernel, type TestKernel } from '../helpers/testKernel';

/** Runs a transformed cell in a context with the import and meta hooks; returns its value and the import calls. */
async function run(source: string) {
  const calls: unknown[][] = [];
  const context = vm.createContext({
    [IMPORT_HOOK]: async (...args: unknown[]) => (calls.push(args), { default: 'the default', named: 'a name' }),
    [META_HOOK]: { url: 'file:///nb/n.coda' },
    [DEFAULT_HOOK]: interopDefault,
  });
  const box = (await vm.runInContext(transformCell(source, { importMeta: true }).code, context)) as { 0: unknown } | undefined;
  return { value: box?.[0], calls };
}

describe('cells as modules of the notebook', () => {
  describe('the transform', () => {
    it('passes import attributes to the loader, for static and dynamic imports', async () => {
      const r = await run(
        'import data from "./d.json" with { type: "json" };\nimport "./side.js";\nconst m = await import("./e.json", { with: { type: "json" } });\n[data, m.named]',
      );
      // (values of another realm: compared as JSON)
      assert.equal(
        JSON.stringify(r.calls),
        JSON.stringify([['./d.json', { with: { type: 'json' } }], ['./side.js'], ['./e.json', { with: { type: 'json' } }]]),
      );
      assert.equal(JSON.stringify(r.value), JSON.stringify(['the default', 'a name']));
      // a .json file imported without its attribute gets it (Node and Deno refuse it otherwise); other files do not
      const bare = await run('import data from "./d.json";\nconst m = await import("./e.json?v=1");\nawait import("./f.js");\n0');
      assert.equal(
        JSON.stringify(bare.calls),
        JSON.stringify([['./d.json', { with: { type: 'json' } }], ['./e.json?v=1', { with: { type: 'json' } }], ['./f.js']]),
      );
      const quoted = await run('import x from "./d.json" with { "type": "json" }; x');
      assert.equal(JSON.stringify(quoted.calls), JSON.stringify([['./d.json', { with: { type: 'json' } }]]));
    });

    it('reads import.meta from the runtime, keeping every column, also as the last expression', async () => {
      const out = transformCell('u = import.meta.url;\n  import.meta', { importMeta: true });
      assert.equal(META_HOOK.length, 'import.meta'.length);
      assert.ok(out.code.includes(`u = ${META_HOOK}.url;\n`), out.code);
      assert.equal(JSON.stringify((await run('import.meta')).value), JSON.stringify({ url: 'file:///nb/n.coda' }));
      assert.equal((await run('function F() { return new.target === F }\nnew F() instanceof F')).value, true, 'new.target is left alone');
    });

    it('compiles a dynamic import written as the last expression (it was a SyntaxError)', async () => {
      const r = await run('import("./lib.js")');
      assert.deepEqual(await (r.value as Promise<unknown>), { default: 'the default', named: 'a name' });
    });

    it('keeps a top-level `using` in the cell body (disposed as it ends), instead of refusing it as a script does', () => {
      const out = transformCell('using r = open();\nawait using s = openAsync();\nconst kept = 1;\nr.read()', { importMeta: true });
      assert.ok(out.code.includes('using r = open();') && out.code.includes('await using s = openAsync();'), out.code);
      assert.deepEqual(out.declared, ['kept'], 'a disposed resource is no binding for later cells');
    });

    it('refuses import.meta in words where there is no module file (the Sandbox), at its place', () => {
      assert.throws(
        () => transformCell('const a = 1;\nconst u = import.meta.url'),
        (err: unknown) => err instanceof CellSyntaxError && /Sandbox has none/.test(err.message) && err.line === 2 && err.column === 11,
      );
    });
  });

  describe('in a Node kernel', () => {
    let k: TestKernel;
    let cwd: string;
    let store: string;
    before(async () => {
      cwd = mkdtempSync(join(tmpdir(), 'coda-meta-'));
      writeFileSync(join(cwd, 'data.json'), '{ "x": 5 }');
      store = mkdtempSync(join(tmpdir(), 'coda-meta-store-'));
      const pkg = join(store, 'node_modules', 'stored-pkg');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(join(pkg, 'package.json'), '{ "name": "stored-pkg", "version": "1.0.0", "main": "main.js" }');
      writeFileSync(join(pkg, 'main.js'), 'module.exports = 42');
      k = await startKernel({ cwd, modulePaths: [join(store, 'node_modules')], init: { documentPath: join(cwd, 'n.coda') } });
    });
    after(() => k.kernel.dispose());

    it('imports JSON with its import attribute, statically and dynamically', async () => {
      assert.equal(await k.value('import data from "./data.json" with { type: "json" }; data.x'), '5');
      assert.equal(await k.value('(await import("./data.json", { with: { type: "json" } })).default.x'), '5');
    });

    it('describes the notebook in import.meta, and resolves relative paths, built-ins and packages as imports do', async () => {
      assert.equal(await k.value('import.meta.url'), pathToFileURL(join(cwd, 'n.coda')).href);
      assert.equal(await k.value('import.meta.filename'), join(cwd, 'n.coda'));
      assert.equal(await k.value('import.meta.dirname'), cwd);
      assert.equal(await k.value('import.meta.resolve("./data.json")'), pathToFileURL(join(cwd, 'data.json')).href);
      // what an import of it loads: the file an extensionless path names, as the resolve hook finds it
      writeFileSync(join(cwd, 'helper.ts'), 'export const h = 1;\n');
      assert.equal(await k.value('import.meta.resolve("./helper")'), pathToFileURL(join(cwd, 'helper.ts')).href);
      assert.equal(await k.value('import.meta.resolve("./helper.js")'), pathToFileURL(join(cwd, 'helper.ts')).href);
      assert.equal(await k.value('import.meta.resolve("./not-there")'), pathToFileURL(join(cwd, 'not-there')).href);
      // a folder: its index file, which an import of it loads (never the folder, which Node does not import)
      mkdirSync(join(cwd, 'lib'));
      writeFileSync(join(cwd, 'lib', 'index.ts'), 'export const fromIndex = true;\n');
      assert.equal(await k.value('import.meta.resolve("./lib")'), pathToFileURL(join(cwd, 'lib', 'index.ts')).href);
      assert.equal(await k.value('import.meta.resolve("./lib/")'), pathToFileURL(join(cwd, 'lib', 'index.ts')).href);
      assert.equal(await k.value('(await import(import.meta.resolve("./lib"))).fromIndex'), 'true');
      // a folder and a file of the same name: the file, as the resolve hook tries `./lib2` with `.js` first
      mkdirSync(join(cwd, 'lib2'));
      writeFileSync(join(cwd, 'lib2.js'), 'export const file = 1;\n');
      assert.equal(await k.value('import.meta.resolve("./lib2")'), pathToFileURL(join(cwd, 'lib2.js')).href);
      assert.equal(await k.value('import.meta.resolve("fs")'), 'node:fs');
      assert.equal(await k.value('import.meta.resolve("stored-pkg")'), pathToFileURL(join(store, 'node_modules', 'stored-pkg', 'main.js')).href);
      assert.equal(await k.value('JSON.parse(await (await import("node:fs/promises")).readFile(new URL("./data.json", import.meta.url), "utf8")).x'), '5');
    });

    it('defines __dirname and __filename beside require, and require.resolve finds a package of the store', async () => {
      assert.equal(await k.value('__dirname'), cwd);
      assert.equal(await k.value('__filename'), join(cwd, 'n.coda'));
      assert.equal(await k.value('require.resolve("stored-pkg")'), join(store, 'node_modules', 'stored-pkg', 'main.js'));
      assert.equal(await k.value('require("stored-pkg")'), '42');
      const r = await k.run('require.resolve("not-installed-anywhere")');
      assert.ok(r.status === 'error' && /Cannot find module 'not-installed-anywhere'/.test(r.error.message), JSON.stringify(r));
      assert.equal(await k.value('require.resolve("./data.json", { paths: [__dirname] })'), join(cwd, 'data.json'));
    });

    it('shows a cell that is one object literal (pasted JSON) as the object; a block stays a block', async () => {
      assert.equal(await k.value('{ "name": "ada", "tags": [1, 2] }'), "{ name: 'ada', tags: [ 1, 2 ] }");
      assert.equal(await k.value('{ a: 1 }'), '{ a: 1 }');
      // a block: its value is its last statement's, as in Node's REPL
      assert.equal(await k.value('{ globalThis.blockRan = "yes" }'), 'yes');
      assert.equal(await k.value('blockRan'), 'yes');
      const r = await k.run('{\n  "ok": 1,\n  "bad": (() => { throw new Error("at line 3") })()\n}');
      assert.ok(r.status === 'error' && r.error.frames?.some((f) => f.line === 3 && f.column === 25), JSON.stringify(r.status === 'error' && r.error.frames));
    });

    it('disposes a top-level `using` resource when the cell ends, after its value (Node 24)', async function () {
      const node24 = nodeBinaries().find((n) => n.name === 'node 24' || Number(process.versions.node.split('.')[0]) >= 24);
      if (!node24) this.skip();
      const k24 = await startKernel({ nodePath: node24!.path });
      try {
        const r = await k24.run(
          'const log = [];\nusing res = { [Symbol.dispose]() { log.push("disposed") } };\nawait using ares = { async [Symbol.asyncDispose]() { log.push("async disposed") } };\nlog.push("body"); log.length',
        );
        assert.ok(r.status === 'ok' && r.value?.type === 'number' && r.value.text === '1', JSON.stringify(r));
        assert.equal(await k24.value('log.join()'), 'body,async disposed,disposed');
        assert.equal(await k24.value('typeof res'), 'undefined');
      } finally {
        await k24.kernel.dispose();
      }
    });

    it('says a top-level `using` needs Node 24, at its line, on a Node without it (V8 says only "Unexpected identifier")', async function () {
      try {
        new vm.Script('{ using resource = null }');
        this.skip(); // the Node running the tests has `using`
      } catch {
        // this Node lacks it, as the kernel's does (the same binary)
      }
      for (const language of ['javascript', 'typescript'] as const) {
        const r = await k.run('const before = 1;\nusing res = { [Symbol.dispose]() {} };\n"never"', { language });
        assert.ok(r.status === 'error', JSON.stringify(r));
        assert.equal((r.error as { code?: string }).code, 'UsingUnsupported');
        assert.match(
          r.error.message,
          /need a runtime with explicit resource management, which Node v\d+\.\d+\.\d+ does not have: run this notebook on Node 24/,
        );
        assert.deepEqual(r.error.location && [r.error.location.line, r.error.location.column], [2, 1]);
      }
    });

    it('says so of a `using` in a block or a function too, at its place; any other syntax V8 refuses after the transform read it is placed in the cell', async function () {
      try {
        new vm.Script('{ using resource = null }');
        this.skip(); // the Node running the tests has `using`
      } catch {
        // this Node lacks it, as the kernel's does (the same binary)
      }
      const cases: [string, number, number][] = [
        ['const a = 1;\n{ using res = { [Symbol.dispose]() {} }; "block" }', 2, 3],
        ['async function g() {\n  await using r = null;\n}', 2, 3],
        ['const f = async () => { for (using x of []) {} }', 1, 30],
      ];
      for (const [code, line, column] of cases) {
        const r = await k.run(code);
        assert.ok(r.status === 'error' && (r.error as { code?: string }).code === 'UsingUnsupported', JSON.stringify(r));
        assert.deepEqual(r.error.location && [r.error.location.line, r.error.location.column], [line, column], code);
      }
      // (a regular expression acorn reads and an older V8 refuses: RegExp modifiers came to V8 after Node 22)
      try {
        new vm.Script('/(?i:a)b/');
      } catch {
        const r = await k.run('const ok = 1\nconst r = /(?i:a)b/');
        assert.ok(r.status === 'error' && r.error.name === 'SyntaxError', JSON.stringify(r));
        const top = r.error.frames?.[0];
        assert.deepEqual(top && [top.line, top.column], [2, 11], JSON.stringify(r.error.frames));
        assert.ok(r.error.frames?.[0]?.cellId, JSON.stringify(r.error.frames));
        assert.doesNotMatch(r.error.stack ?? '', /__coda_cell_/);
      }
    });

    it('imports a TypeScript file on any Node, requires one where the runtime strips types, and says what to do where it cannot', async () => {
      writeFileSync(join(cwd, 'util.ts'), 'export const double = (n: number): number => n * 2;\n');
      const strips = !!(process.features as { typescript?: unknown }).typescript;
      const imported = await k.run('import { double } from "./util.ts"; double(21)');
      assert.ok(imported.status === 'ok' && imported.value?.type === 'number' && imported.value.text === '42', JSON.stringify(imported));
      const r = await k.run('require("./util.ts").double(21)');
      if (strips) assert.ok(r.status === 'ok' && r.value?.type === 'number' && r.value.text === '42', JSON.stringify(r));
      else {
        assert.ok(r.status === 'error' && r.error.name === 'ImportError', JSON.stringify(r));
        assert.equal(
          r.error.message,
          `Node ${process.version} cannot require the TypeScript file "./util.ts": import it instead (\`import … from "./util.ts"\`: CodaJS strips its types), run this notebook on Node 24 or later, Deno or Bun, or write that module in JavaScript.`,
        );
      }
    });

    it('gives a notebook not saved yet its editor URI as import.meta.url, and no filename', async () => {
      const untitled = await startKernel({ init: { documentPath: 'untitled:Untitled-1' } });
      try {
        assert.equal(await untitled.value('import.meta.url'), 'untitled:Untitled-1');
        assert.equal(await untitled.value('import.meta.filename'), 'undefined');
      } finally {
        await untitled.kernel.dispose();
      }
    });
  });
});
