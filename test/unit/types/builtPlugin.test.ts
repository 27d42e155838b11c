/**
 * The plugin as the installed extension has it: the VSIX `npm run package` builds, unzipped, is the extension folder
 * tsserver probes; it finds `codajs-tsplugin` by package name in that folder's node_modules (which vsce leaves out
 * of a `--no-dependencies` package unless scripts/package.mjs adds it), loads dist/tsplugin.js with the server's own
 * TypeScript, and Node's types shipped in dist/types.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageVsix, type PackagedVsix } from '../helpers/packagedVsix';
import { messages, startServer } from './tsserverHarness';

describe('types: the plugin from the packaged VSIX', function () {
  this.timeout(180_000);
  let work: string;
  let packaged: PackagedVsix;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'coda-built-'));
    packaged = packageVsix(work);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('is contributed under the name of the package the VSIX ships', () => {
    const manifest = JSON.parse(readFileSync(join(packaged.extension, 'package.json'), 'utf8')) as {
      contributes: { typescriptServerPlugins?: { name: string }[] };
    };
    const names = (manifest.contributes.typescriptServerPlugins ?? []).map((p) => p.name);
    assert.deepEqual(names, ['codajs-tsplugin']);
    const pkg = JSON.parse(readFileSync(join(packaged.extension, 'node_modules', 'codajs-tsplugin', 'package.json'), 'utf8')) as { name: string };
    assert.equal(pkg.name, 'codajs-tsplugin');
  });

  it("is found by name from the installed extension's folder and answers a notebook's cells", () => {
    const dir = mkdtempSync(join(work, 'ws-'));
    const server = startServer({ root: dir, built: packaged.extension });
    try {
      server.configure({ notebooks: [{ uri: `file://${dir}/n.coda`, runtime: 'sandbox' }] });
      const files = server.openNotebook(join(dir, 'n.coda'), ['const x = 1;', 'const x = await Promise.resolve("s");\ndisplay.text(x);', 'require("fs");']);
      assert.deepEqual(messages(server.errors(files[0]!)), []);
      assert.deepEqual(messages(server.errors(files[1]!)), []);
      assert.match(messages(server.errors(files[2]!)).join('\n'), /Sandbox runtime has no require/);
    } finally {
      server.dispose();
    }
  });

  it("ships Node's types as one archive, not as a folder of files", () => {
    assert.ok(packaged.entries.includes('extension/dist/types.json.br'));
    assert.deepEqual(
      packaged.entries.filter((e) => e.startsWith('extension/dist/types/')),
      [],
    );
  });

  it("gives a Node notebook Node's types from the VSIX when the workspace has none", () => {
    const dir = mkdtempSync(join(work, 'ws-'));
    const server = startServer({ root: dir, built: packaged.extension });
    try {
      server.configure({ notebooks: [{ uri: `file://${dir}/n.coda`, runtime: 'node' }] });
      const files = server.openNotebook(join(dir, 'n.coda'), [
        'import { readFileSync } from "node:fs";',
        'const n: number = readFileSync("x", "utf8");',
        'process.argv;',
      ]);
      assert.deepEqual(messages(server.errors(files[0]!)), []);
      assert.match(messages(server.errors(files[1]!)).join('\n'), /Type 'string' is not assignable to type 'number'/);
      assert.ok(server.completions(files[2]!, 'process.argv;', 'process.').includes('argv'));
    } finally {
      server.dispose();
    }
  });

  it('gives each Node notebook the @types/node of the Node major that runs it', () => {
    const dir = mkdtempSync(join(work, 'ws-'));
    const server = startServer({ root: dir, built: packaged.extension });
    // fs.glob came in Node 22, diagnostics_channel.boundedChannel in Node 26; a notebook whose Node is not known gets the newest types
    const cells = ['import { glob } from "node:fs";\nglob;', 'import { boundedChannel } from "node:diagnostics_channel";\nboundedChannel;'];
    const majors = [20, 22, 23, 26, undefined];
    try {
      server.configure({
        notebooks: majors.map((m, i) => ({ uri: `file://${dir}/n${i}.coda`, runtime: 'node', ...(m ? { nodeMajor: m } : {}) })),
      });
      const seen = majors.map((_, i) => server.openNotebook(join(dir, `n${i}.coda`), cells).map((f) => messages(server.errors(f)).length === 0));
      assert.deepEqual(seen, [
        [false, false],
        [true, false],
        [true, false],
        [true, true],
        [true, true],
      ]);
    } finally {
      server.dispose();
    }
  });
});
