import { strict as assert } from 'node:assert';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { COMPLETE_MARKER, stagingDirFor } from '../../../host/deps/atomicStore';
import { commitTree, lockPackages, removeTree, treeKey, verifiedTree, type LinkedFile, type TreePackage } from '../../../host/deps/sharedTree';

const SHA = (c: string) => `sha512-${Buffer.alloc(64, c).toString('base64')}`;
const PACKAGES: TreePackage[] = [
  { location: 'node_modules/a', integrity: SHA('a') },
  { location: 'node_modules/b', integrity: SHA('b') },
  { location: 'node_modules/a/node_modules/c', integrity: SHA('c') },
];

/** A tree as the installer builds it, in a staging folder beside `dir`. */
function build(dir: string, body = 'module.exports = 1'): string {
  const built = stagingDirFor(dir);
  for (const p of PACKAGES) {
    mkdirSync(join(built, p.location, 'lib'), { recursive: true });
    writeFileSync(join(built, p.location, 'package.json'), '{}');
    writeFileSync(join(built, p.location, 'lib', 'index.js'), body);
  }
  return built;
}

/** Opens a sealed folder for a moment (root ignores modes; another user needs this to change the tree at all). */
function asOwner(folder: string, change: () => void): void {
  const mode = statSync(folder).mode;
  chmodSync(folder, 0o755);
  change();
  chmodSync(folder, mode & 0o7777);
}

describe('shared trees (host/deps/sharedTree.ts)', () => {
  let cache: string;
  let dir: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'coda-trees-'));
    dir = join(cache, 'trees', treeKey(PACKAGES)!);
  });
  afterEach(async () => {
    for (const name of existsSync(join(cache, 'trees')) ? readdirSync(join(cache, 'trees')) : []) await removeTree(join(cache, 'trees', name));
    rmSync(cache, { recursive: true, force: true });
  });

  it('keys a tree by its packages and their integrity, in any order; a package without a sha512 is not shared', () => {
    assert.equal(treeKey([...PACKAGES].reverse()), treeKey(PACKAGES));
    assert.notEqual(treeKey([{ ...PACKAGES[0]!, integrity: SHA('z') }, ...PACKAGES.slice(1)]), treeKey(PACKAGES));
    assert.notEqual(treeKey(PACKAGES.slice(1)), treeKey(PACKAGES));
    assert.equal(treeKey([...PACKAGES, { location: 'node_modules/old', integrity: 'sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }]), undefined);
    assert.equal(treeKey([]), undefined);
    assert.equal(
      treeKey(lockPackages({ 'node_modules/a': { version: '1.0.0', resolved: 'https://r/a.tgz', integrity: SHA('a') } })),
      treeKey(PACKAGES.slice(0, 1)),
    );
  });

  it('commits a tree read-only and reads it back only as it was built', async () => {
    await commitTree(build(dir), dir, PACKAGES, 'none');
    assert.equal(await verifiedTree(dir, PACKAGES, 'none'), true);
    for (const folder of [dir, join(dir, 'node_modules/a'), join(dir, 'node_modules/a/lib'), join(dir, 'node_modules/a/node_modules/c')])
      assert.equal(statSync(folder).mode & 0o777, 0o555, folder);
    assert.equal(await verifiedTree(dir, PACKAGES, 'unconfined'), false, 'built without install scripts is not a tree whose scripts ran');
    assert.equal(await verifiedTree(dir, PACKAGES.slice(1), 'none'), false, 'a package more');
    assert.equal(await verifiedTree(dir, [...PACKAGES, { location: 'node_modules/d', integrity: SHA('d') }], 'none'), false, 'a package less');
    assert.equal(await verifiedTree(dir, [{ ...PACKAGES[0]!, integrity: SHA('z') }, ...PACKAGES.slice(1)], 'none'), false, 'another version');
  });

  const changes: Record<string, (file: string) => void> = {
    'a file touched': (file) => utimesSync(file, new Date(), new Date(Date.now() + 5000)),
    'a file written in place (same size)': (file) => {
      chmodSync(file, 0o644);
      writeFileSync(file, 'module.exports = 2');
    },
    'a file replaced by another': (file) =>
      asOwner(dirname(file), () => {
        unlinkSync(file);
        writeFileSync(file, 'module.exports = 1');
      }),
    'a file removed': (file) => asOwner(dirname(file), () => unlinkSync(file)),
  };
  for (const [how, change] of Object.entries(changes)) {
    it(`does not read a tree with ${how}, and a new build replaces it whole`, async () => {
      await commitTree(build(dir), dir, PACKAGES, 'none');
      const file = join(dir, 'node_modules/a/node_modules/c/lib/index.js');
      change(file);
      assert.equal(await verifiedTree(dir, PACKAGES, 'none'), false);
      await commitTree(build(dir), dir, PACKAGES, 'none');
      assert.equal(await verifiedTree(dir, PACKAGES, 'none'), true);
      assert.deepEqual(readdirSync(join(cache, 'trees')), [basename(dir)], 'no folder left behind');
    });
  }

  it('records the files of packages as the installer linked them, and lists and states the others itself', async () => {
    const built = build(dir);
    const stated = (location: string): LinkedFile[] =>
      ['package.json', 'lib/index.js'].map((rel) => {
        const st = lstatSync(join(built, location, rel));
        return [rel, st.ino, st.size, st.mtimeMs];
      });
    // a and c as the file threads saw them; b walked
    const linked = { 'node_modules/a': stated('node_modules/a'), 'node_modules/a/node_modules/c': stated('node_modules/a/node_modules/c') };
    const b = stated('node_modules/b');
    await commitTree(built, dir, PACKAGES, 'none', linked);
    const manifest = JSON.parse(readFileSync(join(dir, '.coda-tree.json'), 'utf8')) as Record<string, { files: LinkedFile[] }>;
    assert.deepEqual(manifest['node_modules/a']!.files, linked['node_modules/a']);
    assert.deepEqual(manifest['node_modules/a/node_modules/c']!.files, linked['node_modules/a/node_modules/c']);
    assert.deepEqual([...manifest['node_modules/b']!.files].sort(), [...b].sort());
    assert.equal(await verifiedTree(dir, PACKAGES, 'none'), true);
  });

  it('a file changed after the installer linked it (its recorded time older) is caught on the first read', async () => {
    const built = build(dir);
    const linked = {
      'node_modules/a': ['package.json', 'lib/index.js'].map((rel): LinkedFile => {
        const st = lstatSync(join(built, 'node_modules/a', rel));
        return [rel, st.ino, st.size, rel === 'lib/index.js' ? st.mtimeMs - 1000 : st.mtimeMs];
      }),
    };
    await commitTree(built, dir, PACKAGES, 'none', linked);
    assert.equal(await verifiedTree(dir, PACKAGES, 'none'), false);
  });

  it('a tree without its completion marker is not read', async () => {
    await commitTree(build(dir), dir, PACKAGES, 'none');
    asOwner(dir, () => unlinkSync(join(dir, COMPLETE_MARKER)));
    assert.equal(await verifiedTree(dir, PACKAGES, 'none'), false);
  });

  it('keeps the tree another install put in place first when it reads well (the running notebooks keep their files)', async () => {
    await commitTree(build(dir), dir, PACKAGES, 'none');
    const file = join(dir, 'node_modules/b/lib/index.js');
    const ino = statSync(file).ino;
    await commitTree(build(dir, 'module.exports = 3'), dir, PACKAGES, 'none');
    assert.equal(statSync(file).ino, ino);
    assert.equal(readdirSync(join(cache, 'trees')).length, 1);
  });

  it('removes a sealed tree', async () => {
    await commitTree(build(dir), dir, PACKAGES, 'none');
    await removeTree(dir);
    assert.equal(existsSync(dir), false);
  });
});
