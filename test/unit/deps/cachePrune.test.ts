import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InstallParams } from '../../../protocol';
import { COMPLETE_MARKER } from '../../../host/deps/atomicStore';
import { pruneIfDue } from '../../../host/deps/autoPrune';
import { cacheSize, listStores, pruneCache, TREE_GRACE_MS } from '../../../host/deps/cachePrune';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { leaseStore, leasesDir } from '../../../host/deps/storeLease';
import { ROOT } from '../helpers/testKernel';
import { homeWithNpmrc, startRegistry, type Registry } from './registryServer';
import { removeTempDir } from '../helpers/removeTempDir';

const INSTALLER = join(ROOT, 'dist', 'installer.js');
const CLI = join(ROOT, 'dist', 'cli.js');
const DAY_MS = 24 * 60 * 60_000;
const exec = promisify(execFile);
/** A package's size that makes a store's own files (package.json, lockfiles, folders) small beside it, as real ones are. */
const HEAVY_BYTES = 3 * 1024 * 1024;
/** A pid no process has (above the kernel's pid_max). */
const DEAD_PID = 4_194_304 + 7;

/** Issue 17 items 3 and 4: the store's own record for headless re-runs, and a cache that stays bounded. */
describe('a bounded cache: coda cache, prune, leases; coda run re-runs from the store', function () {
  this.timeout(90_000);
  let registry: Registry;
  let home: string;
  let cache: string;
  const params = (notebook: string): InstallParams => {
    const { storeDir, cacheDir } = storeFor(cache, notebook);
    return { storeDir, cacheDir, dependencies: { mid: '*' }, allowScripts: false, npmrcFrom: home };
  };
  const age = (p: InstallParams, days: number) => {
    const t = new Date(Date.now() - days * DAY_MS);
    utimesSync(join(p.storeDir, COMPLETE_MARKER), t, t);
  };
  const entries = () => readdirSync(join(cache, 'store')).filter((n) => !n.endsWith('.tmp'));

  before(async () => {
    registry = await startRegistry([
      { name: 'leaf', version: '1.0.0' },
      { name: 'mid', version: '2.0.0', dependencies: { leaf: '^1.0.0' }, main: 'module.exports = "mid with " + require("leaf").name;' },
      { name: 'heavy', version: '1.0.0', dependencies: { mid: '^2.0.0' }, files: { 'data.js': `module.exports = "${'x'.repeat(HEAVY_BYTES)}";` } },
    ]);
    home = homeWithNpmrc(registry, 'coda-prune-');
  });
  beforeEach(() => {
    cache = mkdtempSync(join(home, 'cache-'));
  });
  after(async () => {
    await registry.close();
    removeTempDir(home);
  });

  it('skips a store a running kernel holds, removes the others unused for N days, then the content no store links', async () => {
    const client = new InstallerClient({ installerPath: INSTALLER });
    const [a, b, c] = [params('/nb/a.coda'), params('/nb/b.coda'), params('/nb/c.coda')];
    try {
      for (const p of [a, b, c]) await client.install(p);
    } finally {
      await client.close();
    }
    assert.equal(entries().length, 2, 'leaf and mid, once');
    age(a, 40);
    age(b, 40);
    age(c, 2);
    const release = await leaseStore(a.storeDir);
    age(a, 40); // leasing stamps the use: an old store whose kernel still runs
    // a lease of a process that is gone protects nothing
    writeFileSync(join(leasesDir(cache), `${storeKey(b)}.${DEAD_PID}`), '');
    // nor one whose pid now belongs to another process: this one, which started at another time than the lease says
    if (process.platform === 'linux') {
      writeFileSync(join(leasesDir(cache), `${storeKey(c)}.${process.pid}`), `${new Date(0).toISOString()} start 1`);
      assert.equal((await listStores(cache)).find((st) => st.key === storeKey(c))?.inUse, false, 'a pid used again');
      rmSync(join(leasesDir(cache), `${storeKey(c)}.${process.pid}`));
    }
    const listed = Object.fromEntries((await listStores(cache)).map((st) => [st.key, st.inUse]));
    assert.deepEqual(listed, { [storeKey(a)]: true, [storeKey(b)]: false, [storeKey(c)]: false });
    // each store says what the notebook asked for, at the version it holds (`coda cache list` prints it)
    assert.deepEqual(
      (await listStores(cache)).map((st) => st.packages),
      [['mid@2.0.0'], ['mid@2.0.0'], ['mid@2.0.0']],
    );
    // a record that cannot be read (or is gone) still lists the names; a package.json that cannot, none
    const packagesOfC = async () => (await listStores(cache)).find((st) => st.key === storeKey(c))?.packages;
    const record = join(c.storeDir, '.coda-lock.json');
    const manifest = join(c.storeDir, 'package.json');
    const [keptRecord, keptManifest] = [readFileSync(record), readFileSync(manifest)];
    for (const damaged of ['{not json', 'null', '[1]', '{"lock": {"node_modules/mid": {"version": 2}}}']) {
      writeFileSync(record, damaged);
      assert.deepEqual(await packagesOfC(), ['mid'], damaged);
    }
    rmSync(record);
    assert.deepEqual(await packagesOfC(), ['mid']);
    writeFileSync(manifest, '{"dependencies": ');
    assert.deepEqual(await packagesOfC(), []);
    writeFileSync(record, keptRecord);
    writeFileSync(manifest, keptManifest);
    const first = await pruneCache(cache, 30);
    assert.deepEqual(first.stores, [storeKey(b)]);
    assert.equal(first.entries, 0, 'a and c still link every package');
    assert.equal(existsSync(a.storeDir), true, 'in use: kept');
    assert.equal(existsSync(join(leasesDir(cache), `${storeKey(b)}.${DEAD_PID}`)), false, 'the stale lease is gone');
    await release();
    rmSync(c.storeDir, { recursive: true });
    // the notebooks' shared tree is kept for a few minutes after its last use (an install may be about to link it)
    const second = await pruneCache(cache, 30);
    assert.deepEqual(second.stores, [storeKey(a)]);
    assert.equal(second.trees, 0);
    assert.equal(second.entries, 0, 'the tree no store links still links leaf and mid');
    const later = await pruneCache(cache, 30, Date.now() + TREE_GRACE_MS + 1000);
    assert.deepEqual([later.stores, later.trees], [[], 1], 'then the tree goes');
    assert.equal(readdirSync(join(cache, 'trees')).length, 0);
    assert.equal(later.entries, 2, 'no store links leaf or mid any more');
    assert.equal(entries().length, 0);
    assert.ok(second.freedBytes > 0 && later.freedBytes > 0);
  });

  it('prunes the downloads no remaining store holds once they are older than the limit, and keeps the cache readable', async () => {
    const client = new InstallerClient({ installerPath: INSTALLER });
    const [a, b] = [{ ...params('/nb/heavy.coda'), dependencies: { heavy: '*' } }, params('/nb/mid.coda')];
    let heavyLock;
    try {
      heavyLock = (await client.install(a)).lock;
      await client.install(b);
    } finally {
      await client.close();
    }
    const downloads = a.cacheDir;
    const contentOf = (integrity: string) => {
      const hex = Buffer.from(integrity.slice('sha512-'.length), 'base64').toString('hex');
      return join(downloads, 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
    };
    const tarball = (name: string) => contentOf(heavyLock[`node_modules/${name}`]!.integrity);
    assert.ok(
      ['heavy', 'mid', 'leaf'].every((n) => existsSync(tarball(n))),
      'the installs downloaded three tarballs',
    );
    // a fresh prune removes nothing from the downloads: everything is younger than the limit
    assert.equal((await pruneCache(cache, 30)).downloads, 0);
    // 40 days later: b's kernel still runs, a is unused, so heavy's download goes and the ones b holds stay
    const release = await leaseStore(b.storeDir);
    try {
      const later = await pruneCache(cache, 30, Date.now() + 40 * DAY_MS);
      assert.deepEqual(later.stores, [storeKey(a)]);
      assert.ok(later.downloads >= 1, `${later.downloads} downloads pruned`);
      assert.equal(existsSync(tarball('heavy')), false, 'heavy: no store holds it');
      assert.ok(existsSync(tarball('mid')) && existsSync(tarball('leaf')), 'mid and leaf: the store of b holds them');
      // cacache itself still reads every entry left (its own verification finds nothing to fix)
      const cacache = (await import('cacache')) as unknown as { verify(dir: string): Promise<{ badContentCount: number; missingContent: number }> };
      const stats = await cacache.verify(downloads);
      assert.deepEqual([stats.badContentCount, stats.missingContent], [0, 0]);
    } finally {
      await release();
    }
    // and the pruned package installs again (from the registry)
    const again = new InstallerClient({ installerPath: INSTALLER });
    try {
      assert.deepEqual((await again.install({ ...params('/nb/heavy-again.coda'), dependencies: { heavy: '*' } })).installed, { heavy: '1.0.0' });
    } finally {
      await again.close();
    }
  });

  it('ten notebooks with the same packages take less than 1.2x the space of one (a linked file counts once)', async () => {
    const client = new InstallerClient({ installerPath: INSTALLER });
    const used = async () => {
      const s = await cacheSize(cache);
      return s.stores + s.content;
    };
    try {
      await client.install({ ...params('/nb/one.coda'), dependencies: { heavy: '*' } });
      const one = await used();
      for (let i = 0; i < 9; i++) await client.install({ ...params(`/nb/n${i}.coda`), dependencies: { heavy: '*' } });
      const ten = await used();
      assert.ok(ten < 1.2 * one, `${ten} bytes for ten notebooks, ${one} for one`);
    } finally {
      await client.close();
    }
  });

  it('the background prune runs at most once a day', async () => {
    const now = Date.now();
    assert.ok(await pruneIfDue(cache, 30, now));
    assert.equal(await pruneIfDue(cache, 30, now + DAY_MS / 2), undefined);
    assert.ok(await pruneIfDue(cache, 30, now + DAY_MS + 1));
  });

  it('coda run of an unchanged notebook starts no installer the second time, and never writes the notebook', async () => {
    const dir = mkdtempSync(join(home, 'nb-'));
    const file = join(dir, 'uses-mid.coda');
    const text = JSON.stringify({ coda: 1, metadata: {}, cells: [{ kind: 'code', language: 'javascript', source: ['require("mid")'] }] }, null, 2);
    writeFileSync(file, text);
    // npm test exports npm_config_userconfig (the runner's own ~/.npmrc), which npm and CodaJS read before $HOME's
    const env = { ...process.env, HOME: home, XDG_CACHE_HOME: cache, NO_COLOR: '1', npm_config_userconfig: join(home, '.npmrc') };
    // asynchronous: the registry answers from this process
    const coda = (...args: string[]) => exec(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 60_000 });
    const first = await coda('run', file);
    assert.match(first.stdout, /mid with leaf/);
    assert.doesNotMatch(first.stderr, /no installer process/);
    const second = await coda('run', file);
    assert.match(second.stdout, /mid with leaf/);
    assert.match(second.stderr, /from the store, no installer process/);
    // a notebook without a lock is told so, not that its lock differs
    assert.match(second.stderr, /the notebook saves no dependency lock \(open and run it in VS Code to save one/);
    assert.doesNotMatch(second.stderr, /differs from the one saved/);
    assert.equal(readFileSync(file, 'utf8'), text, 'the file is never modified');
    assert.match((await coda('cache', 'list')).stdout, /1 stores in /);
    // each run leased the store while its kernel ran, and released it as it exited
    const leases = leasesDir(join(cache, 'codajs'));
    assert.ok(existsSync(join(cache, 'codajs', 'stores')), 'the runs used this cache');
    assert.deepEqual(existsSync(leases) ? readdirSync(leases) : [], [], 'no lease is left behind');
    assert.match((await coda('cache', 'size')).stdout, /shared packages [\d.]+ MB/);
  });
});

function storeKey(p: InstallParams): string {
  return p.storeDir.slice(p.storeDir.lastIndexOf('/') + 1);
}
