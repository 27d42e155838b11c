/** Which plugins a notebook loads, in which order, and what they install (host/plugins/notebookPlugins.ts). */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notebookPlugins, pluginInstallCell, pluginsNamedIn, PLUGINS_CELL_ID, scratchPlugins } from '../../../host/plugins/notebookPlugins';

describe('notebook plugins', () => {
  const cwd = '/work/nb';

  it("puts the configured plugins first, then the notebook's, each once; files resolve against the notebook folder", () => {
    const p = notebookPlugins({ plugins: ['./mine.js', 'coda-plugin-x@^2', '@scope/plugin@1.0.0', 'from-setting'] }, cwd, ['from-setting', '/abs/api.js']);
    assert.deepEqual(p.specs, ['from-setting', '/abs/api.js', '/work/nb/mine.js', 'coda-plugin-x', '@scope/plugin']);
    assert.deepEqual(p.packages, ['from-setting', 'coda-plugin-x@^2', '@scope/plugin@1.0.0']);
    assert.deepEqual(p.problems, []);
  });

  it('says which entries are not plugins', () => {
    const p = notebookPlugins({ plugins: ['ok', 3, ''] }, cwd);
    assert.deepEqual(p.specs, ['ok']);
    assert.equal(p.problems.length, 2);
  });

  it("reads a scratch file's // @coda-plugin lines as its plugins metadata (after the configured ones)", () => {
    const text =
      '// @coda-plugin coda-plugin-jsdom@^1 ./money.js\nconst a = 1; // @coda-plugin not-at-line-start\n  //@coda-plugin   @scope/p\n// @coda-plugins typo';
    assert.deepEqual(scratchPlugins(text), ['coda-plugin-jsdom@^1', './money.js', '@scope/p']);
    const p = notebookPlugins({ plugins: scratchPlugins(text) }, '/work/scratch', ['from-setting']);
    assert.deepEqual(p.specs, ['from-setting', 'coda-plugin-jsdom', '/work/scratch/money.js', '@scope/p']);
    assert.deepEqual(scratchPlugins('const x = 1;'), []);
  });

  it('resolves --plugin files against the folder coda runs in, and leaves package names', () => {
    assert.deepEqual(pluginsNamedIn(['./a.js', '../b.js', '/abs/c.js', 'coda-plugin-x@^2', ' @scope/p '], '/home/me/work'), [
      '/home/me/work/a.js',
      '/home/me/b.js',
      '/abs/c.js',
      'coda-plugin-x@^2',
      '@scope/p',
    ]);
  });

  it('installs the packages and the // @coda-dep lines of plugin files, as one more cell', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-nbplugins-'));
    writeFileSync(join(dir, 'p.js'), '// @coda-dep jsdom@^29\nmodule.exports = { name: "p" };\n');
    const cells = await pluginInstallCell(notebookPlugins({ plugins: ['./p.js', 'coda-plugin-x', './missing.js'] }, dir));
    assert.deepEqual(cells, [{ cellId: PLUGINS_CELL_ID, code: '// @coda-dep coda-plugin-x\n// @coda-dep jsdom@^29' }]);
    assert.deepEqual(await pluginInstallCell(notebookPlugins({}, dir)), [], 'no plugins, nothing to install');
  });
});
