/**
 * installer/cacheBehind.ts against a registry on loopback: a cold install answers before its downloads are in the
 * HTTP cache, then writes them as npm's own fetch layer writes them (the same keys, content and metadata), before the
 * installer exits too; an offline install in a new installer then reads them; a tarball that fails its integrity is
 * never held nor written.
 */
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cacache from 'cacache';
import pacote from 'pacote';
import type { InstallParams } from '../../../protocol';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { cacheBehind, httpCacheKey, inHttpCache, installRunning, writeHeld } from '../../../installer/cacheBehind';
import { contentRootFor } from '../../../host/deps/contentStore';
import { treesRootFor } from '../../../host/deps/sharedTree';
import { ROOT } from '../helpers/testKernel';
import { removeTempDir } from '../helpers/removeTempDir';
import { homeWithNpmrc, startRegistry, type Registry } from './registryServer';

describe('the HTTP cache written behind an install (installer/cacheBehind)', function () {
  this.timeout(60_000);
  let registry: Registry;
  let home: string;
  const clients: InstallerClient[] = [];
  const newClient = () => {
    const c = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js') });
    clients.push(c);
    return c;
  };
  const params = (cacheRoot: string, notebook: string, dependencies: Record<string, string>): InstallParams => ({
    ...storeFor(join(home, cacheRoot), notebook),
    dependencies,
    allowScripts: false,
    npmrcFrom: home,
    editorTypes: false,
  });
  const exited = (child: ChildProcess) =>
    new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  /** A cache entry as make-fetch-happen's index keeps it, without what differs between two fetches (the times). */
  const comparable = (e: cacache.CacheObject) => {
    const m = e.metadata as { time?: number; resHeaders?: Record<string, string> };
    const { date: _date, ...resHeaders } = m.resHeaders ?? {};
    return { key: e.key, integrity: e.integrity, size: e.size, metadata: { ...m, time: 0, resHeaders } };
  };

  before(async () => {
    registry = await startRegistry([
      { name: 'leaf', version: '1.0.0' },
      { name: 'leaf', version: '1.1.0' },
      { name: 'mid', version: '2.0.0', dependencies: { leaf: '^1.0.0' } },
      { name: 'odd', version: '1.0.0' },
    ]);
    home = homeWithNpmrc(registry, 'coda-behind-');
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await registry.close();
    removeTempDir(home);
  });

  it('writes the packuments and tarballs of a cold install after it answers, as npm fetching them itself would', async () => {
    const client = newClient();
    const p = params('cold', '/nb/cold.coda', { mid: '2.0.0' });
    const r = await client.install(p);
    await client.cacheWritten();
    const written = await cacache.ls(p.cacheDir);
    // the same documents fetched by pacote (npm's own way, through make-fetch-happen's cache) into a cache of its own
    const reference = join(home, 'reference');
    const opts = { registry: registry.url, cache: reference, fullMetadata: true } as pacote.Options;
    for (const name of ['mid', 'leaf']) {
      await pacote.packument(name, opts);
      const { version, resolved, integrity } = r.lock[`node_modules/${name}`]!;
      await pacote.tarball(`${name}@${version}`, { ...opts, resolved, integrity });
    }
    // (pacote's own `pacote:tarball:` entries are not the fetch layer's: the installer never wrote those)
    const expected = Object.values(await cacache.ls(reference))
      .filter((e) => e.key.startsWith('make-fetch-happen:'))
      .map(comparable);
    assert.equal(expected.length, 4, 'two packuments and two tarballs');
    for (const e of expected) {
      assert.ok(written[e.key], `${e.key} is in the install's cache`);
      assert.deepEqual(comparable(written[e.key]!), e);
    }
  });

  it('an installer asked to stop writes what it holds first; an offline install in a new installer then reads it', async () => {
    const client = newClient();
    const p = params('stopped', '/nb/stopped.coda', { mid: '2.0.0' });
    const first = await client.install(p);
    const child = (client as unknown as { child: ChildProcess }).child;
    client.dispose();
    await exited(child);
    assert.equal(child.exitCode, 0);
    const keys = Object.keys(await cacache.ls(p.cacheDir));
    for (const name of ['mid', 'leaf']) {
      assert.ok(keys.includes(`make-fetch-happen:request-cache:${registry.url}${name}`), `${name}'s packument`);
      assert.ok(keys.includes(`make-fetch-happen:request-cache:${first.lock[`node_modules/${name}`]!.resolved}`), `${name}'s tarball`);
    }
    // nothing above the HTTP cache: the packages must come from its tarballs
    rmSync(p.storeDir, { recursive: true, force: true });
    rmSync(contentRootFor(p.cacheDir), { recursive: true, force: true });
    rmSync(treesRootFor(p.cacheDir), { recursive: true, force: true });
    await registry.stop();
    try {
      const offline = await newClient().install({ ...p, offline: true });
      assert.deepEqual(offline.installed, { mid: '2.0.0' });
      assert.deepEqual(offline.lock, first.lock);
    } finally {
      await registry.start();
    }
  });

  it('a tarball that does not match its integrity fails the install and is neither held nor written', async () => {
    const client = newClient();
    const p = params('tampered', '/nb/tampered.coda', { odd: '1.0.0' });
    registry.tamper('odd');
    try {
      await assert.rejects(client.install(p), (err: Error) => err.name === 'IntegrityError');
    } finally {
      registry.untamper('odd');
    }
    await client.cacheWritten();
    const entries = Object.keys(await cacache.ls(p.cacheDir));
    assert.ok(entries.includes(`make-fetch-happen:request-cache:${registry.url}odd`), 'the packument is written');
    assert.equal(entries.filter((k) => k.endsWith('.tgz')).length, 0, 'no tarball is');
    // and the next install, the registry right again, fetches it and succeeds
    const again = await client.install(p);
    assert.equal(again.installed.odd, '1.0.0');
  });

  it('gives way to installs: nothing is written while one runs, all once none does; a caller who waits gets it at once', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'coda-behind-unit-'));
    try {
      const response = (n: number) => ({
        url: `http://127.0.0.1:9/doc-${n}`,
        requestHeaders: { accept: 'application/json' },
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify({ n })),
      });
      const keys = async () => Object.keys(await cacache.ls(cache)).sort();
      const ended = installRunning();
      cacheBehind(cache).hold(response(1));
      cacheBehind(cache).hold(response(2));
      await writeHeld(false);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(await keys(), [], 'an install runs: the writes wait');
      ended();
      ended(); // (twice is once)
      for (let i = 0; i < 100 && (await keys()).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(await keys(), ['make-fetch-happen:request-cache:http://127.0.0.1:9/doc-1', 'make-fetch-happen:request-cache:http://127.0.0.1:9/doc-2']);
      // the stored body is the one held
      const got = await cacache.get(cache, 'make-fetch-happen:request-cache:http://127.0.0.1:9/doc-2');
      assert.equal(got.data.toString(), '{"n":2}');
      const again = installRunning();
      try {
        cacheBehind(cache).hold(response(3));
        await writeHeld();
        assert.equal((await keys()).length, 3, 'an urgent write does not wait for the install');
      } finally {
        again();
      }
    } finally {
      await writeHeld();
      rmSync(cache, { recursive: true, force: true });
    }
  });
});

describe("whether the HTTP cache holds a URL's entry (installer/cacheBehind inHttpCache)", () => {
  let cache: string;
  beforeEach(() => (cache = mkdtempSync(join(tmpdir(), 'coda-in-cache-'))));
  afterEach(() => rmSync(cache, { recursive: true, force: true }));
  const url = 'https://registry.example/some-package';
  const key = httpCacheKey(url);

  it('answers as cacache does: no cache folder, no entry, an entry, an entry removed, another URL', async () => {
    assert.equal(await inHttpCache(join(cache, 'none'), url), false, 'no cache folder');
    assert.equal(await inHttpCache(cache, url), false, 'an empty cache');
    await cacache.put(cache, key, 'body', { metadata: { url } });
    assert.equal(await inHttpCache(cache, url), true, 'its entry');
    assert.equal(await inHttpCache(cache, `${url}-other`), false, 'another URL');
    // removing an entry appends a null one to the same index file: the file is there, the entry is not
    await cacache.rm.entry(cache, key);
    assert.equal(await inHttpCache(cache, url), !!(await cacache.get.info(cache, key)));
    assert.equal(await inHttpCache(cache, url), false, 'an entry removed');
  });
});
