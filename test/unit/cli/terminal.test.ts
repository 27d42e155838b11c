/**
 * `coda run` in a terminal. Ctrl-C: the terminal sends SIGINT to every process of the foreground group, the runner's
 * kernel (and a Deno or Bun sidecar) included. These tests start `coda run` as the leader of a group of its own and
 * signal the whole group, as a terminal does; signalling the runner alone would miss the kernel's own reaction. A
 * pipe whose reader goes (`coda run nb.coda | head`).
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRuntimes, runtimeBinary, toolsDir } from '../../runtimeBinaries';
import type { FetchableRuntime } from '../../../host/runtimes/runtimeStore';
import { ROOT } from '../helpers/testKernel';

const CLI = join(ROOT, 'dist', 'cli.js');
/** How long the first cell runs before the Ctrl-C: long enough that it is inside its loop. */
const RUNNING_MS = 700;

function notebook(...cells: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'coda-ctrl-c-')), 'n.coda');
  writeFileSync(file, JSON.stringify({ coda: 1, metadata: {}, cells: cells.map((c) => ({ kind: 'code', language: 'javascript', source: c.split('\n') })) }));
  return file;
}

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Whether a process of the group `pgid` is still there 5 s after its leader (the runner) exited: the kernel is the
 * runner's child and must be gone by then. What is left is killed.
 */
async function leftBehind(pgid: number): Promise<boolean> {
  for (let i = 0; i < 50 && groupAlive(pgid); i++) await new Promise((r) => setTimeout(r, 100));
  if (!groupAlive(pgid)) return false;
  process.kill(-pgid, 'SIGKILL');
  return true;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Whether a process of the run's group was still there a while after the runner exited. */
  leftBehind: boolean;
}

/**
 * Runs `coda run --keep-going` on `cells` as a group leader and sends SIGINT to the whole group once per entry of
 * `presses` (ms after the first cell's header, or after the previous press).
 */
function ctrlC(runtime: string, cells: string[], presses: number[] = [RUNNING_MS]): Promise<Run> {
  const child = spawn(process.execPath, [CLI, 'run', '--runtime', runtime, '--keep-going', notebook(...cells)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', CODA_RUNTIMES_DIR: toolsDir() },
  });
  const pgid = child.pid!;
  let stdout = '';
  let stderr = '';
  let pressing = false;
  const press = async () => {
    for (const wait of presses) {
      await new Promise((r) => setTimeout(r, wait));
      if (groupAlive(pgid)) process.kill(-pgid, 'SIGINT');
    }
  };
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    if (!pressing && stdout.includes('── cell [1]')) {
      pressing = true;
      void press();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const guard = setTimeout(() => groupAlive(pgid) && process.kill(-pgid, 'SIGKILL'), 40_000);
  return new Promise((resolve) =>
    child.on('close', async (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr, leftBehind: await leftBehind(pgid) });
    }),
  );
}

const KEEPS_STATE = /\[1\] interrupted[\s\S]*\[2\] ran/;

describe('Ctrl-C in a terminal during coda run', function () {
  this.timeout(60_000);
  before(function () {
    if (process.platform === 'win32') this.skip();
  });

  it('interrupts a synchronous loop in the running cell and keeps the kernel: the next cell sees its variables', async () => {
    const r = await ctrlC('node', ['let x = 1\nwhile (true) {}', 'x + 1']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /interrupting the running cell \(Ctrl-C again to quit\)/);
    assert.match(r.stdout, /Interrupted\n── cell \[2\] x \+ 1\n→ 2\n/);
    assert.match(r.stdout, KEEPS_STATE);
    assert.doesNotMatch(r.stdout, /fresh kernel|killed by SIGINT/);
    assert.equal(r.leftBehind, false);
  });

  it('interrupts a loop of awaits and a cell waiting on a promise that never settles, state kept', async () => {
    for (const loop of ['for (;;) await null', 'await new Promise(() => {})']) {
      const r = await ctrlC('node', [`const seen = ['before']\n${loop}`, 'seen.concat("after").join()']);
      assert.equal(r.code, 1, loop + r.stdout + r.stderr);
      assert.match(r.stdout, /→ 'before,after'/, loop);
      assert.match(r.stdout, KEEPS_STATE, loop);
    }
  });

  it("leaves a cell's own SIGINT listener in place: it hears the Ctrl-C, as a script in a terminal would", async () => {
    const r = await ctrlC('node', [
      'let heard = 0\nprocess.on("SIGINT", () => heard++)\nwhile (true) {}',
      'await new Promise((r) => setTimeout(r, 100))\nheard',
    ]);
    assert.match(r.stdout, /→ 1\n/, r.stdout + r.stderr);
    assert.match(r.stdout, KEEPS_STATE);
  });

  it('a second Ctrl-C ends the run (exit 130) and takes the kernel with it', async () => {
    // the first press interrupts the first cell; the second, 0.4 s later (two signals sent at once may arrive as one),
    // comes while the next cell holds its thread, and quits
    const r = await ctrlC('node', ['let x = 1\nprocess.on("SIGINT", () => {})\nwhile (true) {}\n', 'while (true) {}'], [RUNNING_MS, 400]);
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.equal(r.leftBehind, false, 'a kernel process outlived the run');
  });

  describe('on the other runtimes', () => {
    /** The runtime, what has to be fetched for it, the test's name, and a first cell it can interrupt. */
    const runtimes: [string, FetchableRuntime, string, string][] = [
      ['sandbox', 'isolated-vm', 'the sandbox: a synchronous loop is interrupted and the kernel kept', 'while (true) {}'],
      ['deno', 'deno', 'Deno: the sidecar running the cells survives the signal too; a synchronous loop is interrupted, state kept', 'while (true) {}'],
      ['bun', 'bun', 'Bun: a cell waiting on a promise is interrupted, state kept (Bun cannot stop a synchronous loop)', 'await new Promise(() => {})'],
    ];
    for (const [runtime, fetched, title, loop] of runtimes) {
      it(title, async function () {
        if (!runtimeBinary(fetched)) return requireRuntimes ? assert.fail(`${fetched} must be fetched`) : this.skip();
        const r = await ctrlC(runtime, [`let x = 1\n${loop}`, 'x + 1']);
        assert.match(r.stdout, /→ 2\n/, r.stdout + r.stderr);
        assert.match(r.stdout, KEEPS_STATE);
        assert.doesNotMatch(r.stdout, /fresh kernel|killed by SIGINT/);
        assert.equal(r.leftBehind, false);
      });
    }
  });
});

describe('coda run into a pipe whose reader goes (coda run nb.coda | head)', function () {
  this.timeout(30_000);

  it('stops quietly, as SIGPIPE stops a program: exit 141, no stack trace, the kernel gone', async () => {
    const file = notebook('for (let i = 0; ; i++) {\n  console.log("line", i)\n  await new Promise((r) => setTimeout(r, 1))\n}');
    const child = spawn(process.execPath, [CLI, 'run', file], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const pgid = child.pid!;
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    // the reader takes a few lines, then goes, as `head` does
    let seen = 0;
    child.stdout.on('data', (c: Buffer) => {
      seen += c.length;
      if (seen > 200) child.stdout.destroy();
    });
    const guard = setTimeout(() => groupAlive(pgid) && process.kill(-pgid, 'SIGKILL'), 20_000);
    const code = await new Promise<number | null>((r) => child.on('close', r));
    clearTimeout(guard);
    assert.equal(code, 141, stderr);
    assert.doesNotMatch(stderr, /EPIPE|Error|at /, 'no stack trace on stderr');
    assert.equal(await leftBehind(pgid), false, 'a kernel process outlived the run');
  });
});
