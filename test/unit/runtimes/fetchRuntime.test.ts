import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InstallerClient } from '../../../host/deps/InstallerClient';
import { describeSize } from '../../../host/runtimes/fetchRuntimes';
import { fetchedRuntime, runtimePackage } from '../../../host/runtimes/runtimeStore';
import { RuntimeMissingError, findSandbox, findSidecarBinary } from '../../../host/kernel/locateRuntime';
import { ROOT } from '../helpers/testKernel';
import { startRegistry, type Registry } from '../deps/registryServer';

const client = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js') });

describe('runtime downloads (integrity checked, against a registry on loopback)', function () {
  this.timeout(60_000);
  let registry: Registry;
  let home: string;
  const fetch = (name: string, version: string, dest: string) =>
    client.fetchRuntime({
      packages: [{ name, version, dest }],
      cacheDir: join(home, 'cache-' + Math.random()),
      npmrcFrom: home,
      executables: [join(dest, 'index.js')],
    });

  before(async () => {
    registry = await startRegistry([
      { name: 'fake-runtime', version: '1.0.0', main: '#!/bin/sh\necho fake 1.0.0' },
      { name: 'bad-runtime', version: '1.0.0' },
    ]);
    home = mkdtempSync(join(tmpdir(), 'coda-rt-'));
    writeFileSync(join(home, '.npmrc'), `registry=${registry.url}\n`);
  });
  after(async () => {
    await client.close();
    await registry.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('extracts the package, reports the sha512 it was checked against and marks the binary executable', async () => {
    const dest = join(home, 'fake');
    const result = await fetch('fake-runtime', '1.0.0', dest);
    assert.match(result.integrity['fake-runtime@1.0.0']!, /^sha512-/);
    assert.match(readFileSync(join(dest, 'index.js'), 'utf8'), /fake 1\.0\.0/);
    assert.equal(statSync(join(dest, 'index.js')).mode & 0o111, 0o111);
  });

  it("refuses a tarball whose bytes do not match the registry's integrity, and leaves nothing behind", async () => {
    registry.tamper('bad-runtime');
    const dest = join(home, 'bad');
    await assert.rejects(fetch('bad-runtime', '1.0.0', dest), (err: Error) => err.name === 'IntegrityError' && /integrity/.test(err.message));
    assert.equal(existsSync(dest), false);
  });

  it('says what a download costs before it starts: the tarball bytes, as the registry serves them', async () => {
    const size = await client.runtimeSize({ packages: [{ name: 'fake-runtime', version: '1.0.0' }], cacheDir: join(home, 'size-cache'), npmrcFrom: home });
    const tarball = await (await globalThis.fetch(registry.tarballUrl('fake-runtime', '1.0.0'))).arrayBuffer();
    assert.equal(size.downloadBytes, tarball.byteLength);
    assert.equal(describeSize(42_300_000, 110_400_000), '42.3 MB to download, 110 MB on disk');
    assert.equal(describeSize(undefined, undefined), undefined);
  });

  it('names a version the registry does not have', async () => {
    await assert.rejects(
      fetch('fake-runtime', '9.9.9', join(home, 'none')),
      (err: Error) => err.name === 'VersionNotFound' && /fake-runtime@9\.9\.9/.test(err.message),
    );
  });

  it('an interrupted download (no .complete marker) does not count as installed', () => {
    const storage = mkdtempSync(join(tmpdir(), 'coda-store-'));
    const pkg = runtimePackage('deno')!;
    const folder = join(storage, 'runtimes', `deno-${pkg.version}`);
    require('node:fs').mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, pkg.entry), '');
    assert.equal(fetchedRuntime(storage, 'deno'), undefined);
  });

  it('a missing runtime is a RuntimeMissingError that names the package to download', async () => {
    const storage = mkdtempSync(join(tmpdir(), 'coda-store-'));
    const path = process.env.PATH;
    process.env.PATH = '';
    try {
      await assert.rejects(
        findSidecarBinary('bun', storage),
        (err: Error) => err instanceof RuntimeMissingError && /@oven\/bun-linux-x64@/.test(err.message) && /Install Runtime/.test(err.message),
      );
      await assert.rejects(findSandbox(storage), (err: Error) => err instanceof RuntimeMissingError && /isolated-vm@7/.test(err.message));
    } finally {
      process.env.PATH = path;
    }
  });

  it('a configured binary that cannot run is reported with the setting to fix', async () => {
    await assert.rejects(findSidecarBinary('deno', home, join(home, 'no-such-deno')), /cannot be run.*coda\.denoPath/);
  });
});
