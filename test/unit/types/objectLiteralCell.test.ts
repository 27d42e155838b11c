/**
 * A cell that is all one object literal (pasted JSON) is the object, in the kernel and in the editor alike: no syntax
 * error is shown for it, and the notebook's program types it as the object.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ts from 'typescript';
import { isObjectLiteralCell } from '../../../tsplugin/core/objectLiteralCell';
import { transformCell } from '../../../worker/transform/transformCell';
import { messages, startServer } from './tsserverHarness';

const CELLS = ['{ "name": "ada", "tags": [1, 2] }', '{ a: 1, b: "x" }', '// a comment\n{\n  "k": { "n": null },\n}', '{}', '{ a }'];
const NOT = ['{ let x = 1; x }', '{ console.log(1) }', '{ a: 1 };', 'const o = 1;\n{ o }', '{ a: 1 } + 1', '({ a: 1 })', '{ "a": 1 '];

describe('types and kernel: a cell that is one object literal', function () {
  this.timeout(60_000);

  it('is told the same way by the editor and the kernel', () => {
    for (const text of CELLS) {
      assert.ok(isObjectLiteralCell(ts, text), text);
      assert.match(transformCell(text).code, /return \{ __proto__: null, 0: \(\s*(\/\/[^\n]*\n)?\{/, text);
    }
    for (const text of NOT) {
      assert.ok(!isObjectLiteralCell(ts, text), text);
      let code = '';
      try {
        code = transformCell(text).code;
      } catch {
        // a cell that is not valid JavaScript stays an error
      }
      assert.doesNotMatch(code, /0: \(\s*\{/, text);
    }
  });

  it('shows no syntax error in the editor for it, and types it as the object', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-object-cell-'));
    const server = startServer({ root: dir });
    try {
      server.configure({ defaultTypeRoots: [resolve(__dirname, '../../../node_modules/@types')], cacheDir: join(dir, 'cache') });
      for (const kind of ['ts', 'js'] as const) {
        // (`{ a }` reads the `a` of the cell before it)
        const [, ...files] = server.openNotebook(join(dir, `a-${kind}.coda`), ['const a = 1;', ...CELLS, '{ let x = 1;'], kind);
        CELLS.forEach((_, i) => assert.deepEqual(messages(server.errors(files[i]!)), [], `${kind} cell ${i}`));
        assert.notDeepEqual(messages(server.errors(files[CELLS.length]!)), [], 'a block left open is still an error');
        const q = server.ls(files[0]!).getQuickInfoAtPosition(files[0]!, CELLS[0]!.indexOf('tags'));
        assert.match(q ? ts.displayPartsToString(q.displayParts) : '', /"tags": number\[\]/);
      }
    } finally {
      server.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
