/** The production build refuses a bundle with a character outside ASCII (scripts/nonAsciiBundles.mjs, scripts/build.mjs). */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a build script (plain JavaScript, no declarations)
import { nonAsciiBundles as untyped } from '../../../scripts/nonAsciiBundles.mjs';

interface Found {
  file: string;
  excerpt: string;
}

const nonAsciiBundles = untyped as (dir: string) => Found[];

describe('bundles outside ASCII', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'coda-ascii-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names each bundle with a character outside ASCII, with the text around the first one', () => {
    writeFileSync(join(dir, 'a.js'), 'let x=1;let m=/…|\\.\\.\\./g;');
    writeFileSync(join(dir, 'b.mjs'), 'export const s = "naïve";');
    writeFileSync(join(dir, 'c.cjs'), '// ∑\nmodule.exports = 1;');
    writeFileSync(join(dir, 'clean.js'), 'let m = /\\u2026|\\.\\.\\./g; let s = "na\\u00efve";');
    const found = nonAsciiBundles(dir).sort((x, y) => x.file.localeCompare(y.file));
    assert.deepEqual(
      found.map((f) => f.file),
      ['a.js', 'b.mjs', 'c.cjs'],
    );
    assert.match(found[0]!.excerpt, /let m=\/…\|/);
  });

  it('leaves source maps, JSON and other files alone', () => {
    writeFileSync(join(dir, 'a.js.map'), '{"sourcesContent":["…"]}');
    writeFileSync(join(dir, 'types.json'), '"…"');
    writeFileSync(join(dir, 'README.txt'), '…');
    assert.deepEqual(nonAsciiBundles(dir), []);
  });
});
