/**
 * The kernel worker's code cache (worker/entry.ts, host/kernel/workerCodeCache.ts): built once, by a process that runs
 * the warm-up cells and no notebook, then read by every kernel of that Node and bundle. What must never happen: a
 * notebook writing code other kernels run, a cache for something else offered to V8, the cache's name seen by a cell.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, lutimesSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compileCacheDir } from '../../../host/cacheRoot';
import { pruneCache } from '../../../host/deps/cachePrune';
import { cachePruneSummary } from '../../../host/deps/cacheSummary';
import { WORKER_FLAGS } from '../../../host/kernel/forkWorker';
import { nodePermissionArgs } from '../../../host/kernel/nodePermissionArgs';
import { nodePermissionSupport } from '../../../host/kernel/nodePermissionSupport';
import { codeCacheFile } from '../../../host/codeCacheFile';
import { buildCodeCache, WORKER_MAIN } from '../../../host/kernel/workerCodeCache';
import { CODE_CACHE_BUILD_ENV, CODE_CACHE_FILE_ENV } from '../../../protocol';
import { removeTempDir } from '../helpers/removeTempDir';
import { nodeBinaries, ROOT, sleep, startKernel, WORKER, type TestKernel } from '../helpers/testKernel';

const DIST = join(ROOT, 'dist');

async function until(what: string, ok: () => boolean, ms = 45_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

/** The file a kernel started by startKernel (WORKER_FLAGS, no other flags) reads on this Node. */
const fileFor = (node: string) => codeCacheFile({ workerPath: WORKER, node, execArgv: WORKER_FLAGS })!;

async function withKernel<T>(k: TestKernel, use: (k: TestKernel) => Promise<T>): Promise<T> {
  try {
    return await use(k);
  } finally {
    await k.kernel.dispose();
  }
}

describe('the kernel worker’s code cache', function () {
  this.timeout(120_000);
  const saved = process.env.XDG_CACHE_HOME;
  let cacheHome: string;
  beforeEach(() => {
    // a cache folder of this test's own (compileCacheDir() reads the environment at each call)
    cacheHome = mkdtempSync(join(tmpdir(), 'coda-code-cache-'));
    process.env.XDG_CACHE_HOME = cacheHome;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = saved;
    removeTempDir(cacheHome);
  });

  for (const node of nodeBinaries()) {
    it(`${node.name}: absent at first, built in the background by a warm-up process, then accepted by the next kernel`, async () => {
      const file = fileFor(node.path);
      assert.equal(dirname(file), compileCacheDir(), 'in the user’s compile-cache folder');
      await withKernel(await startKernel({ nodePath: node.path }), async (k) => {
        assert.equal(k.kernel.info.codeCache, 'absent');
        assert.equal(await k.value('6 * 7'), '42');
      });
      await until('the cache file', () => existsSync(file));
      const bytes = readFileSync(file);
      const first = JSON.parse(bytes.toString('utf8', 0, bytes.indexOf(10))) as Record<string, unknown>;
      const version = execFileSync(node.path, ['--version'], { encoding: 'utf8' }).trim();
      assert.equal(first.node, version);
      assert.equal(first.bundle, join(DIST, WORKER_MAIN));
      assert.equal(statSync(file).mode & 0o777, 0o600, 'readable by the user alone');
      assert.ok(bytes.length > 100_000, `a cache of the code the warm-up ran, not of the top level alone (${bytes.length} B)`);
      await withKernel(await startKernel({ nodePath: node.path }), async (k) => {
        assert.equal(k.kernel.info.codeCache, 'accepted');
        assert.equal(await k.value('const { a } = { a: [1, 2] }; a.length'), '2');
        const typed = await k.run('const n: number = 2; n * 21', { language: 'typescript' });
        assert.equal(typed.status === 'ok' && typed.value?.type === 'number' ? typed.value.text : JSON.stringify(typed), '42');
      });
    });
  }

  it('a cache made for another bundle or Node (its first line) is stale and never offered to V8; garbage after the right line is rejected by V8; both kernels run', async () => {
    const file = fileFor(process.execPath);
    await withKernel(await startKernel(), async () => undefined);
    await until('the cache file', () => existsSync(file));
    const bytes = readFileSync(file);
    const cut = bytes.indexOf(10) + 1;
    const line = JSON.parse(bytes.toString('utf8', 0, cut)) as Record<string, unknown>;
    const variants: [string, Buffer][] = [
      ['another bundle', Buffer.concat([Buffer.from(`${JSON.stringify({ ...line, size: Number(line.size) + 1 })}\n`), bytes.subarray(cut)])],
      ['another Node', Buffer.concat([Buffer.from(`${JSON.stringify({ ...line, node: 'v0.0.1' })}\n`), bytes.subarray(cut)])],
      ['no first line', bytes.subarray(cut)],
    ];
    for (const [what, planted] of variants) {
      writeFileSync(file, planted);
      await withKernel(await startKernel(), async (k) => {
        assert.equal(k.kernel.info.codeCache, 'stale', what);
        assert.equal(await k.value('1 + 1'), '2', what);
      });
    }
    const garbage = Buffer.alloc(bytes.length - cut, 0x5a);
    writeFileSync(file, Buffer.concat([bytes.subarray(0, cut), garbage]));
    await withKernel(await startKernel(), async (k) => {
      assert.equal(k.kernel.info.codeCache, 'rejected');
      assert.equal(await k.value('[1, 2, 3].map((x) => x * 2).join()'), '2,4,6');
    });
  });

  it('neither the environment a kernel inherits nor a notebook’s variables name its cache or make it a build; neither is in a cell’s process.env', async () => {
    const planted = join(cacheHome, 'planted.v8');
    writeFileSync(planted, 'planted');
    process.env[CODE_CACHE_FILE_ENV] = planted;
    process.env[CODE_CACHE_BUILD_ENV] = '1';
    try {
      await withKernel(await startKernel(), async (k) => {
        assert.equal(k.kernel.info.codeCache, 'absent', 'the kernel read the file the host names, not the planted one');
        assert.equal(await k.value(`[process.env.${CODE_CACHE_FILE_ENV}, process.env.${CODE_CACHE_BUILD_ENV}].join("|")`), '|');
        assert.equal(k.kernel.alive, true);
      });
      assert.equal(readFileSync(planted, 'utf8'), 'planted');
    } finally {
      delete process.env[CODE_CACHE_FILE_ENV];
      delete process.env[CODE_CACHE_BUILD_ENV];
    }
  });

  it('a folder removed while its build runs is not made again: the build ends without a file', async () => {
    const launch = { workerPath: WORKER, node: process.execPath, execArgv: WORKER_FLAGS };
    const file = codeCacheFile(launch)!;
    const build = buildCodeCache(launch)!;
    const ended = new Promise<number | null>((resolve) => build.once('exit', resolve));
    assert.ok(existsSync(dirname(file)), 'the host made the folder before the build started');
    removeTempDir(cacheHome);
    assert.notEqual(await ended, 0);
    assert.equal(existsSync(cacheHome), false, 'nothing of the removed folder came back');
  });

  it('a build replaces the caches of the same Node and flags made from other bundles, and keeps the others', async () => {
    const file = fileFor(process.execPath);
    const prefix = file.slice(0, file.lastIndexOf('-') + 1);
    const older = `${prefix}0badc0de.v8`;
    const otherNode = join(dirname(file), 'worker-0badc0de-0badc0de.v8');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(older, 'an older bundle’s cache');
    writeFileSync(otherNode, 'another Node’s cache');
    await withKernel(await startKernel(), async (k) => assert.equal(k.kernel.info.codeCache, 'absent'));
    await until('the cache file', () => existsSync(file));
    await until('the older cache removed', () => !existsSync(older), 5_000);
    assert.ok(existsSync(otherNode), 'another Node’s cache is not this build’s to remove');
  });

  it('the cache prune removes kernel, installer and extension code caches written longer ago than its limit and their builds’ leftovers, nothing else of the folder', async () => {
    const dir = compileCacheDir();
    mkdirSync(join(dir, 'v24.21.0-x64-964aae3f-0'), { recursive: true });
    const DAY = 24 * 60 * 60_000;
    const now = Date.now();
    const files = {
      old: 'worker-0badc0de-0badc0de.v8',
      fresh: 'worker-0badc0de-1badc0de.v8',
      oldStaging: 'worker-0badc0de-2badc0de.v8.4242.tmp',
      oldInstaller: 'installer-0badc0de-0badc0de.v8',
      freshInstaller: 'installer-0badc0de-1badc0de.v8',
      oldExtension: 'extension-0badc0de-0badc0de.v8',
      freshExtension: 'extension-0badc0de-1badc0de.v8',
      notOurs: 'worker-notes.v8',
      nodeCache: join('v24.21.0-x64-964aae3f-0', 'c8764d1e'),
    };
    for (const f of Object.values(files)) writeFileSync(join(dir, f), 'x');
    const aged = new Date(now - 40 * DAY);
    for (const f of [files.old, files.oldStaging, files.oldInstaller, files.oldExtension, files.notOurs, files.nodeCache]) utimesSync(join(dir, f), aged, aged);
    symlinkSync(join(dir, files.fresh), join(dir, 'worker-0badc0de-3badc0de.v8'));
    lutimesSync(join(dir, 'worker-0badc0de-3badc0de.v8'), aged, aged);
    const storage = mkdtempSync(join(tmpdir(), 'coda-code-cache-storage-'));
    const result = await pruneCache(storage, 30, now, dir);
    assert.equal(result.codeCaches, 4);
    assert.match(cachePruneSummary(result), /4 old code caches/);
    const left = (f: string) => existsSync(join(dir, f));
    assert.deepEqual(
      Object.entries(files).map(([k, f]) => [k, left(f)]),
      [
        ['old', false],
        ['fresh', true],
        ['oldStaging', false],
        ['oldInstaller', false],
        ['freshInstaller', true],
        ['oldExtension', false],
        ['freshExtension', true],
        ['notOurs', true],
        ['nodeCache', true],
      ],
    );
    assert.ok(lstatSync(join(dir, 'worker-0badc0de-3badc0de.v8')).isSymbolicLink(), 'a link named like a cache is not one: kept');
    assert.equal((await pruneCache(storage, 30, now)).codeCaches, 0, 'no folder named: none pruned');
  });

  const permissioned = nodeBinaries().find(
    (n) => execFileSync(n.path, ['-p', 'process.allowedNodeEnvironmentFlags.has("--allow-inspector")'], { encoding: 'utf8' }).trim() === 'true',
  );
  (permissioned ? it : it.skip)('a notebook with declared permissions reads the cache and can neither write, replace nor remove it', async () => {
    const node = permissioned!;
    const file = fileFor(node.path);
    await withKernel(await startKernel({ nodePath: node.path }), async () => undefined);
    await until('the cache file', () => existsSync(file));
    const before = readFileSync(file);
    const cwd = mkdtempSync(join(tmpdir(), 'coda-code-cache-nb-'));
    const permissions = { read: ['.'], write: ['.'] };
    const execArgv = nodePermissionArgs(permissions, { cwd, distDir: DIST, support: await nodePermissionSupport(node.path) });
    // its variables are in its environment from the start (KernelProcess.kernelEnvironment): the build's switch among them
    const env = { [CODE_CACHE_BUILD_ENV]: '1', [CODE_CACHE_FILE_ENV]: join(cwd, 'mine.v8') };
    await withKernel(await startKernel({ nodePath: node.path, cwd, execArgv, init: { permissions, env } }), async (k) => {
      assert.equal(k.kernel.info.codeCache, 'accepted', 'the permission flags do not change the cache a kernel reads');
      const attempts = [
        `require("node:fs").writeFileSync(${JSON.stringify(file)}, "planted")`,
        `require("node:fs").appendFileSync(${JSON.stringify(file)}, "planted")`,
        `require("node:fs").rmSync(${JSON.stringify(file)})`,
        `require("node:fs").renameSync(${JSON.stringify(join(cwd, 'x'))}, ${JSON.stringify(file)})`,
        `require("node:fs").writeFileSync(${JSON.stringify(`${file.slice(0, -3)}-planted.v8`)}, "planted")`,
        `await require("node:fs/promises").writeFile(${JSON.stringify(file)}, "planted")`,
      ];
      writeFileSync(join(cwd, 'x'), 'planted');
      assert.equal(await k.value('1 + 1'), '2');
      assert.equal(k.kernel.alive, true, 'the kernel turned into a build');
      for (const code of attempts) {
        const r = await k.run(code);
        assert.equal(r.status, 'error', `${code} was allowed`);
      }
    });
    assert.deepEqual(readFileSync(file), before, 'the cache is unchanged');
  });
});
