/**
 * installer/entryWriter.ts on its own, with tarballs made here (a file: spec, so pacote checks each against its
 * integrity as it would a registry's): the files are the ones pacote's extraction writes, byte for byte, with the
 * modes the content store gives them; what it cannot hold as pacote would is stored by pacote or refused.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import pacote from 'pacote';
import { create } from 'tar';
import { entryDir, packageFiles } from '../../../host/deps/contentStore';
import { EntryWriter, UnsupportedTarball } from '../../../installer/entryWriter';
import { packagePath } from '../../../installer/packageFiles';

/** `gz` with the size in its gzip trailer (ISIZE, the last four bytes) replaced by `size`. */
function withTrailerSize(gz: Buffer, size: number): Buffer {
  const out = Buffer.from(gz);
  out.writeUInt32LE(size >>> 0, out.length - 4);
  return out;
}

describe('content store entries written from tarballs (installer/entryWriter)', function () {
  this.timeout(30_000);
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'coda-entry-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A gzipped tarball of `files` (paths as written into the archive), its file: spec and integrity. */
  async function tarball(name: string, files: Record<string, string>, modes: Record<string, number> = {}, preservePaths = false) {
    const src = join(root, `src-${name}`);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(src, path, '..'), { recursive: true });
      writeFileSync(join(src, path), text);
      chmodSync(join(src, path), modes[path] ?? 0o644);
    }
    const file = join(root, `${name}.tgz`);
    await create({ gzip: true, cwd: src, file, portable: true, preservePaths }, Object.keys(files));
    const integrity = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
    return { name, resolved: `file:${file}`, integrity };
  }
  const writer = () => new EntryWriter(join(root, 'store'), { cache: join(root, 'cacache') });
  const stored = (entry: string) =>
    Object.fromEntries(
      readdirSync(join(entry, 'files'), { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => [join(d.parentPath, d.name).slice(join(entry, 'files').length + 1), readFileSync(join(d.parentPath, d.name), 'utf8')]),
    );

  it('stores the files pacote extracts, byte for byte, read-only, executable where they were and for bins', async () => {
    const source = await tarball(
      'p',
      {
        'package/package.json': JSON.stringify({ name: 'p', version: '1.0.0', bin: { p: './bin/p.js' } }),
        'package/bin/p.js': '#!/usr/bin/env node\r\nconsole.log(1)\r\n',
        'package/lib/run.sh': 'echo hi',
        'package/lib/deep/er/x.js': 'x',
      },
      { 'package/lib/run.sh': 0o755 },
    );
    const { entry, index } = await writer().ensure(source).stored;
    assert.equal(entry, entryDir(join(root, 'store'), source.integrity));
    const extracted = join(root, 'pacote');
    await pacote.extract(`p@${source.resolved}`, extracted, { integrity: source.integrity, cache: join(root, 'cacache') } as pacote.Options);
    const byPacote = Object.fromEntries((await packageFiles(extracted)).map((f) => [f, readFileSync(join(extracted, f), 'utf8')]));
    // bin-links (arborist's build) then makes a bin executable with a Unix line end after `#!`
    byPacote['bin/p.js'] = byPacote['bin/p.js']!.replace('\r\n', '\n');
    assert.deepEqual(stored(entry), byPacote);
    assert.deepEqual(Object.fromEntries(Object.entries(index.files).map(([f, v]) => [f, v.exec])), {
      'package.json': false,
      'bin/p.js': true,
      'lib/run.sh': true,
      'lib/deep/er/x.js': false,
    });
    for (const [f, v] of Object.entries(index.files)) {
      assert.equal(
        v.sha256,
        createHash('sha256')
          .update(readFileSync(join(entry, 'files', f)))
          .digest('hex'),
      );
      assert.equal((await import('node:fs')).statSync(join(entry, 'files', f)).mode & 0o222, 0, `${f} is read-only`);
    }
  });

  it('reads a .gitignore as .npmignore unless the package has one, as pacote does', async () => {
    const a = await tarball('a', { 'package/package.json': '{"name":"a","version":"1.0.0"}', 'package/.gitignore': 'g' });
    const b = await tarball('b', { 'package/package.json': '{"name":"b","version":"1.0.0"}', 'package/.npmignore': 'n', 'package/.gitignore': 'g' });
    const w = writer();
    assert.deepEqual(Object.keys(stored((await w.ensure(a).stored).entry)).sort(), ['.npmignore', 'package.json']);
    assert.equal(stored((await w.ensure(b).stored).entry)['.npmignore'], 'n');
  });

  it('lists a tarball (its package.json and files) once it is stored', async () => {
    const source = await tarball('l', { 'package/package.json': '{"name":"l","version":"2.0.0","main":"lib/i.js"}', 'package/lib/i.d.ts': '' });
    const made = writer().ensure(source, true);
    const listing = await made.listing;
    assert.equal(listing?.pkg?.version, '2.0.0');
    assert.deepEqual([...listing!.files].sort(), ['lib/i.d.ts', 'package.json']);
    await made.stored;
  });

  it('a tarball whose bytes do not match its integrity leaves no entry', async () => {
    const source = await tarball('t', { 'package/package.json': '{"name":"t","version":"1.0.0"}' });
    const wrong = { ...source, integrity: `sha512-${createHash('sha512').update('other').digest('base64')}` };
    await assert.rejects(writer().ensure(wrong).stored, (err: { code?: string }) => err.code === 'EINTEGRITY');
    assert.equal(existsSync(entryDir(join(root, 'store'), wrong.integrity)!), false);
    assert.deepEqual(existsSync(join(root, 'store')) ? readdirSync(join(root, 'store')) : [], [], 'no staging folder left behind');
  });

  it('stores a gzipped tarball byte for byte; a plain tar is parsed as it is', async () => {
    // 2 MB that compresses little
    const files: Record<string, string> = { 'package/package.json': JSON.stringify({ name: 'z', version: '1.0.0' }) };
    for (let i = 0; i < 8; i++) files[`package/data/${i}.txt`] = randomBytes(192 * 1024).toString('base64');
    const zipped = await tarball('z', files);
    const { entry } = await writer().ensure(zipped).stored;
    const expected = Object.fromEntries(Object.entries(files).map(([f, t]) => [f.slice('package/'.length), t]));
    assert.deepEqual(stored(entry), expected);
    // the same files as an uncompressed archive (a registry may serve one: tar reads both)
    const src = join(root, 'src-z');
    const file = join(root, 'plain.tar');
    await create({ gzip: false, cwd: src, file, portable: true }, Object.keys(files));
    const integrity = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
    const plain = await writer().ensure({ name: 'z', resolved: `file:${file}`, integrity }).stored;
    assert.notEqual(plain.entry, entry);
    assert.deepEqual(stored(plain.entry), expected);
  });

  it("a gzip stream of several members stores whole, though its trailer gives only the last member's size", async () => {
    const files: Record<string, string> = { 'package/package.json': JSON.stringify({ name: 'multi', version: '1.0.0' }) };
    for (let i = 0; i < 6; i++) files[`package/f${i}.txt`] = randomBytes(48 * 1024).toString('base64');
    const single = readFileSync((await tarball('multi', files)).resolved.slice('file:'.length));
    const tar = gunzipSync(single);
    // the last member is the archive's two zero blocks: its trailer says 1,024 bytes of a 400 KB archive
    const bytes = Buffer.concat([gzipSync(tar.subarray(0, tar.length - 1024)), gzipSync(tar.subarray(tar.length - 1024))]);
    const file = join(root, 'multi.tgz');
    writeFileSync(file, bytes);
    const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
    const { entry } = await writer().ensure({ name: 'multi', resolved: `file:${file}`, integrity }).stored;
    assert.deepEqual(stored(entry), Object.fromEntries(Object.entries(files).map(([f, t]) => [f.slice('package/'.length), t])));
  });

  it('a gzip stream cut short or corrupted fails its entry (no hang), with no entry or staging left', async () => {
    const files: Record<string, string> = { 'package/package.json': JSON.stringify({ name: 'cut', version: '1.0.0' }) };
    for (let i = 0; i < 4; i++) files[`package/f${i}.txt`] = randomBytes(64 * 1024).toString('base64');
    const whole = readFileSync((await tarball('cut', files)).resolved.slice('file:'.length));
    const variants: [string, Buffer][] = [
      ['cut short', whole.subarray(0, Math.floor(whole.length / 2))],
      ['corrupted', Buffer.concat([whole.subarray(0, 200), Buffer.alloc(400, 0x41), whole.subarray(600)])],
      // a whole gzip stream of an archive cut short: tar only warns, and the entry still fails
      ['an archive cut short', gzipSync(gunzipSync(whole).subarray(0, 70 * 1024))],
      // the trailer's size (which sizes the inflate's output: unpackTarball.ts inflateChunk) says less, more, or 4 GB
      ...[1, 1 << 20, 0xffffffff].map((size): [string, Buffer] => [`a trailer that says ${size} bytes`, withTrailerSize(whole, size)]),
    ];
    for (const [label, bytes] of variants) {
      const file = join(root, `${label.replace(' ', '-')}.tgz`);
      writeFileSync(file, bytes);
      // the integrity is that of the bad bytes: only the archive itself can say it is broken
      const integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
      const outcome = await Promise.race([
        writer()
          .ensure({ name: 'cut', resolved: `file:${file}`, integrity })
          .stored.then(
            () => 'stored',
            () => 'failed',
          ),
        new Promise((r) => setTimeout(() => r('hung'), 10_000)),
      ]);
      assert.equal(outcome, 'failed', label);
      assert.equal(existsSync(entryDir(join(root, 'store'), integrity)!), false, `${label}: no entry`);
      const left = existsSync(join(root, 'store'))
        ? readdirSync(join(root, 'store'), { recursive: true })
            .map(String)
            .filter((f) => f.endsWith('.tmp'))
        : [];
      assert.deepEqual(left, [], `${label}: no staging left`);
    }
  });

  it('a path that leaves the package is left to pacote (which skips it); a package bringing node_modules is refused', async () => {
    const odd = await tarball('odd', { 'package/package.json': '{"name":"odd","version":"1.0.0"}', 'package/../outside.js': 'no' }, {}, true);
    const { entry } = await writer().ensure(odd).stored;
    assert.deepEqual(Object.keys(stored(entry)), ['package.json']);
    const bundled = await tarball('nm', { 'package/package.json': '{"name":"nm","version":"1.0.0"}', 'package/node_modules/x/index.js': '' });
    await assert.rejects(writer().ensure(bundled).stored, (err: unknown) => err instanceof UnsupportedTarball);
  });

  it('a writer disposed while a tarball is being stored fails that entry quietly: nothing unhandled, no staging left', async () => {
    const files: Record<string, string> = { 'package/package.json': JSON.stringify({ name: 'big', version: '1.0.0' }) };
    for (let i = 0; i < 50; i++) files[`package/f${i}.txt`] = randomBytes(48 * 1024).toString('base64');
    const source = await tarball('big', files);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.prependListener('unhandledRejection', onUnhandled);
    try {
      const w = writer();
      const entry = entryDir(join(root, 'store'), source.integrity)!;
      const stored = w.ensure(source).stored;
      // the writer stops while the archive is read: its files' writes fail before the archive ends
      const parent = join(entry, '..');
      w.dispose();
      await assert.rejects(stored, /The install is over/);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(unhandled, [], 'no write failed unhandled');
      assert.deepEqual(
        readdirSync(parent).filter((f) => f.endsWith('.tmp')),
        [],
        'the staging entry is removed',
      );
      assert.equal(existsSync(entry), false);
    } finally {
      process.removeListener('unhandledRejection', onUnhandled);
    }
  });

  it('names a package file as pacote strips it', () => {
    assert.equal(packagePath('package/lib/a.js'), 'lib/a.js');
    assert.equal(packagePath('pkg-1.0.0/./lib//a.js'), 'lib/a.js');
    assert.equal(packagePath('package/'), null);
    assert.equal(packagePath('package'), null);
    assert.equal(packagePath('package/../x'), undefined);
  });
});
