/** Which plugins a notebook loads, in which order, and what they install (host/plugins/notebookPlugins.ts). */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notebookPlugins, pluginInstallCell, PLUGINS_CELL_ID } from '../../../host/plugins/notebookPlugins';

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

  it('installs the packages and the // @coda-dep lines of plugin files, as one more cell', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-nbplugins-'));
    writeFileSync(join(dir, 'p.js'), '// @coda-dep jsdom@^29\nmodule.exports = { name: "p" };\n');
    const cells = await pluginInstallCell(notebookPlugins({ plugins: ['./p.js', 'coda-plugin-x', './missing.js'] }, dir));
    assert.deepEqual(cells, [{ cellId: PLUGINS_CELL_ID, code: '// @coda-dep coda-plugin-x\n// @coda-dep jsdom@^29' }]);
    assert.deepEqual(await pluginInstallCell(notebookPlugins({}, dir)), [], 'no plugins, nothing to install');
  });
});
