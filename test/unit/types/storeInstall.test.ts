/**
 * A notebook open before its first run: its store does not exist yet, so `import … from 'lodash'` resolves to
 * nothing; the run installs the package and its `@types`, the extension sends its message again, and the import
 * has its types (TypeScript would otherwise keep the unchanged program's old, failed resolution).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './tsserverHarness';

describe('types: a package installed after the notebook opened', () => {
  it('resolves, with its @types, once the extension describes the notebook again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-store-later-'));
    const store = join(dir, 'store', 'node_modules');
    const server = startServer({ root: dir });
    try {
      const message = { notebooks: [{ uri: `file://${dir}/n.coda`, runtime: 'node', modulePaths: [store], typeRoots: [join(store, '@types')] }] };
      server.configure(message);
      const text = "import { chunk } from 'lodash';\nconst pairs = chunk([1, 2, 3, 4], 2);";
      const [cell] = server.openNotebook(join(dir, 'n.coda'), [text]);
      const hover = () => (server.ls(cell!).getQuickInfoAtPosition(cell!, text.indexOf('chunk('))?.displayParts ?? []).map((p) => p.text).join('');
      assert.equal(hover(), 'import chunk');
      const write = (path: string, content: string) => {
        mkdirSync(join(store, path, '..'), { recursive: true });
        writeFileSync(join(store, path), content);
      };
      write('lodash/package.json', '{"name":"lodash","version":"4.17.21","main":"lodash.js"}');
      write('lodash/lodash.js', 'exports.chunk = () => [];');
      write('@types/lodash/package.json', '{"name":"@types/lodash","version":"4.17.5","types":"index.d.ts"}');
      write('@types/lodash/index.d.ts', 'export declare function chunk<T>(array: T[], size?: number): T[][];');
      server.configure(message);
      assert.match(hover(), /^\(alias\) chunk<number>\(array: number\[\], size\?: number\): number\[\]\[\]/);
    } finally {
      server.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
