import { strict as assert } from 'node:assert';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EarlyWorker } from '../../../cli/earlyWorker';
import { nodeVersionFlags } from '../../../host/kernel/nodeVersionFlags';
import { sameFork, WORKER_FLAGS, workerEnv, type WorkerFork } from '../../../host/kernel/forkWorker';
import { ROOT } from '../helpers/testKernel';

const CLI = join(ROOT, 'dist', 'cli.js');
const DIST = join(ROOT, 'dist');

function notebook(metadata: Record<string, unknown>, source = 'process.pid'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'coda-early-')), 'n.coda');
  writeFileSync(file, JSON.stringify({ coda: 1, metadata, cells: [{ kind: 'code', language: 'javascript', source: [source] }] }));
  return file;
}

/** The launch KernelProcess works out for a Node notebook without permissions in `file`'s folder. */
function plainLaunch(file: string): WorkerFork {
  return {
    workerPath: join(DIST, 'worker.js'),
    node: process.execPath,
    execArgv: [...WORKER_FLAGS, ...nodeVersionFlags(process.version)],
    cwd: dirname(file),
    env: workerEnv({ ...process.env }),
    // coda run's kernels read its stdin
    stdin: 'inherit',
  };
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

describe('coda run: the worker forked before the CLI loads', () => {
  it("keeps Node's compile cache in the user's cache folder, never in the shared temporary folder; a user's own choice wins", () => {
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = '/home/me/.cache';
    try {
      const env = { PATH: process.env.PATH };
      assert.equal(workerEnv(env).NODE_COMPILE_CACHE, join('/home/me/.cache', 'codajs', 'compile-cache'));
      assert.equal(workerEnv({ ...env, NODE_COMPILE_CACHE: '/mine' }).NODE_COMPILE_CACHE, '/mine');
      delete process.env.XDG_CACHE_HOME;
      assert.ok(!workerEnv(env).NODE_COMPILE_CACHE!.startsWith(tmpdir()), 'not in the shared temporary folder');
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });

  it('is the kernel of a plain Node notebook (coda run --verbose says so), and the run is unchanged', () => {
    const r = spawnSync(process.execPath, [CLI, 'run', notebook({}, 'typeof process.pid'), '--verbose'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 30_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /kernel starting: .*\(pid \d+, forked earlier\)/);
    assert.match(r.stdout, /'number'/);
    assert.match(r.stdout, /1\/1 cells ran, all passed/);
  });

  it('is not forked for a notebook that declares permissions, another runtime, or options that change the launch', () => {
    for (const argv of [
      ['run', notebook({ permissions: { env: [] } })],
      ['run', notebook({ runtime: 'sandbox' })],
      ['run', notebook({ runtime: 'deno' })],
      ['run', notebook({}), '--max-memory', '512'],
      ['run', notebook({}), '--node=/usr/bin/node'],
      ['run', notebook({}), '--runtime', 'bun'],
      ['convert', notebook({}), 'x.ipynb'],
    ]) {
      const early = EarlyWorker.fork(argv, DIST);
      early?.dispose();
      assert.equal(early, undefined, argv.join(' '));
    }
  });

  it('is handed over only for exactly its launch, once; otherwise it is killed', async () => {
    const file = notebook({});
    const launch = plainLaunch(file);
    const differences: WorkerFork[] = [
      { ...launch, env: { ...launch.env, CODA_EARLY_TEST: '1' } },
      { ...launch, env: Object.fromEntries(Object.entries(launch.env).slice(1)) },
      { ...launch, execArgv: [...launch.execArgv, '--max-old-space-size=512'] },
      { ...launch, cwd: tmpdir() },
      { ...launch, node: '/usr/bin/node-other' },
      // a kernel without the runner's stdin (the editor's launch)
      { ...launch, stdin: undefined },
    ];
    for (const other of differences) {
      assert.equal(sameFork(launch, other), false);
      const early = EarlyWorker.fork(['run', file], DIST)!;
      assert.ok(early);
      assert.equal(early.adopt(other), undefined);
      early.dispose();
    }
    const early = EarlyWorker.fork(['run', file], DIST)!;
    const child = early.adopt(plainLaunch(file));
    assert.ok(child?.pid);
    // once only, and disposing after the handover leaves the kernel's process alone
    assert.equal(early.adopt(plainLaunch(file)), undefined);
    early.dispose();
    assert.equal(child.killed, false);
    child.kill();
    await exited(child);
  });

  it('is killed when it is not taken', async () => {
    const early = EarlyWorker.fork(['run', notebook({})], DIST)!;
    const child = (early as unknown as { child: ChildProcess }).child;
    early.dispose();
    await exited(child);
    assert.equal(child.signalCode, 'SIGTERM');
  });
});
