/**
 * The configuration message from the extension to the plugin: built from notebook objects, read back with every
 * field checked (it crosses a process), and cell names that match what VS Code's TypeScript extension opens.
 */
import assert from 'node:assert/strict';
import { canonicalCellPath, parseCellPath, tsServerPathOfUri } from '../../../tsplugin/core/cellPaths';
import { checkMessage } from '../../../tsplugin/core/pluginConfig';
import { pluginMessage } from '../../../tsplugin/pluginMessage';
import { cellFragment, cellPath } from './tsserverHarness';

const uri = (s: string) => ({ toString: () => s });

describe('types: the plugin configuration message', () => {
  it("describes a notebook's code cells in notebook order under the names tsserver knows them by", () => {
    const nb = '/work/my notebooks/a.coda';
    const cellUri = (h: number) => `vscode-notebook-cell:${encodeURI(nb)}#${encodeURIComponent(cellFragment(h))}`;
    const notebook = {
      uri: uri(`file://${encodeURI(nb)}`),
      getCells: () => [
        { kind: 2, document: { uri: uri(cellUri(7)) } },
        { kind: 1, document: { uri: uri(cellUri(3)) } },
        { kind: 2, document: { uri: uri(cellUri(0)) } },
      ],
    };
    const msg = pluginMessage({
      notebooks: [{ notebook, runtime: 'deno', modulePaths: ['/store/node_modules'], denoPath: '/bin/deno', nodeMajor: 24 }],
      cacheDir: '/cache',
    });
    const checked = checkMessage(JSON.parse(JSON.stringify(msg)));
    assert.equal(checked.cacheDir, '/cache');
    assert.deepEqual(checked.notebooks, [
      {
        key: nb,
        runtime: 'deno',
        cellOrder: [cellPath(nb, 7), cellPath(nb, 0)],
        modulePaths: ['/store/node_modules'],
        typeRoots: [],
        denoPath: '/bin/deno',
        nodeMajor: 24,
        scratch: false,
      },
    ]);
    assert.deepEqual(parseCellPath(cellPath(nb, 7)), { notebook: nb, handle: 7 });
    assert.deepEqual(parseCellPath(cellPath(nb, 100)), { notebook: nb, handle: 100 });
  });

  it('names a scratch file by its path, and matches a Windows drive letter in either case', () => {
    const checked = checkMessage(pluginMessage({ notebooks: [], scratchFiles: [{ uri: uri('file:///c%3A/Users/me/s.ts'), runtime: 'node' }] }));
    assert.equal(checked.notebooks[0]!.key, 'c:/Users/me/s.ts');
    assert.equal(checked.notebooks[0]!.scratch, true);
    assert.equal(tsServerPathOfUri('vscode-notebook-cell:/C:/x/a.coda#W0sZmlsZQ%3D%3D'), '^/vscode-notebook-cell/ts-nul-authority/C:/x/a.coda#W0sZmlsZQ==');
    assert.equal(canonicalCellPath('^/vscode-notebook-cell/ts-nul-authority/C:/x/a.coda#W0s'), '^/vscode-notebook-cell/ts-nul-authority/c:/x/a.coda#W0s');
    assert.equal(parseCellPath('^/vscode-notebook-cell/ts-nul-authority/C:/x/a.coda#W0sZmlsZQ==')!.notebook, '/c:/x/a.coda');
  });

  it('drops every malformed or hostile field instead of trusting it', () => {
    const hostile = [
      null,
      42,
      'notebooks',
      { notebooks: 'x' },
      {
        notebooks: [
          null,
          1,
          'a',
          { uri: 5 },
          {
            uri: 'file:///a.coda',
            runtime: 'rm -rf',
            cells: [1, {}, 'vscode-notebook-cell:/a.coda#W0sZmlsZQ=='],
            modulePaths: ['relative', '/abs', 7],
            denoPath: 'deno',
            nodeMajor: '24; rm -rf',
          },
          { uri: 'file:///b.coda', nodeMajor: 22.5 },
          { uri: 'file:///c.coda', nodeMajor: -20 },
          { uri: 'file:///d.coda', nodeMajor: 1e9 },
        ],
      },
      { defaultTypeRoots: ['../up', '/ok'], cacheDir: 'relative' },
      { notebooks: Array.from({ length: 5000 }, (_, i) => ({ uri: `file:///n${i}.coda`, runtime: 'node' })) },
    ];
    const results = hostile.map(checkMessage);
    assert.deepEqual(
      results.slice(0, 4).map((r) => r.notebooks.length),
      [0, 0, 0, 0],
    );
    assert.deepEqual(results[4]!.notebooks, [
      {
        key: '/a.coda',
        runtime: 'node',
        cellOrder: ['^/vscode-notebook-cell/ts-nul-authority/a.coda#W0sZmlsZQ=='],
        modulePaths: ['/abs'],
        typeRoots: [],
        denoPath: undefined,
        nodeMajor: undefined,
        scratch: false,
      },
      ...['/b.coda', '/c.coda', '/d.coda'].map((key) => ({
        key,
        runtime: 'node',
        cellOrder: [],
        modulePaths: [],
        typeRoots: [],
        denoPath: undefined,
        nodeMajor: undefined,
        scratch: false,
      })),
    ]);
    assert.deepEqual(results[5]!.defaultTypeRoots, ['/ok']);
    assert.equal(results[5]!.cacheDir, undefined);
    assert.equal(results[6]!.notebooks.length, 1000, 'a message describes at most 1000 notebooks');
  });
});
