/**
 * The Node built-ins a kernel's start does without (issue 17): node:dns and node:os serve only the seat belts of a
 * notebook that declares permissions (and the code-cache build), so they are loaded when those are installed; and no
 * module is imported through a bundler's copy of all its exports (esbuild's __toESM: most of a millisecond, over a
 * dozen modules).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeBinaries, ROOT, startKernel } from '../helpers/testKernel';

const loaded = (modules: string[]) => `JSON.stringify(${JSON.stringify(modules)}.filter((m) => process.moduleLoadList.includes("NativeModule " + m)))`;

describe('the built-ins a Node kernel’s start loads', function () {
  this.timeout(30_000);

  for (const node of nodeBinaries()) {
    it(`${node.name}: reaches its first result without node:dns and node:os, which a cell still has`, async () => {
      const k = await startKernel({ nodePath: node.path });
      try {
        assert.equal(await k.value(loaded(['dns', 'os'])), '[]', 'loaded before any cell asked for them');
        assert.equal(await k.value('typeof require("node:dns").lookup + " " + typeof require("node:os").tmpdir()'), 'function string');
      } finally {
        await k.kernel.dispose();
      }
    });

    it(`${node.name}: with declared permissions, has them from the seat belts, installed before the first cell`, async () => {
      const k = await startKernel({ nodePath: node.path, init: { permissions: { net: ['example.com'] } } });
      try {
        assert.equal(await k.value(loaded(['dns', 'os'])), '["dns","os"]');
      } finally {
        await k.kernel.dispose();
      }
    });
  }

  it('the worker’s bundles wrap no Node built-in in a copy of its exports', () => {
    for (const bundle of ['worker.js', 'worker-main.js']) {
      const source = readFileSync(join(ROOT, 'dist', bundle), 'utf8');
      assert.deepEqual(source.match(/__toESM\(require\("node:[a-z_/]+"\)\)/g) ?? [], [], bundle);
    }
  });
});
