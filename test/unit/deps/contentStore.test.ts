import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adoptPackage, entryDir, verifiedEntry } from '../../../host/deps/contentStore';

const INTEGRITY = `sha512-${Buffer.alloc(64, 7).toString('base64')}`;
/** A tmpfs, another file system than the temporary folder's on this machine (when both exist). */
const SHM = '/dev/shm';

function extracted(root: string, name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'lib'), { recursive: true });
  mkdirSync(join(dir, 'node_modules', 'nested'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"p","version":"1.0.0"}');
  writeFileSync(join(dir, 'lib', 'index.js'), 'module.exports = 1;');
  writeFileSync(join(dir, 'node_modules', 'nested', 'index.js'), 'another package');
  return dir;
}

/** host/deps/contentStore.ts on its own: entries, links, the check on read, the copy across file systems. */
describe('content store entries', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'coda-content-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('stores a package once (without its nested packages) and links the next extraction of it', async () => {
    const store = join(root, 'store');
    assert.equal(await adoptPackage(store, INTEGRITY, extracted(root, 'a')), 'linked');
    assert.equal(await adoptPackage(store, INTEGRITY, extracted(root, 'b')), 'linked');
    const entry = entryDir(store, INTEGRITY)!;
    assert.equal(statSync(join(root, 'b', 'lib', 'index.js')).ino, statSync(join(entry, 'files', 'lib', 'index.js')).ino);
    assert.equal(statSync(join(root, 'a', 'lib', 'index.js')).nlink, 3);
    assert.equal(existsSync(join(entry, 'files', 'node_modules')), false, 'a nested package is not part of this one');
    assert.equal(readFileSync(join(root, 'b', 'node_modules', 'nested', 'index.js'), 'utf8'), 'another package');
    assert.equal(await adoptPackage(store, 'sha1-abc', extracted(root, 'c')), undefined, 'no sha512: never shared');
  });

  it('a file whose size or time changed is hashed again; a changed one removes the entry, a touched one does not', async () => {
    const store = join(root, 'store');
    await adoptPackage(store, INTEGRITY, extracted(root, 'a'));
    const entry = entryDir(store, INTEGRITY)!;
    const file = join(entry, 'files', 'lib', 'index.js');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.ok(await verifiedEntry(entry), 'same bytes, new time: still good');
    writeFileSync(file, 'module.exports = 2;'); // same size, other bytes
    assert.equal(await verifiedEntry(entry), undefined);
    assert.equal(existsSync(entry), false);
  });

  it('copies (read-only) instead of linking across file systems, and says so', async function () {
    if (!existsSync(SHM) || statSync(SHM).dev === statSync(tmpdir()).dev) this.skip();
    const store = mkdtempSync(join(SHM, 'coda-content-'));
    try {
      assert.equal(await adoptPackage(store, INTEGRITY, extracted(root, 'a')), 'copied');
      const entry = entryDir(store, INTEGRITY)!;
      assert.equal(statSync(join(entry, 'files', 'lib', 'index.js')).mode & 0o222, 0);
      assert.equal(await adoptPackage(store, INTEGRITY, extracted(root, 'b')), 'copied');
      assert.equal(readFileSync(join(root, 'b', 'lib', 'index.js'), 'utf8'), 'module.exports = 1;');
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });
});
