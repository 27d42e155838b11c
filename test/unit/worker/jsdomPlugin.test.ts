/**
 * The jsdom plugin (plugins/jsdom/) in a real kernel: a DOM to query and change, and inspector previews of elements.
 * jsdom comes from the notebook's store (here: this checkout's node_modules stands in for the store the install fills;
 * test/unit/deps/pluginInstall.test.ts proves plugin packages and a plugin file's `// @coda-dep` lines install there).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { notebookPlugins, pluginInstallCell } from '../../../host/plugins/notebookPlugins';
import { ROOT, startKernel, type TestKernel } from '../helpers/testKernel';

const PLUGIN = join(ROOT, 'plugins', 'jsdom', 'index.js');

describe('the jsdom plugin', function () {
  this.timeout(30_000);
  let k: TestKernel;
  before(async () => (k = await startKernel({ modulePaths: [join(ROOT, 'node_modules')], init: { plugins: [PLUGIN] } })));
  after(() => k?.kernel.dispose());

  it('names jsdom for the install, as a cell would (// @coda-dep)', async () => {
    const cells = await pluginInstallCell(notebookPlugins({ plugins: [PLUGIN] }, ROOT));
    assert.match(cells[0]?.code ?? '', /^\/\/ @coda-dep jsdom@\^\d+$/m);
    assert.match(readFileSync(PLUGIN, 'utf8'), /context\.require\('jsdom'\)/, 'jsdom is loaded from the store, not beside the plugin');
  });

  it('gives cells a document, a window and the DOM classes', async () => {
    await k.run('document.body.innerHTML = `<main id="app" class="card wide"><h1>Title</h1><ul><li>a</li><li>b</li><li>c</li></ul></main>`');
    assert.equal(await k.value('document.querySelector("#app h1").textContent'), 'Title');
    assert.equal(await k.value('document.querySelectorAll("li").length'), '3');
    assert.equal(await k.value('window.document === document && document.createElement("p") instanceof HTMLElement'), 'true');
    assert.equal(
      await k.value(
        'let clicks = 0; const b = document.createElement("button"); b.addEventListener("click", () => clicks++); b.click(); b.dispatchEvent(new Event("click")); clicks',
      ),
      '2',
    );
  });

  it('previews elements, node lists and the document in the inspector, and expands an element to what matters', async () => {
    assert.equal(await k.value('document.querySelector("#app")'), '<main#app.card.wide> [h1, ul]');
    assert.equal(await k.value('document.querySelector("h1")'), '<h1> "Title"');
    assert.equal(await k.value('document.querySelectorAll("li")'), 'NodeList(3) [li, li, li]');
    assert.equal(await k.value('document'), '#document (http://localhost/)');
    const r = await k.run('document.querySelector("#app")');
    assert.ok(r.status === 'ok' && r.value?.type === 'object' && r.value.handle);
    if (r.status !== 'ok' || r.value?.type !== 'object' || !r.value.handle) return;
    assert.equal(r.value.className, 'HTMLElement');
    const page = await k.kernel.expand({ handleId: r.value.handle.id, start: 0, count: 50 });
    const rows = new Map(page.items.map((i) => [i.name, i.value]));
    assert.deepEqual(rows.get('tagName'), { type: 'string', value: 'MAIN', length: 4 });
    const children = rows.get('children');
    assert.equal(children?.type === 'object' ? children.preview : '', 'HTMLCollection(2) [h1, ul]');
  });
});
