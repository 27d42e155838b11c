/**
 * The helper modules a notebook's cells import, read for their packages (host/deps/helperModules.ts): followed from
 * module to module, TypeScript's `.js` names, cycles, and what is never read (packages, data, large files, beyond the
 * bound).
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeNotebook, helperModules, MAX_BYTES, MAX_FILES } from '../../../host/deps/helperModules';
import type { Permissions } from '../../../protocol';

function folderWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'coda-helpers-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('the packages of the helper modules cells import', () => {
  it('follows imports and requires from module to module, as the import names them, and reads each module once', async () => {
    const dir = folderWith({
      'lib/a.ts': 'import { b } from "./b.js";\nimport type { T } from "typed-only";\nexport const a = b;\n',
      'lib/b.ts': '// @coda-dep zod@^3\nimport _ from "lodash";\nimport { a } from "./a";\nexport const b = require("../shared/c.cjs");\n',
      'shared/c.cjs': 'module.exports = require("chalk");\n',
      'lib/data.json': '{ "import": "not-a-package" }',
    });
    const cells = [
      { cellId: 'one', code: 'import { a } from "./lib/a.ts"\nimport d from "./lib/data.json" with { type: "json" }' },
      { cellId: 'two', code: 'const again = require("./lib/b")' },
    ];
    const helpers = await helperModules(cells, dir);
    assert.deepEqual(
      helpers.map((h) => [h.cellId, h.file]),
      [
        ['one', 'lib/a.ts'],
        ['one', 'lib/b.ts'],
        ['one', 'shared/c.cjs'],
      ],
    );
    const analysis = await analyzeNotebook(cells, dir);
    assert.deepEqual(
      analysis.specs.map((s) => [s.name, s.range, s.from.cellId, s.from.file, s.from.line]),
      [
        ['chalk', '*', 'one', 'shared/c.cjs', 1],
        ['lodash', '*', 'one', 'lib/b.ts', 2],
        ['zod', '^3', 'one', 'lib/b.ts', 1],
      ],
      'a type-only import and a JSON file give no package',
    );
  });

  it('reads no package, no large file, nothing without a folder, and at most MAX_FILES modules', async () => {
    const files: Record<string, string> = {
      'node_modules/pkg/index.js': 'require("from-a-package")',
      'big.js': `require("in-a-big-file");\n${'x'.repeat(MAX_BYTES)}`,
    };
    for (let i = 0; i < MAX_FILES + 5; i++) files[`chain/m${i}.js`] = `require("./m${i + 1}.js"); require("pkg-${i}")`;
    const dir = folderWith(files);
    const cells = [{ cellId: 'c', code: 'require("./node_modules/pkg"); require("./big.js"); require("./chain/m0.js")' }];
    const analysis = await analyzeNotebook(cells, dir);
    const names = analysis.specs.map((s) => s.name);
    assert.ok(!names.includes('from-a-package') && !names.includes('in-a-big-file'), names.join());
    assert.equal(names.length, MAX_FILES);
    assert.deepEqual(await helperModules(cells, undefined), []);
  });

  it('under declared permissions, reads only the helpers its read grants cover (relative, absolute, through links)', async () => {
    const outside = folderWith({ 'secret.js': 'require("what-the-secret-file-uses")' });
    const dir = folderWith({
      'lib/ok.js': 'require("granted-helper-pkg"); require("./link.js")',
      'other/no.js': 'require("ungranted-helper-pkg")',
    });
    symlinkSync(join(outside, 'secret.js'), join(dir, 'lib', 'link.js'));
    const cells = [{ cellId: 'c', code: `require("./lib/ok.js"); require("./other/no.js"); require(${JSON.stringify(join(outside, 'secret.js'))})` }];
    const names = async (permissions?: Permissions) => (await analyzeNotebook(cells, dir, permissions)).specs.map((s) => s.name).sort();
    assert.deepEqual(await names({ read: ['lib'] }), ['granted-helper-pkg']);
    assert.deepEqual(await names({ read: [join(dir, 'other'), 'lib'] }), ['granted-helper-pkg', 'ungranted-helper-pkg']);
    assert.deepEqual(await names({ net: ['*'] }), [], 'no read grant: no helper is read');
    assert.deepEqual(await names({ read: ['*'] }), ['granted-helper-pkg', 'ungranted-helper-pkg', 'what-the-secret-file-uses']);
    assert.deepEqual(await names(undefined), ['granted-helper-pkg', 'ungranted-helper-pkg', 'what-the-secret-file-uses']);
    assert.deepEqual(await names({ read: [outside + '-sibling', 'li'] }), [], 'a grant is a folder, not a prefix of a name');
  });
});
