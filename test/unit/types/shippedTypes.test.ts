/**
 * Node's shipped types as the VSIX has them: one brotli archive (scripts/typesArchive.mjs) that the plugin unpacks once
 * into its own folder (tsplugin/shippedTypes.ts). What comes out is what went in; an archive naming a path outside
 * the types (`..`, an absolute path, another package, a folder it would replace) is refused whole, and nothing is
 * written outside the folder.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { shippedTypesDir, TYPES_ARCHIVE, unpack } from '../../../tsplugin/shippedTypes';
import { ROOT } from '../helpers/testKernel';

describe('types: the shipped @types/node archive (tsplugin/shippedTypes.ts)', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'coda-shipped-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const FILES: Record<string, string> = {
    'node20/node_modules/@types/node/fs.d.ts': 'declare module "fs" { export const a: 20 }',
    'node20/node_modules/@types/node/package.json': '{"name":"@types/node","version":"20.0.0"}',
    'node22/node_modules/@types/node/fs.d.ts': 'declare module "fs" { export const a: 22 }',
    'node22/node_modules/@types/node/ts5.6/index.d.ts': '/// <reference path="../fs.d.ts" />',
    'node22/node_modules/undici-types/LICENSE': 'MIT',
  };
  /** An archive of FILES as the build writes it, beside a bundle folder without a `types` folder. */
  function bundleWithArchive(): string {
    const types = join(work, 'build', 'types');
    for (const [f, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(types, f)), { recursive: true });
      writeFileSync(join(types, f), text);
    }
    const bundle = join(work, 'bundle');
    mkdirSync(bundle);
    const script = `import(${JSON.stringify(join(ROOT, 'scripts', 'typesArchive.mjs'))}).then((m) => m.writeTypesArchive(${JSON.stringify(types)}, ${JSON.stringify(join(bundle, TYPES_ARCHIVE))}))`;
    execFileSync(process.execPath, ['-e', script]);
    return bundle;
  }
  const tree = (dir: string): Record<string, string> => {
    const out: Record<string, string> = {};
    const walk = (d: string) =>
      readdirSync(d).forEach((f) =>
        statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : (out[join(d, f).slice(dir.length + 1)] = readFileSync(join(d, f), 'utf8')),
      );
    walk(dir);
    return out;
  };

  it('unpacks the archive into the given folder, each major as it was built, and a later start reads it from there', () => {
    const bundle = bundleWithArchive();
    const cache = join(work, 'cache');
    const dir = shippedTypesDir(bundle, cache)!;
    assert.ok(dir.startsWith(join(cache, 'node-types-')), dir);
    const { ['.complete']: marker, ...files } = tree(dir);
    assert.equal(marker, '');
    assert.deepEqual(files, FILES);
    assert.deepEqual(
      readdirSync(cache).filter((f) => f.endsWith('.tmp')),
      [],
      'no staging folder left',
    );
    // another tsserver (the same archive in another folder): the complete folder is used as it is, not unpacked again
    writeFileSync(join(dir, 'sentinel'), 'kept');
    const again = join(work, 'again');
    mkdirSync(again);
    writeFileSync(join(again, TYPES_ARCHIVE), readFileSync(join(bundle, TYPES_ARCHIVE)));
    assert.equal(shippedTypesDir(again, cache), dir);
    assert.equal(readFileSync(join(dir, 'sentinel'), 'utf8'), 'kept');
  });

  it('a build of the checkout uses its types folder as it is', () => {
    const bundle = join(work, 'checkout');
    mkdirSync(join(bundle, 'types', 'node24'), { recursive: true });
    assert.equal(shippedTypesDir(bundle, join(work, 'cache')), join(bundle, 'types'));
    assert.equal(existsSync(join(work, 'cache')), false);
    assert.equal(shippedTypesDir(join(work, 'nothing-shipped'), join(work, 'cache')), undefined);
  });

  for (const [label, path] of [
    ['a path that climbs out', 'node20/node_modules/@types/node/../../../../escaped.d.ts'],
    ['an absolute path', '/tmp/escaped.d.ts'],
    ['another package', 'node20/node_modules/evil/index.js'],
    ['a dot segment', 'node20/node_modules/@types/node/./x.d.ts'],
    ['no major', 'node_modules/@types/node/x.d.ts'],
    ['a Windows separator', 'node20\\..\\..\\escaped.d.ts'],
  ] as const)
    it(`refuses an archive with ${label}, writing nothing`, () => {
      const root = join(work, 'cache', 'node-types-x');
      const archive = brotliCompressSync(Buffer.from(JSON.stringify({ 'node20/node_modules/@types/node/ok.d.ts': 'ok', [path]: 'escaped' })));
      assert.throws(() => unpack(archive, root), /unexpected entry/);
      assert.equal(existsSync(root), false);
      assert.deepEqual(readdirSync(join(work, 'cache')), [], 'no staging folder left');
      assert.equal(existsSync(join(work, 'escaped.d.ts')), false);
    });

  it('refuses an entry that is not text', () => {
    const archive = brotliCompressSync(Buffer.from(JSON.stringify({ 'node20/node_modules/@types/node/x.d.ts': { not: 'text' } })));
    assert.throws(() => unpack(archive, join(work, 'node-types-y')), /unexpected entry/);
  });
});
