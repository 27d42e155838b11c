import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { InstallParams } from '../../../protocol';
import { contentRootFor, entryDir, packageFiles } from '../../../host/deps/contentStore';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { installFromStores } from '../../../host/deps/storeReuse';
import { ROOT } from '../helpers/testKernel';
import { homeWithNpmrc, startRegistry, type Registry } from './registryServer';

const INSTALLER = join(ROOT, 'dist', 'installer.js');
/** An unprivileged user, to write as a notebook's code does when CodaJS does not run as root. */
const NOBODY = 65534;

/** Issue 17 item 1: one copy of each package's files for every notebook, linked, checked on read, never writable. */
describe('the content-addressed store shared by all notebooks', function () {
  this.timeout(60_000);
  let registry: Registry;
  let home: string;
  const params = (notebook: string, over: Partial<InstallParams> = {}): InstallParams => {
    const { storeDir, cacheDir } = storeFor(join(home, 'cache'), notebook);
    return { storeDir, cacheDir, dependencies: { mid: '*' }, allowScripts: false, npmrcFrom: home, ...over };
  };
  const file = (p: InstallParams, pkg: string, name = 'index.js') => join(p.storeDir, 'node_modules', pkg, name);

  before(async () => {
    registry = await startRegistry([
      { name: 'leaf', version: '1.0.0' },
      { name: 'mid', version: '2.0.0', dependencies: { leaf: '^1.0.0' }, main: 'module.exports = require("leaf");' },
      {
        name: 'builds',
        version: '1.0.0',
        dependencies: { leaf: '^1.0.0' },
        scripts: { postinstall: 'node build.js' },
        files: { 'build.js': 'require("fs").writeFileSync(require("path").join(__dirname, "built.js"), "module.exports = 42");' },
      },
    ]);
    home = homeWithNpmrc(registry, 'coda-shared-');
  });
  after(async () => {
    await registry.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('two notebooks installed by the installer hold the same files (one inode), read-only, in <cache>/store', async () => {
    const client = new InstallerClient({ installerPath: INSTALLER });
    try {
      const a = params('/nb/a.coda');
      const b = params('/nb/b.coda');
      const ra = await client.install(a);
      await client.install(b);
      const ia = statSync(file(a, 'leaf'));
      const ib = statSync(file(b, 'leaf'));
      assert.equal(ia.ino, ib.ino, 'the same file, not a copy');
      const entry = entryDir(contentRootFor(a.cacheDir), ra.lock['node_modules/leaf']!.integrity)!;
      assert.equal(statSync(join(entry, 'files', 'index.js')).ino, ia.ino, 'linked from the content store');
      assert.equal(ia.mode & 0o222, 0, 'nobody writes a shared file in place');
      // the tree's manifest, made from what the file threads saw as they linked, is what a walk of the tree finds
      const tree = dirname(realpathSync(join(a.storeDir, 'node_modules')));
      const manifest = JSON.parse(readFileSync(join(tree, '.coda-tree.json'), 'utf8')) as Record<string, { files: [string, number, number, number][] }>;
      assert.deepEqual(Object.keys(manifest).sort(), ['node_modules/leaf', 'node_modules/mid']);
      for (const [location, m] of Object.entries(manifest)) {
        const walked = (await packageFiles(join(tree, location))).map((rel) => {
          const st = lstatSync(join(tree, location, rel));
          return [rel, st.ino, st.size, st.mtimeMs];
        });
        assert.deepEqual([...m.files].sort(), walked.sort(), location);
      }
    } finally {
      await client.close();
    }
  });

  it('a third notebook with the lock is linked from the content store with no installer process', async () => {
    const client = new InstallerClient({ installerPath: INSTALLER });
    try {
      const a = params('/nb/a.coda');
      const lock = (await client.install(a)).lock;
      const c = params('/nb/c.coda', { lock });
      const r = await client.install(c);
      assert.equal(client.processesStarted, 0);
      assert.equal(statSync(file(c, 'mid')).ino, statSync(file(a, 'mid')).ino);
      assert.equal(require(join(r.modulePath, 'mid')).name, 'leaf');
    } finally {
      await client.close();
    }
  });

  it('a tampered file in the content store is found on the next read: the entry is dropped and the package comes from the tarball again', async () => {
    const client = new InstallerClient({ installerPath: INSTALLER });
    try {
      const a = params('/nb/a.coda');
      const lock = (await client.install(a)).lock;
      const entry = entryDir(contentRootFor(a.cacheDir), lock['node_modules/leaf']!.integrity)!;
      const shared = join(entry, 'files', 'index.js');
      const original = readFileSync(shared, 'utf8');
      chmodSync(shared, 0o644);
      writeFileSync(shared, 'module.exports = "tampered";');
      const d = params('/nb/d.coda', { lock });
      // the tree linked from it fails its check, so does the entry when the installer reads it: removed, fetched again
      assert.equal(await installFromStores(d), undefined, 'the tampered entry serves nobody');
      await client.install(d);
      assert.equal(readFileSync(file(d, 'leaf'), 'utf8'), original, 'the new notebook has the real file');
      assert.equal(readFileSync(shared, 'utf8'), original, 'and the store holds it again');
      // the notebook whose tree held the tampered file gets the real one on its next install
      rmSync(a.storeDir, { recursive: true, force: true });
      await client.install({ ...a, lock });
      assert.equal(readFileSync(file(a, 'leaf'), 'utf8'), original);
    } finally {
      await client.close();
    }
  });

  it('a package whose install script runs gets its own copy; the packages around it stay shared', async () => {
    const client = new InstallerClient({ installerPath: INSTALLER });
    try {
      const e = params('/nb/e.coda', { dependencies: { builds: '*' }, allowScripts: true });
      const r = await client.install(e);
      assert.equal(existsSync(file(e, 'builds', 'built.js')), true, 'the script ran');
      const own = statSync(file(e, 'builds', 'build.js'));
      assert.equal(own.nlink, 1, 'not linked anywhere');
      assert.equal(entryDir(contentRootFor(e.cacheDir), r.lock['node_modules/builds']!.integrity) !== undefined, true);
      assert.equal(existsSync(join(entryDir(contentRootFor(e.cacheDir), r.lock['node_modules/builds']!.integrity)!, 'files')), false, 'never in the store');
      assert.ok(statSync(file(e, 'leaf')).nlink > 1, 'its dependency is shared');
      // a copy of this store for another notebook copies the script's package and links the rest
      const f = params('/nb/f.coda', { dependencies: { builds: '*' }, allowScripts: true, lock: r.lock });
      await client.install(f);
      assert.equal(client.processesStarted, 1);
      assert.notEqual(statSync(file(f, 'builds', 'built.js')).ino, statSync(file(e, 'builds', 'built.js')).ino);
      assert.equal(statSync(file(f, 'leaf')).ino, statSync(file(e, 'leaf')).ino);
    } finally {
      await client.close();
    }
  });

  it("code writing into its notebook's node_modules cannot change another notebook's files", async function () {
    const client = new InstallerClient({ installerPath: INSTALLER });
    try {
      const a = params('/nb/a.coda');
      const b = params('/nb/b.coda');
      await client.install(a);
      await client.install(b);
      assert.equal(realpathSync(a.storeDir + '/node_modules'), realpathSync(b.storeDir + '/node_modules'), 'the two notebooks share one tree');
      const before = readFileSync(file(b, 'leaf'), 'utf8');
      // every way of changing a file another notebook reads, as a user (root ignores modes: then the next read of the
      // tree catches it, below)
      const uid = process.getuid?.();
      if (uid === 0) for (let d = dirname(realpathSync(file(a, 'leaf'))); d !== '/'; d = dirname(d)) chmodSync(d, statSync(d).mode | 0o005);
      if (uid === 0) for (let d = dirname(file(a, 'leaf')); d !== '/'; d = dirname(d)) chmodSync(d, statSync(d).mode | 0o005);
      const leaf = JSON.stringify(file(a, 'leaf'));
      const pkg = JSON.stringify(dirname(file(a, 'leaf')));
      const mid = JSON.stringify(dirname(file(a, 'mid')));
      const attempts = {
        'written in place': `fs.writeFileSync(${leaf}, "module.exports = 'changed'")`,
        'appended to': `fs.appendFileSync(${leaf}, ";module.exports = 'changed'")`,
        'removed and written again': `fs.rmSync(${leaf}); fs.writeFileSync(${leaf}, "module.exports = 'mine'")`,
        'renamed over': `const t = require("os").tmpdir() + "/coda-over-" + process.pid; fs.writeFileSync(t, "module.exports = 'mine'"); fs.renameSync(t, ${leaf})`,
        'a file added beside it': `fs.writeFileSync(${pkg} + "/extra.js", "module.exports = 'mine'")`,
        'a package shadowed inside another': `fs.mkdirSync(${mid} + "/node_modules/leaf", { recursive: true })`,
        'the package folder removed': `fs.rmSync(${pkg}, { recursive: true, force: true })`,
        'the package folder renamed': `fs.renameSync(${pkg}, ${pkg} + "-gone")`,
      };
      for (const [how, code] of Object.entries(attempts)) {
        const r = spawnSync(process.execPath, ['-e', `const fs = require("fs"); ${code}`], {
          encoding: 'utf8',
          ...(uid === 0 && { uid: NOBODY, gid: NOBODY }),
        });
        assert.notEqual(r.status, 0, how);
        assert.match(r.stderr, /EACCES|EPERM/, how);
        assert.equal(readFileSync(file(b, 'leaf'), 'utf8'), before, how);
      }
      assert.deepEqual(readdirSync(dirname(file(b, 'leaf'))).sort(), ['index.js', 'package.json']);
      assert.equal(existsSync(join(dirname(file(b, 'mid')), 'node_modules')), false);
      if (uid !== 0) return;
      // as root, a file replaced in the shared tree: the next install that reads the tree finds it and builds it again
      const replace = `const fs = require("fs"); const f = ${leaf}; fs.rmSync(f); fs.writeFileSync(f, "module.exports = 'mine'")`;
      assert.equal(spawnSync(process.execPath, ['-e', replace]).status, 0);
      const c = params('/nb/after-root.coda', { lock: (await client.install(a)).lock });
      assert.equal(await installFromStores(c), undefined, 'the changed tree serves nobody');
      await client.install(c);
      for (const p of [a, b, c]) assert.equal(readFileSync(file(p, 'leaf'), 'utf8'), before, 'every notebook reads the tree built again');
    } finally {
      await client.close();
    }
  });
});
