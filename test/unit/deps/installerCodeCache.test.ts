/**
 * The installer's code cache (installer/entry.ts over common/node/codeCachedBundle.ts): an installer without a usable
 * file writes one as it exits after an install, which the next installer's V8 accepts; a file made for another bundle
 * or Node (stale), or one V8 refuses (rejected), costs nothing but the cache and is written anew; an installer that
 * installed nothing writes none. Against a registry on loopback.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeCacheStatus, InstallParams } from '../../../protocol';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { ROOT } from '../helpers/testKernel';
import { removeTempDir } from '../helpers/removeTempDir';
import { homeWithNpmrc, startRegistry, type Registry } from './registryServer';

describe("the installer's code cache (installer/entry)", function () {
  this.timeout(60_000);
  let registry: Registry;
  let home: string;
  let n = 0;
  const params = (dependencies: Record<string, string>): InstallParams => ({
    ...storeFor(join(home, 'cache'), `/nb/${++n}.coda`),
    dependencies,
    allowScripts: false,
    npmrcFrom: home,
    editorTypes: false,
  });
  /** One installer (its own process) installs `mid`, then stops; what it found of its code cache, and the lock. */
  const installOnce = async (codeCacheDir: string) => {
    const client = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js'), codeCacheDir });
    try {
      const r = await client.install(params({ mid: '2.0.0' }));
      return { status: r.codeCache, lock: r.lock };
    } finally {
      await client.close();
    }
  };
  const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('installer-'));

  before(async () => {
    registry = await startRegistry([
      { name: 'leaf', version: '1.0.0' },
      { name: 'mid', version: '2.0.0', dependencies: { leaf: '^1.0.0' } },
    ]);
    home = homeWithNpmrc(registry, 'coda-installer-cache-');
  });
  after(async () => {
    await registry.close();
    removeTempDir(home);
  });

  it('is written as an installer exits after an install, readable by the user alone, and accepted by the next one', async () => {
    const dir = join(home, 'cc-first');
    const first = await installOnce(dir);
    assert.equal(first.status, 'absent');
    const files = cacheFiles(dir);
    assert.equal(files.length, 1, `one cache file: ${files.join(', ')}`);
    assert.match(files[0]!, /^installer-[0-9a-f]{8}-[0-9a-f]{8}\.v8$/);
    const file = join(dir, files[0]!);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const header = JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!) as Record<string, unknown>;
    assert.equal(header.codajs, 'installer-code-cache');
    assert.equal(header.bundle, join(ROOT, 'dist', 'installer-main.js'));
    assert.equal(header.node, process.version);
    const written = statSync(file).mtimeMs;

    const second = await installOnce(dir);
    assert.equal(second.status, 'accepted');
    assert.deepEqual(second.lock, first.lock);
    assert.equal(statSync(file).mtimeMs, written, 'an accepted cache is not written again');
  });

  for (const [status, damage] of [
    ['stale', (text: Buffer) => Buffer.from(text.toString('latin1').replace('installer-main.js', 'installer-old.js'), 'latin1')],
    ['rejected', (text: Buffer) => Buffer.concat([text.subarray(0, text.indexOf(10) + 1), Buffer.alloc(4096, 0x5a)])],
  ] as [CodeCacheStatus, (b: Buffer) => Buffer][]) {
    it(`a file ${status === 'stale' ? 'made for another bundle' : 'V8 refuses'} is ${status}: the install runs as usual and the file is written anew`, async () => {
      const dir = join(home, `cc-${status}`);
      await installOnce(dir);
      const file = join(dir, cacheFiles(dir)[0]!);
      writeFileSync(file, damage(readFileSync(file)));
      const again = await installOnce(dir);
      assert.equal(again.status, status);
      assert.deepEqual(Object.keys(again.lock).sort(), ['node_modules/leaf', 'node_modules/mid']);
      assert.equal((await installOnce(dir)).status, 'accepted', 'written anew as it exited');
    });
  }

  it("a name in the host's environment is never the installer's file; an installer whose file cannot be named runs without one", async () => {
    const planted = join(home, 'planted.v8');
    const before = process.env.CODA_INSTALLER_CODE_CACHE;
    process.env.CODA_INSTALLER_CODE_CACHE = planted;
    try {
      const dir = join(home, 'cc-env');
      assert.equal((await installOnce(dir)).status, 'absent');
      assert.equal(cacheFiles(dir).length, 1, 'its own file was written');
      // a folder that cannot be made (a file is in the way): no cache, the install as usual
      const blocked = join(home, 'cc-blocked');
      writeFileSync(blocked, '');
      assert.equal((await installOnce(join(blocked, 'sub'))).status, 'off');
      assert.ok(!existsSync(planted), 'nothing written where the inherited name pointed');
    } finally {
      if (before === undefined) delete process.env.CODA_INSTALLER_CODE_CACHE;
      else process.env.CODA_INSTALLER_CODE_CACHE = before;
    }
  });

  it('is not written by an installer that installed nothing', async () => {
    const dir = join(home, 'cc-idle');
    const client = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js'), codeCacheDir: dir });
    await client.cacheWritten();
    await client.close();
    assert.deepEqual(cacheFiles(dir), []);
  });
});
