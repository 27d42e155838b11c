import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstallParams } from '../../../protocol';
import { COMPLETE_MARKER } from '../../../host/deps/atomicStore';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { installFromStores, storeMatches } from '../../../host/deps/storeReuse';
import { contentRootFor } from '../../../host/deps/contentStore';
import { lockPackages, removeTree, treeKey, treesRootFor } from '../../../host/deps/sharedTree';
import { ROOT, startKernel } from '../helpers/testKernel';
import { homeWithNpmrc, startRegistry, type Registry } from './registryServer';
import { removeTempDir } from '../helpers/removeTempDir';

/** The installer process as the extension and the headless runner use it (dist/installer.js). */
const client = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js') });

describe('dependency installs (against a registry on loopback)', function () {
  this.timeout(60_000);
  let registry: Registry;
  let home: string;
  const params = (over: Partial<InstallParams> & { notebook: string }): InstallParams => {
    const { storeDir, cacheDir } = storeFor(join(home, 'cache'), over.notebook);
    return { storeDir, cacheDir, dependencies: {}, allowScripts: false, npmrcFrom: home, ...over };
  };

  before(async () => {
    registry = await startRegistry([
      { name: 'leaf', version: '1.0.0' },
      { name: 'leaf', version: '1.1.0' },
      {
        name: 'mid',
        version: '2.0.0',
        dependencies: { leaf: '^1.0.0' },
        main: 'const leaf = require("leaf"); module.exports = { name: "mid", leaf: leaf.version };',
      },
      { name: '@team/secret', version: '0.1.0', private: true },
      {
        name: 'builds',
        version: '1.0.0',
        scripts: { postinstall: 'node build.js' },
        files: { 'build.js': 'require("fs").writeFileSync(require("path").join(__dirname, "built.js"), "module.exports = 42");' },
      },
    ]);
    // the user's npm config: registry and an auth token, as .npmrc files hold them
    home = homeWithNpmrc(registry, 'coda-deps-');
  });
  after(async () => {
    await client.close();
    await registry.close();
    removeTempDir(home);
  });

  it('installs a package with its transitive dependency, and a kernel imports it from the store', async () => {
    const r = await client.install(params({ notebook: '/nb/a.coda', dependencies: { mid: '*' } }));
    assert.deepEqual(r.installed, { mid: '2.0.0' });
    assert.deepEqual(Object.keys(r.lock), ['node_modules/leaf', 'node_modules/mid']);
    assert.equal(r.lock['node_modules/leaf']!.version, '1.1.0');
    assert.match(r.lock['node_modules/mid']!.integrity, /^sha512-/);
    const k = await startKernel({ cwd: mkdtempSync(join(tmpdir(), 'coda-nb-')), modulePaths: [r.modulePath] });
    try {
      assert.equal(await k.value('import mid from "mid"; mid.leaf'), '1.1.0');
    } finally {
      await k.kernel.dispose();
    }
  });

  it('installs exactly the locked versions on a re-run', async () => {
    // a lock written when leaf@1.0.0 was the newest: mid's tree with the older leaf
    const fresh = await client.install(params({ notebook: '/nb/locked.coda', dependencies: { mid: '*' } }));
    const older = await client.install(params({ notebook: '/nb/pin.coda', dependencies: { leaf: '1.0.0' } }));
    const lock = { ...fresh.lock, 'node_modules/leaf': older.lock['node_modules/leaf']! };
    const r = await client.install(params({ notebook: '/nb/relocked.coda', dependencies: { mid: '*' }, lock }));
    assert.equal(r.lock['node_modules/leaf']!.version, '1.0.0', 'the lock wins over the newer 1.1.0');
  });

  it('serves a warm install from the cache without downloading a tarball again', async () => {
    await client.install(params({ notebook: '/nb/warm1.coda', dependencies: { mid: '2.0.0' } }));
    const before = registry.tarballHits();
    const r = await client.install(params({ notebook: '/nb/warm2.coda', dependencies: { mid: '2.0.0' } }));
    assert.equal(registry.tarballHits(), before, 'no tarball was downloaded');
    assert.equal(r.installed.mid, '2.0.0');
  });

  it('detects a tampered cache entry, evicts it and fetches it again', async () => {
    const p = params({ notebook: '/nb/tamper.coda', dependencies: { leaf: '1.1.0' } });
    const first = await client.install(p);
    // (the download cache is written once the install has answered)
    await client.cacheWritten();
    // corrupt every cached content file of the right size for a tarball
    const content = join(p.cacheDir, 'content-v2');
    const files: string[] = [];
    const walk = (d: string) => readdirSync(d).forEach((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : files.push(join(d, f))));
    walk(content);
    const tarballs = files.filter((f) =>
      readFileSync(f)
        .subarray(0, 2)
        .equals(Buffer.from([0x1f, 0x8b])),
    );
    assert.ok(tarballs.length > 0, 'tarballs are in the content-addressed cache');
    for (const f of tarballs) writeFileSync(f, Buffer.from('tampered'));
    rmSync(p.storeDir, { recursive: true, force: true });
    // the shared content store is the tier above the tarball cache: without it, the tarball is read again
    rmSync(contentRootFor(p.cacheDir), { recursive: true, force: true });
    // and the tree shared by notebooks with this lock, above both: without it, the tree is built from the tarball
    await removeTree(join(treesRootFor(p.cacheDir), treeKey(lockPackages(first.lock))!));
    const before = registry.tarballHits();
    const r = await client.install(p);
    assert.equal(r.installed.leaf, '1.1.0');
    assert.ok(registry.tarballHits() > before, 'the tampered tarball was fetched again');
    await client.cacheWritten();
    // the cache entry of the installed tarball holds the right bytes again (cacache's content-addressed path)
    const hex = Buffer.from(r.lock['node_modules/leaf']!.integrity.slice('sha512-'.length), 'base64').toString('hex');
    const entry = join(content, 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
    const { createHash } = await import('node:crypto');
    assert.equal(createHash('sha512').update(readFileSync(entry)).digest('hex'), hex, 'evicted and stored again intact');
  });

  it('answers a repeated install of a locked notebook from its store, without the installer or the network', async () => {
    const p = params({ notebook: '/nb/repeat.coda', dependencies: { mid: '2.0.0' } });
    const first = await client.install(p);
    await registry.stop();
    try {
      const again = await installFromStores({ ...p, lock: first.lock });
      assert.ok(again, 'served from the store');
      assert.deepEqual([again!.installed, again!.fetched], [{ mid: '2.0.0' }, 0]);
      const copied = await installFromStores({ ...params({ notebook: '/nb/repeat-copy.coda', dependencies: { mid: '2.0.0' } }), lock: first.lock });
      assert.ok(copied, 'another notebook with the same lock gets a copy of the store');
      assert.ok(await storeMatches(params({ notebook: '/nb/repeat-copy.coda' }).storeDir, { mid: '2.0.0' }, first.lock));
      const changed = { ...first.lock, 'node_modules/leaf': { ...first.lock['node_modules/leaf']!, version: '9.9.9' } };
      assert.equal(await installFromStores({ ...p, lock: changed }), undefined, 'a different lock needs the installer');
    } finally {
      await registry.start();
    }
  });

  it('installs once more a store from before @types acquisition, which its lock alone would have served as it is', async () => {
    // a cache of its own: no other test's store can serve it as a model
    const p = {
      ...params({ notebook: '/nb/before-types.coda', dependencies: { mid: '2.0.0' } }),
      ...storeFor(join(home, 'cache-before-types'), '/nb/before-types.coda'),
    };
    const first = await client.install(p);
    const marker = join(p.storeDir, COMPLETE_MARKER);
    const facts = JSON.parse(readFileSync(marker, 'utf8')) as Record<string, unknown>;
    assert.equal(facts.types, true, 'an install records that it looked for types');
    delete facts.types;
    writeFileSync(marker, JSON.stringify(facts));
    // such a store had its own tree, not one shared with notebooks installed since (sharedTree.ts)
    await removeTree(join(treesRootFor(p.cacheDir), treeKey(lockPackages(first.lock))!));
    assert.equal(await storeMatches(p.storeDir, p.dependencies, first.lock), false);
    assert.equal(await installFromStores({ ...p, lock: first.lock }), undefined, 'the installer runs once more');
    const again = await client.install({ ...p, lock: first.lock });
    assert.deepEqual(again.lock, first.lock);
    assert.equal((JSON.parse(readFileSync(marker, 'utf8')) as Record<string, unknown>).types, true);
    assert.ok(await installFromStores({ ...p, lock: first.lock }), 'and then serves it from the store');
  });

  it('runs install scripts when a notebook opts in later, instead of reusing the store installed without them', async () => {
    const p = params({ notebook: '/nb/opt-in.coda', dependencies: { builds: '1.0.0' } });
    const first = await client.install(p);
    assert.equal(existsSync(join(first.modulePath, 'builds', 'built.js')), false, 'no scripts without the opt-in');
    assert.equal(await installFromStores({ ...p, allowScripts: true, lock: first.lock }), undefined, 'the store without scripts does not count');
    assert.equal(
      await installFromStores({ ...params({ notebook: '/nb/opt-in-2.coda', dependencies: { builds: '1.0.0' } }), allowScripts: true, lock: first.lock }),
      undefined,
      'nor is it copied',
    );
    const r = await client.install({ ...p, allowScripts: true, lock: first.lock });
    assert.equal(readFileSync(join(r.modulePath, 'builds', 'built.js'), 'utf8'), 'module.exports = 42');
    assert.ok(await installFromStores({ ...p, allowScripts: true, lock: first.lock }), 'and the store with scripts run serves the next run');
  });

  it('sends the auth token from .npmrc for a private package', async () => {
    const r = await client.install(params({ notebook: '/nb/private.coda', dependencies: { '@team/secret': '*' } }));
    assert.equal(r.installed['@team/secret'], '0.1.0');
  });

  it('says clearly when a package does not exist', async () => {
    await assert.rejects(client.install(params({ notebook: '/nb/missing.coda', dependencies: { 'no-such-package': '*' } })), (err: Error) => {
      assert.equal(err.name, 'PackageNotFound');
      assert.match(err.message, /Package 'no-such-package' was not found on http:\/\/127\.0\.0\.1/);
      return true;
    });
  });

  it('says clearly when no version matches', async () => {
    await assert.rejects(client.install(params({ notebook: '/nb/version.coda', dependencies: { leaf: '^9.0.0' } })), (err: Error) => {
      assert.equal(err.name, 'VersionNotFound');
      assert.match(err.message, /leaf@\^9\.0\.0/);
      return true;
    });
  });

  it('works offline from the cache, and says what is missing when the cache cannot help', async () => {
    await client.install(params({ notebook: '/nb/offline-warm.coda', dependencies: { mid: '2.0.0' } }));
    await registry.stop();
    try {
      const r = await client.install(params({ notebook: '/nb/offline.coda', dependencies: { mid: '2.0.0' } }));
      assert.equal(r.installed.mid, '2.0.0');
      const cold = params({ notebook: '/nb/offline-cold.coda', dependencies: { mid: '2.0.0' } });
      cold.cacheDir = join(home, 'empty-cache');
      await assert.rejects(client.install(cold), (err: Error) => {
        assert.equal(err.name, 'RegistryUnreachable');
        assert.match(err.message, /cannot be reached.*mid/);
        return true;
      });
    } finally {
      await registry.start();
    }
  });

  /** `coda run file` with its cache in `home`/`xdg`; asynchronously: this process also serves the registry. */
  const codaRun = async (file: string, xdg: string) => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', file], {
      env: { ...process.env, XDG_CACHE_HOME: join(home, xdg), NO_COLOR: '1' },
    });
    const r = { stdout: '', stderr: '', status: null as number | null };
    child.stdout.on('data', (d) => (r.stdout += d));
    child.stderr.on('data', (d) => (r.stderr += d));
    r.status = await new Promise((res) => child.on('exit', res));
    return r;
  };

  it('coda run installs what a notebook imports before running it, and leaves the file alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-cli-deps-'));
    writeFileSync(join(dir, '.npmrc'), `registry=${registry.url}\n`);
    const file = join(dir, 'uses-mid.coda');
    const text = `${JSON.stringify({ coda: 1, metadata: {}, cells: [{ kind: 'code', language: 'javascript', source: ['// @coda-dep leaf@1.0.0', 'import mid from "mid";', 'import leaf from "leaf";', '`${mid.name} ${leaf.version}`'] }] }, null, 2)}\n`;
    writeFileSync(file, text);
    const r = await codaRun(file, 'xdg');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /coda: installing leaf@1\.0\.0, mid/);
    assert.match(r.stdout, /→ 'mid 1\.0\.0'/);
    assert.equal(readFileSync(file, 'utf8'), text);
  });

  it('coda run installs what a helper module the cells import imports, and the helper finds it (TypeScript, no extension)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-cli-helper-'));
    writeFileSync(join(dir, '.npmrc'), `registry=${registry.url}\n`);
    mkdirSync(join(dir, 'lib'));
    // only the helper imports `mid`: the cell imports the helper, without its extension
    writeFileSync(
      join(dir, 'lib', 'names.ts'),
      'import mid from "mid";\nexport enum Kind { A, B }\nexport const named = (): string => `${mid.name}:${Kind.B}`;\n',
    );
    const file = join(dir, 'helper.coda');
    writeFileSync(
      file,
      JSON.stringify({ coda: 1, metadata: {}, cells: [{ kind: 'code', language: 'typescript', source: ['import { named } from "./lib/names";', 'named()'] }] }),
    );
    const r = await codaRun(file, 'xdg-helper');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /coda: installing mid/);
    assert.match(r.stdout, /→ 'mid:1'/);
  });

  it('stops an idle installer with its shutdown request (it exits by itself); a cancelled install is killed at once', async () => {
    const own = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js') });
    const childOf = (c: InstallerClient) => (c as unknown as { child?: ChildProcess }).child;
    const exited = (child: ChildProcess) =>
      new Promise<[number | null, string | null]>((resolve) =>
        child.exitCode !== null || child.signalCode !== null
          ? resolve([child.exitCode, child.signalCode])
          : child.once('exit', (code, signal) => resolve([code, signal])),
      );
    await own.install(params({ notebook: '/nb/shutdown.coda', dependencies: { leaf: '1.0.0' } }));
    const idle = childOf(own)!;
    own.dispose();
    assert.deepEqual(await exited(idle), [0, null]);
    const ac = new AbortController();
    const cancelled = own.install(params({ notebook: '/nb/shutdown-cancel.coda', dependencies: { mid: '*' } }), { signal: ac.signal });
    // the installer is forked once the stores on disk could not serve the install
    for (let i = 0; i < 500 && !childOf(own); i++) await new Promise((r) => setTimeout(r, 10));
    const busy = childOf(own)!;
    ac.abort();
    await assert.rejects(cancelled, /cancelled/);
    assert.equal((await exited(busy))[1], 'SIGTERM');
    own.dispose();
  });

  it('cancels an install when asked', async () => {
    const ac = new AbortController();
    const p = client.install(params({ notebook: '/nb/cancel.coda', dependencies: { mid: '*' } }), { signal: ac.signal });
    ac.abort();
    await assert.rejects(p, /cancelled/);
  });
});

describe('dependency installs from the public registry (opt-in: CODA_PUBLIC_REGISTRY=1)', function () {
  this.timeout(120_000);
  before(function () {
    if (process.env.CODA_PUBLIC_REGISTRY !== '1') this.skip();
  });

  it("installs is-number@7.0.0 from the registry in the user's npm config", async () => {
    const home = mkdtempSync(join(tmpdir(), 'coda-public-'));
    const { storeDir, cacheDir } = storeFor(join(home, 'cache'), '/nb/public.coda');
    const r = await client.install({ storeDir, cacheDir, dependencies: { 'is-number': '7.0.0' }, allowScripts: false, npmrcFrom: process.cwd() });
    assert.equal(r.installed['is-number'], '7.0.0');
    assert.match(r.lock['node_modules/is-number']!.integrity, /^sha512-/);
    rmSync(home, { recursive: true, force: true });
  });
});
