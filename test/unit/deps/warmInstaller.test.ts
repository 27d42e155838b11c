/**
 * The installer started ahead of a notebook's first run (the editor's prewarm): storesServe says, without writing
 * anything, whether the stores on disk will serve an install (then no installer is started), and
 * InstallerClient.warm starts the process the next install then uses. Against a registry on loopback.
 */
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { InstallParams } from '../../../protocol';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { storesServe } from '../../../host/deps/storeReuse';
import { ROOT } from '../helpers/testKernel';
import { removeTempDir } from '../helpers/removeTempDir';
import { homeWithNpmrc, startRegistry, type Registry } from './registryServer';

describe('the installer started ahead of a first run (InstallerClient.warm, storesServe)', function () {
  this.timeout(60_000);
  let registry: Registry;
  let home: string;
  const clients: InstallerClient[] = [];
  const newClient = (codeCacheDir = join(home, 'code-cache')) => {
    const c = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js'), codeCacheDir });
    clients.push(c);
    return c;
  };
  const params = (notebook: string, dependencies: Record<string, string>, over: Partial<InstallParams> = {}): InstallParams => ({
    ...storeFor(join(home, 'cache'), notebook),
    dependencies,
    allowScripts: false,
    npmrcFrom: home,
    editorTypes: false,
    ...over,
  });

  before(async () => {
    registry = await startRegistry([
      { name: 'leaf', version: '1.0.0' },
      { name: 'leaf', version: '1.1.0' },
      { name: 'mid', version: '2.0.0', dependencies: { leaf: '^1.0.0' } },
    ]);
    home = homeWithNpmrc(registry, 'coda-warm-');
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await registry.close();
    removeTempDir(home);
  });

  it('a warmed installer is the one the next install uses; warming a running one starts nothing', async () => {
    const client = newClient();
    client.warm();
    client.warm();
    assert.equal(client.processesStarted, 1);
    const r = await client.install(params('/nb/warm.coda', { mid: '2.0.0' }));
    assert.equal(r.installed.mid, '2.0.0');
    assert.equal(client.processesStarted, 1, 'no second process');
    client.warm();
    assert.equal(client.processesStarted, 1);
  });

  it('a warmed installer nobody uses stops with its client (close resolves once it exited), having written nothing', async () => {
    const codeCache = join(home, 'code-cache-unused');
    const client = newClient(codeCache);
    client.warm();
    await client.close();
    assert.equal(client.processesStarted, 1);
    assert.deepEqual(readdirSync(codeCache), [], 'no code cache: it installed nothing');
  });

  it('the stores serve a notebook whose lock its store, a shared tree or another store holds; not a new set or another version', async () => {
    const client = newClient();
    const first = params('/nb/served.coda', { mid: '2.0.0' });
    assert.equal(await storesServe(first), false, 'nothing installed, no lock: the installer is needed');
    const { lock } = await client.install(first);
    assert.equal(await storesServe({ ...first, lock }), true, 'its own store');
    // another notebook with the same lock: the shared tree (or the first store) serves it
    const other = params('/nb/other.coda', { mid: '2.0.0' }, { lock });
    assert.equal(await storesServe(other), true, 'another store or the shared tree');
    assert.deepEqual(
      readdirSync(join(home, 'cache', 'stores')).filter((d) => other.storeDir.endsWith(d)),
      [],
      'nothing was written for it',
    );
    assert.equal(await storesServe(params('/nb/other.coda', { mid: '2.0.0', leaf: '1.1.0' })), false, 'a new dependency set, no lock');
    // mid over leaf 1.0.0 (which another notebook installed alone; mid's own install took 1.1.0): a lock of packages
    // no store holds together
    const older = (await client.install(params('/nb/leaf.coda', { leaf: '1.0.0' }))).lock;
    assert.equal(lock['node_modules/leaf']!.version, '1.1.0');
    assert.equal(await storesServe({ ...other, lock: { ...lock, ...older } }), false, 'a lock no store holds');
    assert.equal(await storesServe({ ...first, lock, allowScripts: true }), false, 'scripts would run: another store');
  });
});
