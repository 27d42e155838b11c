/**
 * The editor side of debugging without vscode: how a cell is named in its source map, the attach configuration that
 * maps that name back to the cell, and the store of checkpoint hits the decorations and the view read.
 */
import { strict as assert } from 'node:assert';
import { cellSourceUri } from '../../../extension/pure/cellSourceUri';
import { CheckpointStore } from '../../../extension/pure/CheckpointStore';
import { checkpointInline } from '../../../extension/pure/checkpointText';
import { CODA_DEBUG_KEY, debugAttachConfig, withoutCwd } from '../../../extension/pure/debugAttachConfig';

const cellUri = { scheme: 'vscode-notebook-cell', fsPath: '/work/demo.coda', toString: () => 'vscode-notebook-cell:/work/demo.coda#W0sZmlsZQ%3D%3D' };

describe('debugging in the editor (pure parts)', () => {
  it('names a notebook cell by its URI string, a scratch file by its path', () => {
    assert.equal(cellSourceUri(cellUri), 'vscode-notebook-cell:/work/demo.coda#W0sZmlsZQ%3D%3D');
    assert.equal(cellSourceUri({ scheme: 'file', fsPath: '/work/scratch.js', toString: () => 'file:///work/scratch.js' }), '/work/scratch.js');
  });

  it('attaches js-debug to the WebSocket without a cwd, and skips the kernel', () => {
    const config = debugAttachConfig({ name: 'Debug cell 1', webSocketUrl: 'ws://127.0.0.1:4000/abc', key: 'k1', kernelCode: ['/ext/dist'] });
    assert.equal(config.type, 'pwa-node');
    assert.equal(config.request, 'attach');
    assert.equal(config.websocketAddress, 'ws://127.0.0.1:4000/abc');
    assert.equal(config.resolveSourceMapLocations, null);
    assert.equal(config.pauseForSourceMap, true, 'breakpoints bind in a cell script compiled after they were set');
    assert.equal(withoutCwd({ ...config, cwd: '/work' }).cwd, '', "js-debug's cwd is taken out of CodaJS's sessions");
    assert.equal(withoutCwd({ type: 'pwa-node', cwd: '/work' }).cwd, '/work', "the user's own sessions keep theirs");
    assert.deepEqual(config.skipFiles, ['<node_internals>/**', '/ext/dist/**']);
    assert.equal(config[CODA_DEBUG_KEY], 'k1');
  });

  it('keeps the latest hits per checkpoint and forgets removed ones', () => {
    const store = new CheckpointStore();
    const hits = (id: string, line: number, count: number) => ({ id, uri: 'doc', line, count, recent: [{ text: String(count), at: 0 }] });
    store.update([hits('b', 5, 1), hits('a', 1, 1)]);
    store.update([hits('a', 1, 2)]);
    assert.deepEqual(
      store.forUri('doc').map((h) => [h.id, h.count]),
      [
        ['a', 2],
        ['b', 1],
      ],
    );
    assert.equal(checkpointInline(store.forUri('doc')[0]!), '⟲ 2× 2');
    store.retain('doc', ['b']);
    assert.deepEqual(
      store.all().map((h) => h.id),
      ['b'],
    );
  });
});
