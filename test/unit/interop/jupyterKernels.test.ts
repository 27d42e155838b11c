/**
 * What notebooks written for Deno's kernel and tslab rely on, in real kernels: display ids (an output replaced in
 * place by later displays) and JSX where the original kernel compiled it (every Deno cell; cells after a JSX pragma,
 * such as tslab's `@jsx` cells, on any kernel), with the cell's lines kept.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DisplayEvent, ExecuteResult } from '../../../protocol';
import { readJsxPragmas } from '../../../common/JsxSettings';
import { requireRuntimes, runtimeBinary } from '../../runtimeBinaries';
import { startKernel, type TestKernel } from '../helpers/testKernel';

/** A tiny JSX runtime in the kernel's folder: `h` for the classic runtime, `mini/jsx-runtime` for the automatic one. */
function jsxFolder(): string {
  const cwd = mkdtempSync(join(tmpdir(), 'coda-jsx-'));
  const pkg = join(cwd, 'node_modules', 'mini');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'mini', version: '1.0.0', exports: { './jsx-runtime': './jsx-runtime.js' } }));
  writeFileSync(
    join(pkg, 'jsx-runtime.js'),
    'const jsx = (t, p) => `auto:${typeof t === "string" ? t : "F"}(${(Array.isArray(p.children) ? p.children : [p.children ?? ""]).join(",")})`;\n' +
      'module.exports = { jsx, jsxs: jsx, Fragment: Symbol("F") };\n',
  );
  return cwd;
}

const CLASSIC = 'globalThis.React = { createElement: (t, p, ...c) => `${t}(${c.join(",")})`, Fragment: "frag" };';

function displays(k: TestKernel): Pick<DisplayEvent, 'displayId' | 'update'>[] {
  return k.events
    .filter((e) => e.name === 'display')
    .map((e) => {
      const { displayId, update } = e.body as DisplayEvent;
      return { ...(displayId !== undefined && { displayId }), ...(update !== undefined && { update }) };
    });
}

function errorOf(r: ExecuteResult) {
  assert.equal(r.status, 'error', JSON.stringify(r));
  return r.status === 'error' ? r.error : assert.fail();
}

describe('interop: Deno and tslab notebooks in real kernels', function () {
  this.timeout(60_000);

  describe('on Deno', () => {
    let k: TestKernel;
    before(async function () {
      const runtimePath = runtimeBinary('deno');
      if (!runtimePath) {
        if (requireRuntimes) throw new Error('deno is not in the runtime store');
        this.skip();
      }
      k = await startKernel({ cwd: jsxFolder(), init: { runtime: 'deno', runtimePath } });
    });
    after(() => k?.kernel.dispose());

    it('Deno.jupyter.display with a display_id, then update: true, and update_display_data send display ids', async () => {
      const r = await k.run(
        [
          'await Deno.jupyter.display({ "text/plain": "0%" }, { raw: true, display_id: "bar" });',
          'await Deno.jupyter.display({ "text/plain": "50%" }, { raw: true, display_id: "bar", update: true });',
          'await Deno.jupyter.broadcast("update_display_data", { data: { "text/plain": "100%" }, metadata: {}, transient: { display_id: "bar" } });',
        ].join('\n'),
      );
      assert.equal(r.status, 'ok', JSON.stringify(r));
      assert.deepEqual(displays(k), [{ displayId: 'bar' }, { displayId: 'bar', update: true }, { displayId: 'bar', update: true }]);
    });

    it('compiles JSX in every cell, classic React by default, with TypeScript and `<T>x` assertions still working', async () => {
      await k.run(CLASSIC);
      assert.equal(await k.value('<h1 id="t">Hello{" "}<b>you</b></h1>'), 'h1(Hello, ,b(you))');
      assert.equal(await k.value('<>a</>'), 'frag(a)');
      const ts = await k.run('const n: number = 40;\nconst el: string = <p>{n + 2}</p>;\nel', { language: 'typescript' });
      assert.ok(ts.status === 'ok' && ts.value?.type === 'string' && ts.value.value === 'p(42)', JSON.stringify(ts));
      // not TSX: read as TypeScript, as Deno's kernel reads it (a cell cannot have both, there either)
      const assertion = await k.run('const s = <string>("as" + "serted");\ns', { language: 'typescript' });
      assert.ok(assertion.status === 'ok' && assertion.value?.type === 'string' && assertion.value.value === 'asserted', JSON.stringify(assertion));
    });

    it('keeps lines: an error inside multi-line JSX names its cell line and column', async () => {
      const source = 'const oops = () => { throw new Error("in jsx") };\nconst tree = (\n  <ul>\n    <li>{oops()}</li>\n  </ul>\n);';
      const error = errorOf(await k.run(source, { language: 'typescript' }));
      const frame = error.frames?.find((f) => f.line === 4);
      assert.ok(frame, JSON.stringify(error.frames));
      assert.equal(frame.column, source.split('\n')[3]!.indexOf('oops()') + 1);
      const syntax = errorOf(await k.run('const a = 1;\nconst b = <div>\n  <span>\n</div>;', { language: 'typescript' }));
      assert.equal(syntax.name, 'SyntaxError');
      assert.equal(syntax.location?.line, 4, JSON.stringify(syntax));
    });

    it('a @jsxImportSource pragma switches to the automatic runtime, for that cell and the ones after it (as in Deno)', async () => {
      assert.equal(await k.value('/** @jsxImportSource mini */\n<b>x</b>'), 'auto:b(x)');
      assert.equal(await k.value('<i>{1}{2}</i>'), 'auto:i(1,2)');
      assert.equal(await k.value('/** @jsx React.createElement */\n<b>back</b>'), 'b(back)');
    });
  });

  describe('on Node', () => {
    let k: TestKernel;
    before(async () => (k = await startKernel({ cwd: jsxFolder() })));
    after(() => k?.kernel.dispose());

    it('no JSX without a pragma; a tslab `@jsx` cell compiles it with React, and so do the cells after it', async () => {
      await k.run(CLASSIC);
      const off = errorOf(await k.run('<p>x</p>'));
      assert.equal(off.name, 'SyntaxError');
      assert.equal(await k.value('/** @jsx @module mylib */\n<p>{"x"}</p>'), 'p(x)');
      assert.equal(await k.value('<div><p/></div>'), 'div(p())');
      const assertion = await k.run('const s = <string>("as" + "serted");\ns', { language: 'typescript' });
      assert.ok(assertion.status === 'ok' && assertion.value?.type === 'string' && assertion.value.value === 'asserted', JSON.stringify(assertion));
    });

    it('a factory pragma names the factory', async () => {
      await k.run('globalThis.h = (t, p, ...c) => `h:${t}:${c.length}`');
      assert.equal(await k.value('/** @jsx h */\n<p>{1}{2}</p>'), 'h:p:2');
    });
  });

  it('reads pragmas as Deno does: block comments before the first statement, each at its start', () => {
    assert.deepEqual(readJsxPragmas('/** @jsx h */\n/* @jsxFrag Fragment */\n<x/>'), { factory: 'h', fragment: 'Fragment' });
    assert.deepEqual(readJsxPragmas('// a line comment\n/** @jsxImportSource npm:preact */ <x/>'), { importSource: 'npm:preact' });
    assert.deepEqual(readJsxPragmas('/**\n * @jsx\n * @module lib\n */'), { on: true });
    assert.deepEqual(readJsxPragmas('const a = 1; /** @jsx h */'), {}, 'not before the first statement');
    assert.deepEqual(readJsxPragmas('/** see @jsx h */'), {}, 'not at the comment start');
  });
});
