import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { InstallParams } from '../../../protocol';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { installerNode } from '../../../host/deps/installerNode';
import { runtimeFolder, runtimePackage } from '../../../host/runtimes/runtimeStore';
import { engineNodeVersion } from '../../../installer/install';
import { nodeBinaries } from '../../nodeBinaries';
import { ROOT } from '../helpers/testKernel';
import { homeWithNpmrc, installedVersion, startRegistry, type Registry } from './registryServer';

/**
 * InstallParams.nodeVersion: an install picks versions, and keeps optional packages, by their `engines` for the Node
 * that will run them (the kernel's), not for the Node the installer happens to run on, as npm run by that Node would.
 */
describe('an install is made for the Node that runs the packages (InstallParams.nodeVersion; loopback registry)', function () {
  this.timeout(60_000);
  const client = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js') });
  let registry: Registry;
  let home: string;
  let n = 0;
  const params = (dependencies: Record<string, string>, over: Partial<InstallParams> = {}): InstallParams => {
    // a store and a cache of its own each time: nothing one install picked serves another
    const { storeDir, cacheDir } = storeFor(join(home, `cache-${++n}`), `/nb/engines-${n}.coda`);
    return { storeDir, cacheDir, dependencies, allowScripts: false, npmrcFrom: home, editorTypes: false, ...over };
  };

  before(async () => {
    registry = await startRegistry([
      // latest needs a Node far newer than any: npm-pick-manifest passes it over for the newest that the Node runs
      { name: 'engine-picky', version: '1.0.0', fields: { engines: { node: '>=18' } } },
      { name: 'engine-picky', version: '1.5.0', fields: { engines: { node: '>=20 <23' } } },
      { name: 'engine-picky', version: '2.0.0', fields: { engines: { node: '>=90' } } },
      // what a Node 24 kernel gets, and a Node 20 or 22 one must not
      { name: 'needs-24', version: '1.0.0', fields: { engines: { node: '>=18' } } },
      { name: 'needs-24', version: '2.0.0', fields: { engines: { node: '>=24' } }, main: 'module.exports = { name: "needs-24", version: "2.0.0" };' },
      // an optional dependency only a far newer Node runs: left out below it, as arborist leaves one out
      { name: 'opt-future', version: '1.0.0', fields: { engines: { node: '>=90' } } },
      { name: 'with-optional', version: '1.0.0', fields: { optionalDependencies: { 'opt-future': '1.0.0' } } },
      // names a bin folder: CodaJS's own resolver leaves the tree to arborist, whose picks must follow the same Node
      { name: 'arborist-only', version: '1.0.0', dependencies: { 'engine-picky': '*' }, fields: { directories: { bin: 'bin' } }, files: { 'bin/x': '' } },
    ]);
    home = homeWithNpmrc(registry, 'coda-engines-');
  });
  after(async () => {
    await client.close();
    await registry.close();
  });

  it('picks the newest version whose engines the given Node satisfies, whatever Node the installer runs on', async () => {
    const old = await client.install(params({ 'engine-picky': '*' }, { nodeVersion: 'v20.18.0' }));
    assert.equal(old.installed['engine-picky'], '1.5.0');
    const older = await client.install(params({ 'engine-picky': '*' }, { nodeVersion: 'v18.20.4' }));
    assert.equal(older.installed['engine-picky'], '1.0.0');
    const future = await client.install(params({ 'engine-picky': '*' }, { nodeVersion: '95.0.0' }));
    assert.equal(future.installed['engine-picky'], '2.0.0');
    assert.equal(future.lock['node_modules/engine-picky']?.version, '2.0.0');
  });

  it('keeps or leaves out an optional package by the engines of that Node (CodaJS’s own resolver)', async () => {
    const without = await client.install(params({ 'with-optional': '1.0.0' }, { nodeVersion: 'v22.11.0' }));
    assert.equal(installedVersion(without.modulePath, 'opt-future'), undefined);
    assert.equal(without.lock['node_modules/opt-future'], undefined);
    const kept = await client.install(params({ 'with-optional': '1.0.0' }, { nodeVersion: 'v95.1.2' }));
    assert.equal(installedVersion(kept.modulePath, 'opt-future'), '1.0.0');
  });

  it('arborist, resolving a tree CodaJS’s own resolver leaves to it, picks for the same Node', async () => {
    const r = await client.install(params({ 'arborist-only': '1.0.0' }, { nodeVersion: 'v20.18.0' }));
    assert.equal(installedVersion(r.modulePath, 'engine-picky'), '1.5.0');
    const future = await client.install(params({ 'arborist-only': '1.0.0' }, { nodeVersion: 'v95.0.0' }));
    assert.equal(installedVersion(future.modulePath, 'engine-picky'), '2.0.0');
  });

  it('without one, engines are checked against the installer’s own Node; a malformed one is refused before any fetch', async () => {
    assert.equal(engineNodeVersion(undefined), process.version);
    assert.equal(engineNodeVersion('22.1.0'), 'v22.1.0');
    // what `node --version` prints for nightly, release-candidate and custom builds
    for (const v of ['v25.0.0-nightly20251101a1b2c3d4e5', 'v24.0.0-rc.1', 'v20.18.0-pre', 'v22.3.0+build.7']) assert.equal(engineNodeVersion(v), v);
    for (const bad of ['', 'v22', 'latest', 'v22.1.0 || >=0', '>=18', ' v20.1.0', 'v20.1.0\n', 'v1.2.3-', 'v1.2.3-a..b', 'v1.2.3 -a']) {
      assert.throws(() => engineNodeVersion(bad), /not a version/, bad);
    }
    const before = registry.hits.size;
    await assert.rejects(client.install(params({ 'engine-picky': '*' }, { nodeVersion: '>=0' })), /not a version/);
    assert.equal(registry.hits.size, before, 'nothing was fetched');
  });

  it('coda run installs for the Node its kernel runs on (--node), not for the Node that runs coda', async function () {
    const node24 = nodeBinaries().find((n) => n.name === 'node 24');
    if (!node24) this.skip();
    const dir = mkdtempSync(join(home, 'nb-'));
    const cells = ['const m = require("needs-24"); m.version + " on " + process.version.split(".")[0]'];
    writeFileSync(
      join(dir, 'n.coda'),
      JSON.stringify({ coda: 1, metadata: {}, cells: cells.map((c) => ({ kind: 'code', language: 'javascript', source: [c] })) }),
    );
    // not spawnSync: the registry answers from this process
    const run = (cache: string, ...args: string[]) =>
      promisify(execFile)(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', ...args, join(dir, 'n.coda')], {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1', HOME: home, XDG_CACHE_HOME: join(home, cache), npm_config_userconfig: join(home, '.npmrc') },
        timeout: 100_000,
      });
    const on24 = await run('cli-cache-24', '--node', node24!.path);
    assert.match(on24.stdout, /'2\.0\.0 on v24'/, on24.stdout + on24.stderr);
    const major = process.versions.node.split('.')[0]!;
    if (Number(major) < 24) {
      // the same notebook, its kernel on this older Node (a cache of its own: a store keeps what it was installed with,
      // as a lock does): it cannot run 2.0.0, and gets 1.0.0
      const own = await run('cli-cache-own', '--node', process.execPath);
      assert.match(own.stdout, new RegExp(`'1\\.0\\.0 on v${major}'`), own.stdout + own.stderr);
    }
  });

  it('chooses the installer’s Node: the kernel’s with scripts, else the kept Node 24 when the kernel’s is older', () => {
    const storage = mkdtempSync(join(tmpdir(), 'coda-installer-node-'));
    const pkg = runtimePackage('node')!;
    const kernel = { path: '/usr/bin/node', version: 'v20.18.0' };
    // nothing kept: the kernel's Node
    assert.deepEqual(installerNode(kernel, storage, false), { path: kernel.path, nodeVersion: 'v20.18.0' });
    const folder = runtimeFolder(storage, 'node', pkg.version);
    const binary = join(folder, pkg.entry);
    mkdirSync(dirname(binary), { recursive: true });
    writeFileSync(binary, '#!/bin/sh\n');
    chmodSync(binary, 0o755);
    // a folder the fetch did not finish is not a Node to run
    assert.equal(installerNode(kernel, storage, false).path, kernel.path);
    writeFileSync(join(folder, '.complete'), '');
    assert.deepEqual(installerNode(kernel, storage, false), { path: binary, nodeVersion: 'v20.18.0' });
    // install scripts build for the Node that runs them: the kernel's
    assert.deepEqual(installerNode(kernel, storage, true), { path: kernel.path, nodeVersion: 'v20.18.0' });
    // a kernel on the same or a newer Node keeps it
    assert.equal(installerNode({ path: '/opt/node', version: `v${pkg.version}` }, storage, false).path, '/opt/node');
    assert.equal(installerNode({ path: '/opt/node26', version: 'v26.0.1' }, storage, false).path, '/opt/node26');
    assert.equal(installerNode({ path: '/opt/node', version: 'v24.0.0' }, storage, false).path, pkg.version === '24.0.0' ? '/opt/node' : binary);
  });
});
