/**
 * What a Node kernel loads before its first result (issue 17: the first result is waited for by every module loaded
 * at start). `node:crypto` alone costs 4–5 ms, so the worker takes its random ids when it first needs them and the
 * host names the kernel; the `.coda` parser (jsonc-parser), which the worker never calls, is not in its bundle.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KernelExit } from '../../../host/kernel/Kernel';
import { SHUTDOWN_GRACE_MS } from '../../../host/kernel/KernelProcess';
import { nodeBinaries, ROOT, sleep, startKernel, WORKER, type TestKernel } from '../helpers/testKernel';

/** A cell that leaves an 'exit' listener writing the exit code to a file; the file's path. */
async function exitListener(k: TestKernel): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'coda-exit-')), 'exit.txt');
  assert.equal((await k.run(`process.on('exit', (code) => require('fs').writeFileSync(${JSON.stringify(file)}, 'exit ' + code))`)).status, 'ok');
  return file;
}

/** Shuts the kernel down; how it exited. */
async function shutDown(k: TestKernel): Promise<KernelExit> {
  const exit = new Promise<KernelExit>((r) => k.kernel.onExit(r));
  await k.kernel.dispose();
  return exit;
}

const loadedAtStart = (modules: string[]) => `JSON.stringify(${JSON.stringify(modules)}.filter((m) => process.moduleLoadList.includes("NativeModule " + m)))`;

describe('a Node kernel’s start', function () {
  this.timeout(30_000);

  for (const node of nodeBinaries()) {
    it(`${node.name}: reaches its first result without node:crypto, which a cell still has`, async () => {
      const k = await startKernel({ nodePath: node.path });
      try {
        assert.equal(await k.value(loadedAtStart(['crypto', 'http', 'https', 'tls'])), '[]', 'loaded before any cell asked for it');
        assert.match(await k.value('require("node:crypto").randomUUID()'), /^[0-9a-f-]{36}$/);
        assert.equal(await k.value(loadedAtStart(['crypto'])), '["crypto"]', 'the check itself must see a loaded module');
      } finally {
        await k.kernel.dispose();
      }
    });
  }

  for (const node of nodeBinaries()) {
    // the watchdog thread starts after init and takes 20–30 ms to come online; Node's exit waits for a thread that is
    // still starting (8–15 ms at the end of a one-cell `coda run`), so such a shutdown ends the process itself
    it(`${node.name}: shut down while its watchdog thread still starts, ends at once, after the 'exit' listeners ran`, async () => {
      const k = await startKernel({ nodePath: node.path });
      const file = await exitListener(k);
      const info = await shutDown(k);
      assert.equal(readFileSync(file, 'utf8'), 'exit 0', "a cell's 'exit' listener ran, with the code");
      assert.equal(info.expected, true);
      assert.equal(info.signal, 'SIGKILL', 'ended by itself, not by Node’s teardown, which waits for the thread');
      assert.equal(info.reason, 'was stopped', 'as any shutdown');
    });

    it(`${node.name}: shut down early after a cell froze process.reallyExit, exits as Node exits, after the 'exit' listeners ran`, async () => {
      const k = await startKernel({ nodePath: node.path });
      const file = await exitListener(k);
      assert.equal(
        (await k.run(`Object.defineProperty(process, 'reallyExit', { value: process.reallyExit, writable: false, configurable: false })`)).status,
        'ok',
      );
      const info = await shutDown(k);
      assert.equal(readFileSync(file, 'utf8'), 'exit 0');
      assert.deepEqual([info.expected, info.code, info.signal, info.reason], [true, 0, null, 'was stopped']);
    });

    it(`${node.name}: shut down early after a cell gave process another pid, ends itself and no other process`, async () => {
      const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
      const k = await startKernel({ nodePath: node.path });
      try {
        const file = await exitListener(k);
        assert.equal((await k.run(`Object.defineProperty(process, 'pid', { value: ${bystander.pid}, configurable: true }); process.pid`)).status, 'ok');
        const info = await shutDown(k);
        assert.equal(readFileSync(file, 'utf8'), 'exit 0');
        assert.deepEqual([info.expected, info.signal], [true, 'SIGKILL']);
        await sleep(50);
        assert.deepEqual([bystander.exitCode, bystander.signalCode], [null, null], 'the process the cell named was killed');
      } finally {
        bystander.kill();
      }
    });

    it(`${node.name}: shut down early after a cell broke process._kill, exits as Node exits, after the 'exit' listeners ran`, async () => {
      const k = await startKernel({ nodePath: node.path });
      const file = await exitListener(k);
      assert.equal((await k.run(`process._kill = () => 0`)).status, 'ok');
      const info = await shutDown(k);
      assert.equal(readFileSync(file, 'utf8'), 'exit 0');
      assert.deepEqual([info.expected, info.code, info.signal, info.reason], [true, 0, null, 'was stopped']);
    });

    it(`${node.name}: shut down once its watchdog runs, ends itself after the 'exit' listeners ran (Node's exit waits for the watchdog's inspector session)`, async () => {
      const k = await startKernel({ nodePath: node.path });
      const file = await exitListener(k);
      // only the watchdog thread stops a loop: once this cell is interrupted, the thread runs
      const loop = k.run('while (true) {}');
      setTimeout(() => k.kernel.interrupt(), 100);
      assert.equal((await loop).status, 'interrupted');
      const info = await shutDown(k);
      assert.equal(readFileSync(file, 'utf8'), 'exit 0');
      assert.deepEqual([info.expected, info.signal, info.reason], [true, 'SIGKILL', 'was stopped']);
    });
  }

  for (const node of nodeBinaries()) {
    // the system's teardown of a killed Node process takes 5–6 ms, which every `coda run` and kernel restart waited for
    it(`${node.name}: its shutdown ends at the worker's last frame, sent once the 'exit' listeners ran; the process ends right after`, async () => {
      const k = await startKernel({ nodePath: node.path });
      const file = await exitListener(k);
      let finals = 0;
      let exited = false;
      k.kernel.onEvent('final', () => finals++);
      const exit = new Promise<KernelExit>((r) =>
        k.kernel.onExit((e) => {
          exited = true;
          r(e);
        }),
      );
      await k.kernel.dispose();
      assert.equal(finals, 1, 'the last frame came');
      assert.equal(readFileSync(file, 'utf8'), 'exit 0', "the 'exit' listeners ran before it");
      await k.kernel.dispose();
      const info = await exit;
      assert.ok(exited);
      assert.deepEqual([info.expected, info.signal, info.reason], [true, 'SIGKILL', 'was stopped']);
    });
  }

  it("a kernel whose 'exit' listener never returns sends no last frame: its shutdown waits, then kills it", async () => {
    const k = await startKernel();
    let finals = 0;
    k.kernel.onEvent('final', () => finals++);
    assert.equal((await k.run(`process.on('exit', () => { for (;;) {} })`)).status, 'ok');
    const exit = new Promise<KernelExit>((r) => k.kernel.onExit(r));
    const started = Date.now();
    await k.kernel.dispose();
    const info = await exit;
    assert.ok(Date.now() - started >= SHUTDOWN_GRACE_MS - 50, `killed after the grace period, not at once (${Date.now() - started} ms)`);
    assert.equal(finals, 0);
    assert.deepEqual([info.expected, info.signal], [true, 'SIGKILL']);
  });

  it('is named by the host: the id it is given is in its init reply and in the handles of its values', async () => {
    const k = await startKernel({ init: { kernelId: 'kernel-named-by-the-host' } });
    try {
      assert.equal(k.kernel.info.kernelId, 'kernel-named-by-the-host');
      const r = await k.run('({ a: { b: 1 } })');
      assert.equal(r.status, 'ok');
      const handle = r.status === 'ok' && r.value?.type === 'object' ? r.value.handle : undefined;
      assert.equal(handle?.kernelId, 'kernel-named-by-the-host');
    } finally {
      await k.kernel.dispose();
    }
  });

  it('kernels started without an id are each given their own by the host', async () => {
    const [a, b] = await Promise.all([startKernel(), startKernel()]);
    try {
      assert.match(a.kernel.info.kernelId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.notEqual(a.kernel.info.kernelId, b.kernel.info.kernelId);
    } finally {
      await Promise.all([a.kernel.dispose(), b.kernel.dispose()]);
    }
  });

  it('the worker bundle leaves out the .coda parser (jsonc-parser), which the extension bundle keeps', () => {
    // a message of jsonc-parser's printParseErrorCode: a string, so minification keeps it where the parser is bundled
    const marker = 'InvalidCommentToken';
    assert.ok(readFileSync(join(ROOT, 'dist', 'extension-main.js'), 'utf8').includes(marker), 'the marker must be findable');
    assert.ok(!readFileSync(WORKER, 'utf8').includes(marker), 'jsonc-parser is bundled into the worker');
  });
});
