/**
 * A registry over HTTPS whose certificate a test CA signed, named by `cafile` in the user's npm config: the installer
 * trusts exactly the configured certificates (installer/registryAgents.ts parses them once for all connections), on
 * the fast path and through arborist's reify, refuses a registry they do not vouch for, and honours `strict-ssl=false`.
 * (test/fixtures/tls/: a CA, a certificate for 127.0.0.1 it signed and its key, and another CA; for these tests only.)
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstallParams } from '../../../protocol';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { ROOT } from '../helpers/testKernel';
import { startRegistry, type Registry } from './registryServer';

const TLS = join(ROOT, 'test', 'fixtures', 'tls');

describe('a registry over HTTPS with the certificates of the npm config (cafile)', function () {
  this.timeout(60_000);
  let registry: Registry;
  const client = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js') });
  const homes: string[] = [];
  /** A home whose .npmrc names the registry, its token and these lines. */
  const home = (...lines: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-tls-'));
    homes.push(dir);
    const port = new URL(registry.url).port;
    writeFileSync(join(dir, '.npmrc'), [`registry=${registry.url}`, `//127.0.0.1:${port}/:_authToken=\${CODA_TEST_TOKEN}`, ...lines, ''].join('\n'));
    return dir;
  };
  const params = (dir: string, over: Partial<InstallParams> = {}): InstallParams => {
    const { storeDir, cacheDir } = storeFor(join(dir, 'cache'), '/nb/tls.coda');
    return { storeDir, cacheDir, dependencies: { mid: '*' }, allowScripts: false, npmrcFrom: dir, ...over };
  };

  // under `npm test`, npm hands its own config to child processes as npm_config_* variables, and those outrank a
  // user's .npmrc (as they do for npm): a machine whose npm config names a cafile would otherwise replace this test's
  const inherited = Object.keys(process.env).filter((k) => /^npm_config_(cafile|ca|strict_ssl|cert|key)$/i.test(k));
  const saved = Object.fromEntries(inherited.map((k) => [k, process.env[k]]));

  before(async () => {
    for (const k of inherited) delete process.env[k];
    registry = await startRegistry(
      [
        { name: 'leaf', version: '1.0.0' },
        { name: 'mid', version: '1.0.0', dependencies: { leaf: '^1.0.0' } },
      ],
      { tls: { key: readFileSync(join(TLS, 'server-key.pem'), 'utf8'), cert: readFileSync(join(TLS, 'server-cert.pem'), 'utf8') } },
    );
    process.env.CODA_TEST_TOKEN = registry.token;
  });
  after(async () => {
    Object.assign(process.env, saved);
    await client.close();
    await registry.close();
    for (const dir of homes) rmSync(dir, { recursive: true, force: true });
  });

  it('installs from it with its CA as cafile, on the fast path and through arborist', async () => {
    const dir = home(`cafile=${join(TLS, 'ca.pem')}`);
    const fast = await client.install(params(dir));
    assert.deepEqual(Object.keys(fast.lock), ['node_modules/leaf', 'node_modules/mid']);
    assert.match(fast.lock['node_modules/mid']!.resolved, /^https:\/\/127\.0\.0\.1:/);
    const other = mkdtempSync(join(tmpdir(), 'coda-tls-'));
    homes.push(other);
    writeFileSync(join(other, '.npmrc'), readFileSync(join(dir, '.npmrc')));
    const reify = await client.install(params(other, { allowScripts: true }));
    assert.ok(reify.phases?.['arborist reify'] !== undefined);
    assert.deepEqual(reify.lock, fast.lock);
  });

  it('refuses it when the configured certificates do not vouch for it, and installs with strict-ssl=false', async () => {
    const wrong = home(`cafile=${join(TLS, 'other-ca.pem')}`);
    await assert.rejects(client.install(params(wrong)), (err: Error) => {
      assert.match(err.message, /certificate|self[- ]signed|verify/i);
      return true;
    });
    const lax = home(`cafile=${join(TLS, 'other-ca.pem')}`, 'strict-ssl=false');
    assert.equal((await client.install(params(lax))).installed.mid, '1.0.0');
  });

  it("without configured certificates, Node's own decide (the installer's agents serve this config too): refused, then strict-ssl=false installs", async () => {
    await assert.rejects(client.install(params(home())), (err: Error) => {
      assert.match(err.message, /certificate|self[- ]signed|verify/i);
      return true;
    });
    assert.equal((await client.install(params(home('strict-ssl=false')))).installed.mid, '1.0.0');
  });
});
