/**
 * A package that is there but fails while loading shows its own error (the module it could not find inside it, or
 * what it threw), never "Cannot find module '<the package>'" — from the notebook folder and from the dependency store.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKernel, type TestKernel } from '../helpers/testKernel';

function pkg(root: string, name: string, manifest: Record<string, unknown>, files: Record<string, string>): void {
  const dir = join(root, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...manifest }));
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
}

describe('a package that fails while loading shows its own error', function () {
  this.timeout(30_000);
  let k: TestKernel;
  before(async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'coda-nb-'));
    const store = mkdtempSync(join(tmpdir(), 'coda-store-'));
    pkg(store, 'broken-cjs', { main: 'index.js' }, { 'index.js': 'require("dep-that-is-not-installed");' });
    pkg(store, 'broken-esm', { type: 'module', exports: './index.js' }, { 'index.js': 'import "dep-esm-not-installed"; export default 1;' });
    pkg(store, 'throws-cjs', { main: 'index.js' }, { 'index.js': 'throw new Error("misconfigured: set FOO_URL");' });
    pkg(cwd, 'local-broken', { main: 'index.js' }, { 'index.js': 'require("./missing-file");' });
    k = await startKernel({ cwd, modulePaths: [join(store, 'node_modules')] });
  });
  after(() => k?.kernel.dispose());

  const cases: [string, string, RegExp][] = [
    ['require of a store package missing a dependency', 'require("broken-cjs")', /dep-that-is-not-installed/],
    ['import of a store package missing a dependency', 'await import("broken-cjs")', /dep-that-is-not-installed/],
    ['import of an ESM store package missing a dependency', 'await import("broken-esm")', /dep-esm-not-installed/],
    ['a static import of it', 'import b from "broken-esm"; b', /dep-esm-not-installed/],
    ['a package that throws while loading', 'require("throws-cjs")', /misconfigured: set FOO_URL/],
    ['a notebook-folder package missing a file', 'require("local-broken")', /missing-file/],
  ];
  for (const [name, code, expected] of cases) {
    it(name, async () => {
      const r = await k.run(code);
      assert.equal(r.status, 'error');
      if (r.status !== 'error') return;
      assert.match(r.error.message, expected, r.error.message);
    });
  }

  it('a package that is really missing still says so, by its name', async () => {
    const r = await k.run('require("not-installed-anywhere")');
    assert.equal(r.status, 'error');
    if (r.status === 'error') assert.match(r.error.message, /Cannot find module 'not-installed-anywhere'/);
  });
});
