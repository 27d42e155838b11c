/**
 * The bundle VS Code loads: `dist/tsplugin.js` through `node_modules/codajs-tsplugin`, found by tsserver by
 * package name from the extension's folder, with the server's own TypeScript passed in.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { messages, startServer } from './tsserverHarness';

const REPO = resolve(__dirname, '../../..');

describe('types: the built plugin as VS Code loads it', function () {
  this.timeout(60_000);

  it("is found by name from the extension folder and answers a notebook's cells", () => {
    assert.ok(existsSync(join(REPO, 'node_modules/codajs-tsplugin/package.json')), 'run node scripts/build.mjs first');
    const dir = mkdtempSync(join(tmpdir(), 'coda-built-'));
    const server = startServer({ root: dir, built: REPO });
    try {
      server.configure({ defaultTypeRoots: [join(REPO, 'node_modules/@types')], notebooks: [{ uri: `file://${dir}/n.coda`, runtime: 'sandbox' }] });
      const files = server.openNotebook(join(dir, 'n.coda'), ['const x = 1;', 'const x = await Promise.resolve("s");\ndisplay.text(x);', 'require("fs");']);
      assert.deepEqual(messages(server.errors(files[0]!)), []);
      assert.deepEqual(messages(server.errors(files[1]!)), []);
      assert.match(messages(server.errors(files[2]!)).join('\n'), /Sandbox runtime has no require/);
    } finally {
      server.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
