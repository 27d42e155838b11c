import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecuteResult, Permissions } from '../../../protocol';
import { nodePermissionArgs, nodePermissionLaunch } from '../../../host/kernel/nodePermissionArgs';
import { nodePermissionSupport } from '../../../host/kernel/nodePermissionSupport';
import { RuntimeMissingError } from '../../../host/kernel/locateRuntime';
import { requireRuntimes, runtimeBinary, toolsDir } from '../../runtimeBinaries';
import { nodeBinaries, packageFixture, ROOT, sleep, startKernel, WORKER, type TestKernel } from '../helpers/testKernel';

const DIST = join(ROOT, 'dist');

/** Whether this Node's permission model lets the watchdog attach (asked of the binary, independently of the code under test). */
function hasAllowInspector(node: string): boolean {
  return execFileSync(node, ['-p', 'process.allowedNodeEnvironmentFlags.has("--allow-inspector")'], { encoding: 'utf8' }).trim() === 'true';
}

function denied(r: ExecuteResult, capability: string, target: string): void {
  assert.equal(r.status, 'error', `expected a denial, got ${JSON.stringify(r)}`);
  if (r.status !== 'error') return;
  assert.equal(r.error.name, 'PermissionDenied', r.error.stack ?? r.error.message);
  assert.deepEqual(r.error.props, { capability, target });
  assert.match(r.error.message, /Manage Notebook Permissions/);
}

/** A notebook folder with data/ (readable), out/ (writable) and node_modules; a store folder; a file elsewhere. */
function notebookFolders() {
  const cwd = packageFixture();
  mkdirSync(join(cwd, 'data'));
  mkdirSync(join(cwd, 'out'));
  writeFileSync(join(cwd, 'data', 'a.txt'), 'granted');
  writeFileSync(join(cwd, 'secret.txt'), 'not granted');
  // a notebook's store as the installer leaves it: node_modules links the shared tree (host/deps/sharedTree.ts)
  const cache = mkdtempSync(join(tmpdir(), 'coda-store-'));
  const tree = join(cache, 'trees', 'k', 'node_modules');
  mkdirSync(join(tree, 'store-pkg'), { recursive: true });
  writeFileSync(join(tree, 'store-pkg', 'package.json'), JSON.stringify({ name: 'store-pkg', version: '1.0.0', main: 'index.js' }));
  writeFileSync(join(tree, 'store-pkg', 'index.js'), 'exports.from = "store";');
  const store = join(cache, 'stores', 's');
  mkdirSync(store, { recursive: true });
  symlinkSync('../../trees/k/node_modules', join(store, 'node_modules'));
  const elsewhere = join(mkdtempSync(join(tmpdir(), 'coda-elsewhere-')), 'private.txt');
  writeFileSync(elsewhere, 'private');
  return { cwd, modulePaths: [join(store, 'node_modules')], elsewhere };
}

describe('notebook permissions on the Node runtime', function () {
  this.timeout(60_000);
  let server: Server;
  let url: string;
  let hits = 0;

  before(async () => {
    server = createServer((_req, res) => {
      hits++;
      res.end('hello from the test server');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    process.env.CODA_PERM_GRANTED = 'visible';
    process.env.CODA_PERM_HIDDEN = 'hidden';
  });
  after(async () => {
    delete process.env.CODA_PERM_GRANTED;
    delete process.env.CODA_PERM_HIDDEN;
    await new Promise((resolve) => server.close(resolve));
  });

  for (const bin of nodeBinaries()) {
    const usable = hasAllowInspector(bin.path);

    describe(`${bin.name}`, () => {
      const start = async (permissions: Permissions | undefined, folders = notebookFolders(), env?: Record<string, string>) => {
        const support = await nodePermissionSupport(bin.path);
        const execArgv = nodePermissionArgs(permissions, { cwd: folders.cwd, distDir: DIST, modulePaths: folders.modulePaths, support });
        return startKernel({ nodePath: bin.path, cwd: folders.cwd, modulePaths: folders.modulePaths, execArgv, init: { permissions, env } });
      };

      it('reports what its permission model offers', async () => {
        const support = await nodePermissionSupport(bin.path);
        assert.equal(support.version, execFileSync(bin.path, ['--version'], { encoding: 'utf8' }).trim());
        assert.equal(support.allowInspector, usable);
        assert.ok(support.permissionFlag, `${bin.name} should have a permission model`);
      });

      describe('an unrestricted notebook (no permissions)', () => {
        let k: TestKernel;
        let folders: ReturnType<typeof notebookFolders>;
        before(async () => {
          folders = notebookFolders();
          k = await start(undefined, folders);
        });
        after(() => k?.kernel.dispose());

        it('gets no flags and behaves as before: files, environment, network, programs, worker threads', async () => {
          assert.deepEqual(nodePermissionArgs(undefined, { cwd: folders.cwd, distDir: DIST, support: await nodePermissionSupport(bin.path) }), []);
          assert.equal(await k.value(`require('fs').readFileSync(${JSON.stringify(folders.elsewhere)}, 'utf8')`), 'private');
          assert.equal(await k.value('process.env.CODA_PERM_HIDDEN'), 'hidden');
          assert.equal(await k.value(`await (await fetch(${JSON.stringify(url)})).text()`), 'hello from the test server');
          assert.equal(await k.value(`require('child_process').execSync('echo hi').toString().trim()`), 'hi');
          assert.equal(
            await k.value(
              `await new Promise((resolve) => new (require('worker_threads').Worker)('require("worker_threads").parentPort.postMessage(7)', { eval: true }).once('message', resolve))`,
            ),
            '7',
          );
        });
      });

      if (!usable) {
        it('refuses permissions with a message naming the Node.js they need and how to get it', async () => {
          const support = await nodePermissionSupport(bin.path);
          assert.throws(
            () => nodePermissionArgs({ read: ['data'] }, { cwd: tmpdir(), distDir: DIST, support }),
            (err: Error) => /--allow-inspector/.test(err.message) && /coda\.nodePath/.test(err.message) && /coda runtimes fetch node/.test(err.message),
          );
        });
        return;
      }

      describe('a notebook granted some of everything', () => {
        let k: TestKernel;
        let folders: ReturnType<typeof notebookFolders>;
        before(async () => {
          folders = notebookFolders();
          k = await start({ read: ['data'], write: ['out'], net: ['127.0.0.1'], env: ['CODA_PERM_GRANTED'], run: ['echo', 'printenv'] }, folders, {
            CODA_SECRET: 's3cret',
          });
        });
        after(() => k?.kernel.dispose());

        it('read: a granted folder works; a file elsewhere and the rest of the notebook folder are denied', async () => {
          assert.equal(await k.value(`require('fs').readFileSync('data/a.txt', 'utf8')`), 'granted');
          denied(await k.run(`require('fs').readFileSync(${JSON.stringify(folders.elsewhere)}, 'utf8')`), 'read', folders.elsewhere);
          denied(await k.run(`await require('fs/promises').readFile('secret.txt', 'utf8')`), 'read', join(folders.cwd, 'secret.txt'));
        });

        it('write: a granted folder works; anywhere else is denied and nothing is written', async () => {
          assert.equal((await k.run(`require('fs').writeFileSync('out/result.txt', 'written')`)).status, 'ok');
          assert.equal(readFileSync(join(folders.cwd, 'out', 'result.txt'), 'utf8'), 'written');
          denied(await k.run(`require('fs').writeFileSync('data/a.txt', 'overwritten')`), 'write', join(folders.cwd, 'data', 'a.txt'));
          denied(await k.run(`require('fs').writeFileSync('new.txt', 'x')`), 'write', join(folders.cwd, 'new.txt'));
          assert.equal(readFileSync(join(folders.cwd, 'data', 'a.txt'), 'utf8'), 'granted');
          assert.equal(existsSync(join(folders.cwd, 'new.txt')), false);
        });

        it('net: http.get and fetch reach a granted host; other hosts are denied before any connection', async () => {
          assert.equal(
            await k.value(
              `await new Promise((resolve, reject) => require('http').get(${JSON.stringify(url)}, (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve(b)); }).on('error', reject))`,
            ),
            'hello from the test server',
          );
          assert.equal(await k.value(`await (await fetch(${JSON.stringify(url)})).text()`), 'hello from the test server');
          denied(await k.run(`await fetch('http://example.com/')`), 'net', 'example.com');
          denied(await k.run(`require('http').get('http://example.com/')`), 'net', 'example.com');
          denied(await k.run(`require('https').get('https://localhost:1/')`), 'net', 'localhost');
          denied(
            await k.run(`await new Promise((resolve, reject) => require('net').connect(1, 'example.org').on('connect', resolve).on('error', reject))`),
            'net',
            'example.org',
          );
          denied(await k.run(`require('dgram').createSocket('udp4').send('x', 53, '127.0.0.1')`), 'net', '*');
          denied(await k.run(`new WebSocket('ws://example.com/')`), 'net', 'example.com');
          denied(await k.run(`require('http').createServer().listen(0)`), 'net', '0.0.0.0');
          assert.match(
            await k.value(
              `await new Promise((resolve) => { const s = require('http').createServer().listen(0, '127.0.0.1', () => { resolve(typeof s.address().port); s.close(); }); })`,
            ),
            /number/,
          );
        });

        it("env: only granted variables and the notebook's secrets are visible, to cells and to programs they run", async () => {
          assert.equal(await k.value('process.env.CODA_PERM_GRANTED'), 'visible');
          assert.equal(await k.value('String(process.env.CODA_PERM_HIDDEN)'), 'undefined');
          assert.equal(await k.value('process.env.CODA_SECRET === "s3cret"'), 'true');
          assert.equal(await k.value(`Object.keys(process.env).sort().join(',')`), 'CODA_PERM_GRANTED,CODA_SECRET');
          const seen = await k.value(`require('child_process').execFileSync('printenv').toString()`);
          assert.match(seen, /CODA_PERM_GRANTED=visible/);
          assert.doesNotMatch(seen, /CODA_PERM_HIDDEN/);
        });

        it('run: granted programs run; others, and shell commands (the shell is not granted), are denied', async () => {
          assert.equal(await k.value(`require('child_process').execFileSync('echo', ['hi']).toString().trim()`), 'hi');
          // a shell command runs the shell, which is not granted (test/unit/security/adversarial/nodeRun.test.ts grants it)
          denied(await k.run(`require('child_process').execSync('echo "from a shell"')`), 'run', '/bin/sh');
          assert.equal(
            await k.value(`await new Promise((resolve) => require('child_process').execFile('echo', ['async'], (_e, out) => resolve(out.trim())))`),
            'async',
          );
          denied(await k.run(`require('child_process').execSync('ls')`), 'run', '/bin/sh');
          denied(await k.run(`require('child_process').execSync('echo hi; ls')`), 'run', '/bin/sh');
          denied(await k.run(`require('child_process').spawn('ls')`), 'run', 'ls');
          denied(await k.run(`const { spawnSync } = await import('node:child_process'); spawnSync('cat', ['/etc/hostname'])`), 'run', 'cat');
          denied(await k.run(`new (require('worker_threads').Worker)('1', { eval: true })`), 'run', 'node:worker_threads');
          denied(await k.run(`process.execve?.('/bin/ls', ['ls']) ?? require('child_process').execFileSync('/bin/ls')`), 'run', '/bin/ls');
          assert.equal(await k.value('"the kernel is still here"'), 'the kernel is still here');
        });

        it("packages still load: the notebook folder's node_modules (CommonJS and ESM) and the dependency store", async () => {
          assert.equal(await k.value(`require('cjs-pkg').add(2, 3)`), '5');
          assert.equal(await k.value(`(await import('esm-only')).kind`), 'esm');
          assert.equal(await k.value(`require('store-pkg').from`), 'store');
        });

        it('TypeScript cells still work (the type stripper loads lazily from dist)', async () => {
          const r = await k.run('const n: number = 40; n + 2', { language: 'typescript' });
          assert.equal(r.status, 'ok', JSON.stringify(r));
          assert.equal(r.status === 'ok' && r.value?.type === 'number' && r.value.text, '42');
        });

        it("interrupting `while (true) {}` still stops the cell and keeps the kernel's state", async () => {
          assert.equal((await k.run('var kept = "state"')).status, 'ok');
          const running = k.run('while (true) {}');
          await sleep(300);
          k.kernel.interrupt();
          assert.equal((await running).status, 'interrupted');
          assert.equal(await k.value('kept'), 'state');
        });
      });

      describe('a notebook granted nothing', () => {
        let k: TestKernel;
        let folders: ReturnType<typeof notebookFolders>;
        before(async () => {
          folders = notebookFolders();
          k = await start({}, folders);
        });
        after(() => k?.kernel.dispose());

        it('every capability is denied, and the test server is never reached', async () => {
          const before = hits;
          denied(await k.run(`await fetch(${JSON.stringify(url)})`), 'net', '127.0.0.1');
          denied(await k.run(`require('http').get(${JSON.stringify(url)})`), 'net', '127.0.0.1');
          assert.equal(hits, before);
          denied(await k.run(`require('fs').readFileSync('data/a.txt')`), 'read', join(folders.cwd, 'data', 'a.txt'));
          denied(await k.run(`require('fs').writeFileSync('out/x.txt', 'x')`), 'write', join(folders.cwd, 'out', 'x.txt'));
          denied(await k.run(`require('child_process').execFileSync('echo', ['hi'])`), 'run', 'echo');
          assert.equal(await k.value('Object.keys(process.env).length'), '0');
          assert.equal(await k.value(`require('cjs-pkg').kind`), 'cjs');
        });
      });
    });
  }
});

describe('nodePermissionLaunch (what a host does for a notebook with permissions)', function () {
  this.timeout(20_000);
  const init = { cwd: tmpdir(), documentPath: join(tmpdir(), 'x.coda'), runtime: 'node' as const };

  it('keeps the configured Node and adds no flags for an unrestricted notebook', async () => {
    assert.deepEqual(await nodePermissionLaunch(init, { nodePath: process.execPath, workerPath: WORKER, storage: tmpdir() }), {
      nodePath: process.execPath,
      execArgv: [],
    });
  });

  it("uses the runtime store's Node 24 when the configured Node cannot stop cells under its permission model", async function () {
    const stored = runtimeBinary('node');
    if (!stored) {
      if (requireRuntimes) assert.fail('Node 24 is missing from the runtime store (coda runtimes fetch node)');
      this.skip();
    }
    const oldest = nodeBinaries().find((b) => !hasAllowInspector(b.path));
    const configured = oldest?.path ?? stored;
    const launch = await nodePermissionLaunch({ ...init, permissions: { read: ['data'] } }, { nodePath: configured, workerPath: WORKER, storage: toolsDir() });
    assert.equal(launch.nodePath, oldest ? stored : configured);
    assert.ok(launch.execArgv.includes('--permission') && launch.execArgv.includes('--allow-inspector'), launch.execArgv.join(' '));
    assert.ok(launch.execArgv.includes(`--allow-fs-read=${join(tmpdir(), 'data')}`), launch.execArgv.join(' '));
  });

  it('asks for the Node 24 download when neither the configured Node nor the store can do it', async function () {
    const oldest = nodeBinaries().find((b) => !hasAllowInspector(b.path));
    if (!oldest) this.skip();
    await assert.rejects(
      nodePermissionLaunch(
        { ...init, permissions: {} },
        { nodePath: oldest!.path, workerPath: WORKER, storage: mkdtempSync(join(tmpdir(), 'coda-empty-store-')) },
      ),
      (err: Error) => err instanceof RuntimeMissingError && err.missing.includes('node') && /permissions/.test(err.message),
    );
  });
});
