/**
 * installer/readTar.ts against node-tar's parser (what pacote's extraction reads): the same entries, byte for byte,
 * for the archives the usual tools write, and anything else either read the same way or called unusual (pacote then
 * extracts the tarball) or broken.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, Parser, type ReadEntry } from 'tar';
import { BrokenTar, readTar } from '../../../installer/readTar';
import { inflateChunk } from '../../../installer/unpackTarball';

/** What node-tar reads: each entry's path, type, mode and bytes, and its warnings. */
function byNodeTar(archive: Buffer): { entries: [string, string, number | undefined, string][]; warnings: string[] } {
  const entries: [string, string, number | undefined, string][] = [];
  const warnings: string[] = [];
  const parser = new Parser({
    onReadEntry: (e: ReadEntry) => {
      const chunks: Buffer[] = [];
      e.on('data', (c: Buffer) => chunks.push(c));
      e.on('end', () => entries.push([e.path, e.type, e.mode, Buffer.concat(chunks).toString('base64')]));
    },
  });
  parser.on('warn', (code: string) => warnings.push(code));
  parser.end(archive);
  return { entries, warnings };
}

function byReadTar(archive: Buffer) {
  const read = readTar(archive);
  return { entries: read.entries.map((e) => [e.path, e.type, e.mode, e.data.toString('base64')]), unusual: read.unusual };
}

/** One 512-byte header (ustar unless `magic` says otherwise), its checksum computed unless given. */
function header(h: {
  name: string;
  type?: string;
  size?: number;
  mode?: number;
  prefix?: string;
  magic?: string;
  sizeField?: Buffer;
  checksum?: number;
}): Buffer {
  const b = Buffer.alloc(512);
  b.write(h.name, 0, 100, 'utf8');
  b.write(`${(h.mode ?? 0o644).toString(8).padStart(7, '0')}\0`, 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  if (h.sizeField) h.sizeField.copy(b, 124);
  else b.write(`${(h.size ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  b.write('00000000000\0', 136, 'latin1');
  b.write(h.type ?? '0', 156, 'latin1');
  b.write(h.magic ?? 'ustar\u000000', 257, 'latin1');
  if (h.prefix) b.write(h.prefix, 345, 155, 'utf8');
  let sum = 8 * 0x20;
  for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) sum += b[i]!;
  b.write(`${(h.checksum ?? sum).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

/** The header with its checksum made again (after a change). */
function rechecked(h: Buffer): Buffer {
  h.fill(' ', 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += h[i]!;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}
const padded = (data: Buffer) => Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
const entry = (h: Parameters<typeof header>[0], data = Buffer.alloc(0)) => Buffer.concat([header({ ...h, size: h.size ?? data.length }), padded(data)]);
const pax = (records: Record<string, string>) => {
  const body = Buffer.from(
    Object.entries(records)
      .map(([k, v]) => {
        const rest = ` ${k}=${v}\n`;
        let n = Buffer.byteLength(rest) + 1;
        while (Buffer.byteLength(`${n}${rest}`) !== n) n++;
        return `${n}${rest}`;
      })
      .join(''),
  );
  return body;
};
const END = Buffer.alloc(1024);

describe('reading a tarball in place (installer/readTar)', function () {
  this.timeout(30_000);
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'coda-readtar-'));
    const src = join(root, 'package');
    const long = join(src, 'a'.repeat(60), 'b'.repeat(60), 'c'.repeat(60));
    mkdirSync(long, { recursive: true });
    mkdirSync(join(src, 'empty'), { recursive: true });
    writeFileSync(join(src, 'package.json'), '{"name":"p","version":"1.0.0"}');
    writeFileSync(join(long, 'd'.repeat(90) + '.js'), 'long');
    writeFileSync(join(src, 'ünïcødé-名前.txt'), 'unicode');
    writeFileSync(join(src, 'empty.txt'), '');
    writeFileSync(join(src, 'big.bin'), Buffer.alloc(70_000, 7));
    writeFileSync(join(src, 'run.sh'), '#!/bin/sh\necho hi\n');
    chmodSync(join(src, 'run.sh'), 0o755);
    symlinkSync('package.json', join(src, 'link.json'));
    linkSync(join(src, 'empty.txt'), join(src, 'hard.txt'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const format of ['gnu', 'posix', 'ustar', 'oldgnu']) {
    it(`reads what GNU tar writes as ${format} as node-tar does`, function () {
      let archive: Buffer;
      try {
        archive = execFileSync('tar', [`--format=${format}`, '-cf', '-', '-C', root, 'package'], { stdio: ['ignore', 'pipe', 'ignore'] });
      } catch (err) {
        // ustar cannot hold the longest path: GNU tar writes what it can and says so
        archive = (err as { stdout: Buffer }).stdout;
        assert.equal(format, 'ustar');
      }
      const ours = byReadTar(archive);
      const theirs = byNodeTar(archive);
      assert.deepEqual(theirs.warnings, []);
      assert.equal(ours.unusual, undefined);
      assert.deepEqual(ours.entries, theirs.entries);
      assert.ok(ours.entries.some(([, type]) => type === 'SymbolicLink') && ours.entries.some(([, type]) => type === 'Link'));
    });
  }

  it('reads what node-tar writes (npm pack: a pax header or a ustar prefix for a long path) as node-tar does', async () => {
    const file = join(root, 'node-tar.tgz');
    await create({ gzip: false, cwd: root, file, portable: true }, ['package']);
    const archive = (await import('node:fs')).readFileSync(file);
    assert.deepEqual(byReadTar(archive).entries, byNodeTar(archive).entries);
    assert.ok(byReadTar(archive).entries.some(([path]) => (path as string).length > 255));
  });

  it('reads hand-made headers as node-tar does: pax path and size, GNU long name, ustar prefix, a lone zero block, a global pax header, folders', () => {
    const archive = Buffer.concat([
      entry({ name: 'package/a.txt' }, Buffer.from('A')),
      entry({ name: 'PaxHeader', type: 'x' }, pax({ path: 'package/from-pax/ä.txt', mtime: '1.5', 'SCHILY.x': 'y' })),
      entry({ name: 'package/short' }, Buffer.from('pax path')),
      entry({ name: 'PaxHeader', type: 'x' }, pax({ size: '3' })),
      Buffer.concat([header({ name: 'package/sized', size: 999 }), padded(Buffer.from('abc'))]),
      entry({ name: '././@LongLink', type: 'L', magic: 'ustar  \0' }, Buffer.from(`package/${'x'.repeat(150)}\0`)),
      entry({ name: 'package/cut', magic: 'ustar  \0' }, Buffer.from('gnu long')),
      entry({ name: 'file.txt', prefix: 'package/some/prefix' }, Buffer.from('prefixed')),
      Buffer.alloc(512),
      // a global header's path is not taken by node-tar
      entry({ name: 'GlobalHead', type: 'g' }, pax({ comment: 'hello', path: 'package/every' })),
      entry({ name: 'package/old-dir/', type: '\0' }),
      // a folder's size is no body to node-tar: the next header follows at once
      header({ name: 'package/new-dir/', type: '0', size: 600 }),
      entry({ name: 'PaxHeader', type: 'x' }, pax({ size: '0', mtime: '12.5' })),
      header({ name: 'package/pax-mode', size: 30 }),
      entry({ name: 'package/old-file', type: '\0' }, Buffer.from('old')),
      entry({ name: 'package/dir', type: '5', mode: 0o755 }),
      END,
    ]);
    const theirs = byNodeTar(archive);
    const ours = byReadTar(archive);
    assert.equal(ours.unusual, undefined);
    assert.deepEqual(ours.entries, theirs.entries);
    assert.deepEqual(
      ours.entries.map(([path, type]) => `${type} ${path}`),
      [
        'File package/a.txt',
        'File package/from-pax/ä.txt',
        'File package/sized',
        `File package/${'x'.repeat(150)}`,
        'File package/some/prefix/file.txt',
        'Directory package/old-dir/',
        'Directory package/new-dir/',
        'File package/pax-mode',
        'File package/old-file',
        'Directory package/dir',
      ],
    );
  });

  it('stops at two zero blocks, as node-tar does (what follows is not read)', () => {
    const archive = Buffer.concat([entry({ name: 'package/a' }, Buffer.from('a')), END, entry({ name: 'package/after' }, Buffer.from('b'))]);
    assert.deepEqual(byReadTar(archive).entries, byNodeTar(archive).entries);
    assert.equal(byReadTar(archive).entries.length, 1);
  });

  it('calls unusual what node-tar warns of or reads another way, and keeps the entries before it', () => {
    const first = entry({ name: 'package/first' }, Buffer.from('1'));
    const cases: [string, Buffer][] = [
      ['a header that fails its checksum', entry({ name: 'package/x', checksum: 1234 }, Buffer.from('x'))],
      ['a base-256 size', entry({ name: 'package/x', sizeField: Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]) }, Buffer.from('x'))],
      ['a sparse file', entry({ name: 'package/x', type: 'S' }, Buffer.from('x'))],
      ['a GNU long link name', entry({ name: '././@LongLink', type: 'K' }, Buffer.from('target\0'))],
      ['a contiguous file named as a folder', entry({ name: 'package/x/', type: '7' }, Buffer.from('x'))],
      ['a link to nothing', entry({ name: 'package/x', type: '2' })],
      ['a file that names a link', Buffer.concat([rechecked(header({ name: 'package/x', size: 0 }).fill('t', 157, 158))])],
      ['an entry without a path', entry({ name: '', prefix: '' }, Buffer.from('x'))],
      ['a pax header that sets a type', entry({ name: 'P', type: 'x' }, pax({ type: '5' }))],
      ['a global header that sets modes', entry({ name: 'G', type: 'g' }, pax({ mode: '511' }))],
      ['a long name with a line break', entry({ name: 'L', type: 'L' }, Buffer.from('package/a\nb\0'))],
      ['records that do not parse', entry({ name: 'PaxHeader', type: 'x' }, Buffer.from('7 path\n'))],
      ['a pax size that is not a number', entry({ name: 'PaxHeader', type: 'x' }, pax({ size: '1e3' }))],
      ['a global header that resizes', entry({ name: 'G', type: 'g' }, pax({ size: '1' }))],
      ['a pax header that sets a mode', entry({ name: 'P', type: 'x' }, pax({ mode: '493' }))],
      [
        'two extended headers in a row',
        Buffer.concat([entry({ name: 'P', type: 'x' }, pax({ path: 'package/p' })), entry({ name: 'L', type: 'L' }, Buffer.from('package/l\0'))]),
      ],
    ];
    for (const [what, bad] of cases) {
      const read = readTar(Buffer.concat([first, bad, entry({ name: 'package/last' }, Buffer.from('z')), END]));
      assert.ok(read.unusual, `${what}: unusual`);
      assert.deepEqual(
        read.entries.map((e) => e.path),
        ['package/first'],
        `${what}: the entries before it are kept, none after`,
      );
    }
  });

  it('an archive cut short is broken, wherever it is cut', () => {
    const whole = Buffer.concat([entry({ name: 'package/a' }, Buffer.alloc(2000, 1)), entry({ name: 'package/b' }, Buffer.from('b')), END]);
    for (const at of [100, 512, 600, 2000, 2520, 2560 + 512 + 10]) {
      assert.throws(() => readTar(whole.subarray(0, at)), BrokenTar, `cut at ${at}`);
      assert.ok(byNodeTar(whole.subarray(0, at)).warnings.includes('TAR_BAD_ARCHIVE'), `node-tar too, cut at ${at}`);
    }
    // cut exactly after an entry's last block, or inside the header after it: node-tar ends quietly there too
    for (const at of [2560, 2560 + 100]) {
      const cut = whole.subarray(0, at);
      assert.deepEqual(byNodeTar(cut).warnings, []);
      assert.deepEqual(byReadTar(cut).entries, byNodeTar(cut).entries);
    }
    // no header at all, or only zero blocks: not an archive to either
    for (const none of [Buffer.alloc(0), END]) {
      assert.throws(() => readTar(none), BrokenTar);
      assert.ok(byNodeTar(none).warnings.includes('TAR_BAD_ARCHIVE'));
    }
  });

  it('never reads an archive otherwise than node-tar without saying so: 3,000 damaged headers and pax records, checksums made good', () => {
    const archive = execFileSync('tar', ['--format=posix', '-cf', '-', '-C', root, 'package']);
    const starts: number[] = [];
    for (let at = 0; at + 512 <= archive.length; at += 512)
      if (archive.subarray(at, at + 512).some((b) => b !== 0) && archive.toString('latin1', at + 257, at + 262) === 'ustar') starts.push(at);
    // a fixed sequence (mulberry32), so a failure can be replayed
    let seed = 17;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const interesting = [0x00, 0x20, 0x2f, 0x30, 0x35, 0x37, 0x0a, 0x78, 0x4c, 0x67, 0x80, 0xff];
    let silent = 0;
    for (let i = 0; i < 3000; i++) {
      const damaged = Buffer.from(archive);
      const at = starts[Math.floor(random() * starts.length)]!;
      if (damaged[at + 156] === 0x78 && random() < 0.3) {
        // a pax header's records: lengths, separators, a character's bytes
        for (let n = 1 + Math.floor(random() * 2); n > 0; n--)
          damaged[at + 512 + Math.floor(random() * 120)] = [0x0a, 0x3d, 0x20, 0x00, 0x30, 0x39, 0x2f, 0x61][Math.floor(random() * 8)]!;
      } else {
        for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
          // the fields node-tar reads: name, mode, size, checksum, type, link name, magic, prefix
          const field = [0, 100, 124, 148, 156, 157, 257, 345, 475][Math.floor(random() * 9)]!;
          damaged[at + field + Math.floor(random() * (field === 156 || field === 475 ? 1 : 8))] = interesting[Math.floor(random() * interesting.length)]!;
        }
      }
      if (random() < 0.8) rechecked(damaged.subarray(at, at + 512));
      let ours: ReturnType<typeof byReadTar> | undefined;
      try {
        ours = byReadTar(damaged);
      } catch (err) {
        assert.ok(err instanceof BrokenTar, String(err));
        continue;
      }
      if (ours.unusual) continue;
      const theirs = byNodeTar(damaged);
      assert.deepEqual(theirs.warnings, [], `damage ${i}: node-tar warns where this read it plainly`);
      assert.deepEqual(ours.entries, theirs.entries, `damage ${i}`);
      silent++;
    }
    // most damage is read plainly by both (names, modes), the rest is said
    assert.ok(silent > 300, `${silent} damaged archives read plainly`);
  });

  it('never copies a file: its bytes are a view into the archive', () => {
    const archive = Buffer.concat([entry({ name: 'package/a' }, Buffer.from('hello')), END]);
    const [a] = readTar(archive).entries;
    assert.equal(a!.data.buffer, archive.buffer);
    assert.equal(a!.data.toString(), 'hello');
  });
});

describe("the inflate's output chunk for a tarball (installer/unpackTarball inflateChunk)", () => {
  const trailer = (size: number) => {
    const b = Buffer.alloc(24);
    b.writeUInt32LE(size >>> 0, 20);
    return b;
  };
  it('is the size the gzip trailer gives, so the archive inflates into one chunk, within 16 KB and 64 MB', () => {
    assert.equal(inflateChunk(trailer(20 * 1024 * 1024)), 20 * 1024 * 1024);
    assert.equal(inflateChunk(trailer(100)), 16 * 1024);
    assert.equal(inflateChunk(trailer(0)), 16 * 1024);
    // a size that lies (the archive is its publisher's) allocates at most 64 MB
    assert.equal(inflateChunk(trailer(0xffffffff)), 64 * 1024 * 1024);
    assert.equal(inflateChunk(Buffer.from([0x1f, 0x8b])), 16 * 1024, 'no trailer');
  });
});
