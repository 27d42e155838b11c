import { strict as assert } from 'node:assert';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { InstallParams } from '../../../protocol';
import { isStoreComplete } from '../../../host/deps/atomicStore';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { installFromStores, storeMatches } from '../../../host/deps/storeReuse';
import { ROOT, startKernel } from '../helpers/testKernel';
import { startRegistry, type Registry } from './registryServer';

const INSTALLER = join(ROOT, 'dist', 'installer.js');
/** Big enough that a cut download leaves a package half extracted (random bytes do not compress). */
const BIG_BYTES = 3 * 1024 * 1024;
/** Time the installer gets to write what it received before it is killed. */
const SETTLE_MS = 400;
/** Longest wait for an install to reach the point where it is killed. */
const POLL_LIMIT_MS = 20_000;

/**
 * Issue 11 item 13: an installer killed (SIGKILL, no chance to clean up) at any point of an install leaves no store
 * that a later run takes as installed, and the next run installs properly.
 */
describe('an interrupted install never leaves a half-installed store', function () {
  this.timeout(90_000);
  let registry: Registry;
  let home: string;
  const client = new InstallerClient({ installerPath: INSTALLER });
  const params = (notebook: string, dependencies: Record<string, string>): InstallParams => {
    const { storeDir } = storeFor(join(home, 'cache'), notebook);
    // a cache per notebook: a tarball another test cached would not be downloaded (nor cut short) again
    return { storeDir, cacheDir: join(home, 'caches', basename(notebook)), dependencies, allowScripts: true, npmrcFrom: home };
  };

  /** Starts the installer process on `params` and SIGKILLs it once `armed` resolves. */
  const killDuring = async (p: InstallParams, armed: Promise<void>) => {
    const child = fork(INSTALLER, [], { execArgv: [], serialization: 'json', stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const answered = new Promise<unknown>((resolve) => child.on('message', (m: { kind?: string }) => m?.kind === 'response' && resolve(m)));
    child.send({ kind: 'request', id: 1, method: 'install', params: p });
    const first = await Promise.race([armed.then(() => 'armed'), answered.then((m) => m)]);
    assert.equal(first, 'armed', `the install ended before it could be interrupted: ${JSON.stringify(first)}`);
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
  };

  const notInstalled = async (p: InstallParams, pkg: string) => {
    assert.equal(existsSync(join(p.storeDir, 'node_modules', pkg)), false, `no ${pkg} folder in the store the kernel resolves from`);
    assert.equal(isStoreComplete(p.storeDir), false);
    const lock = {
      [`node_modules/${pkg}`]: { version: '1.0.0', resolved: registry.tarballUrl(pkg, '1.0.0'), integrity: `sha512-${Buffer.alloc(64).toString('base64')}` },
    };
    assert.equal(await storeMatches(p.storeDir, p.dependencies, lock), false);
  };

  const installsAfterwards = async (p: InstallParams, check: string, expected: string) => {
    const r = await client.install(p);
    assert.ok(isStoreComplete(p.storeDir));
    const leftovers = readdirSync(dirname(p.storeDir)).filter((d) => d.startsWith(`.${basename(p.storeDir)}.`));
    assert.deepEqual(leftovers, [], 'the staging folder of the killed installer was removed');
    const k = await startKernel({ cwd: mkdtempSync(join(tmpdir(), 'coda-nb-')), modulePaths: [r.modulePath] });
    try {
      assert.equal(await k.value(check), expected);
    } finally {
      await k.kernel.dispose();
    }
  };

  const until = (ready: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (ready()) resolve();
        else if (Date.now() - started > POLL_LIMIT_MS) reject(new Error('the install never got that far'));
        else return;
        clearInterval(poll);
      }, 20);
    });

  const stalled = (name: string, fraction: number) => new Promise<void>((resolve) => registry.stall(name, resolve, fraction));

  before(async () => {
    const bin = randomBytes(BIG_BYTES);
    registry = await startRegistry([
      { name: 'app', version: '1.0.0', dependencies: { big: '1.0.0' }, main: 'module.exports = require("big");' },
      { name: 'big', version: '1.0.0', files: { 'data.bin': bin }, main: 'module.exports = require("fs").statSync(__dirname + "/data.bin").size;' },
      { name: 'leaf', version: '1.0.0' },
      // an install script that says it started, then never ends
      {
        name: 'hangs',
        version: '1.0.0',
        scripts: { postinstall: 'node hang.js' },
        files: { 'hang.js': 'require("fs").writeFileSync("started", String(process.pid)); setInterval(() => {}, 1000);' },
      },
    ]);
    home = mkdtempSync(join(tmpdir(), 'coda-atomic-'));
    writeFileSync(join(home, '.npmrc'), `registry=${registry.url}\n`);
  });
  after(async () => {
    await client.close();
    await registry.close();
    rmSync(home, { recursive: true, force: true });
  });
  afterEach(() => {
    registry.unstall('big');
  });

  it('the example: killed mid-extract (half of a 3 MB tarball received), then a re-run installs it', async () => {
    const p = params('/nb/mid-extract.coda', { app: '1.0.0' });
    const root = dirname(p.storeDir);
    // wherever the install writes (a staging folder, or the store itself as before atomic installs)
    const partial = () =>
      (existsSync(root) ? readdirSync(root) : [])
        .filter((d) => d.startsWith(`.${basename(p.storeDir)}.`) || d === basename(p.storeDir))
        .map((d) => join(root, d, 'node_modules', 'big', 'data.bin'))
        .filter((f) => existsSync(f) && statSync(f).size > 0 && statSync(f).size < BIG_BYTES);
    // killed once part of big's data is on disk: mid-extract for sure
    await killDuring(
      p,
      stalled('big', 0.6).then(() => until(() => partial().length > 0)),
    );
    await notInstalled(p, 'big');
    await notInstalled(p, 'app');
    registry.unstall('big');
    await installsAfterwards(p, 'require("app")', String(BIG_BYTES));
  });

  it('killed as the first bytes of a tarball arrive', async () => {
    const p = params('/nb/first-bytes.coda', { big: '1.0.0' });
    await killDuring(p, stalled('big', 0.02));
    await notInstalled(p, 'big');
    registry.unstall('big');
    await installsAfterwards(p, 'require("big")', String(BIG_BYTES));
  });

  it('killed while an install script runs (every package extracted)', async () => {
    const p = params('/nb/script.coda', { hangs: '1.0.0' });
    let scriptPid = 0;
    const started = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const root = dirname(p.storeDir);
        // the script may run in a staging folder or (as before atomic installs) in the store itself
        const dirs = existsSync(root) ? readdirSync(root).filter((d) => d.startsWith(`.${basename(p.storeDir)}.`) || d === basename(p.storeDir)) : [];
        const marker = dirs.map((d) => join(root, d, 'node_modules', 'hangs', 'started')).find((f) => existsSync(f) && statSync(f).size > 0);
        if (marker) {
          scriptPid = Number(readFileSync(marker, 'utf8'));
          clearInterval(poll);
          resolve();
        }
      }, 50);
    });
    try {
      await killDuring(p, started);
    } finally {
      // a script outlives the installer killed under it (nothing is left to end it): this test ends its own
      try {
        if (scriptPid > 0) process.kill(scriptPid, 'SIGKILL');
      } catch {
        // it ended already
      }
    }
    await notInstalled(p, 'hangs');
    // the script never ends, so the re-run is checked with a package that has none
    await installsAfterwards(params('/nb/script.coda', { leaf: '1.0.0' }), 'require("leaf").version', '1.0.0');
  });

  it('killed while replacing a complete store: the previous store stays whole and usable', async () => {
    const p = params('/nb/replace.coda', { leaf: '1.0.0' });
    const first = await client.install(p);
    const before = statSync(join(p.storeDir, 'node_modules', 'leaf', 'index.js')).size;
    await killDuring({ ...p, dependencies: { leaf: '1.0.0', big: '1.0.0' } }, stalled('big', 0.6));
    assert.ok(isStoreComplete(p.storeDir), 'the old store is still complete');
    assert.equal(statSync(join(p.storeDir, 'node_modules', 'leaf', 'index.js')).size, before);
    assert.equal(existsSync(join(p.storeDir, 'node_modules', 'big')), false, 'nothing of the interrupted install leaked into it');
    assert.ok(await installFromStores({ ...p, lock: first.lock }), 'the locked tree is still served from the store');
    registry.unstall('big');
    await installsAfterwards({ ...p, dependencies: { leaf: '1.0.0', big: '1.0.0' } }, 'require("big")', String(BIG_BYTES));
  });
});
