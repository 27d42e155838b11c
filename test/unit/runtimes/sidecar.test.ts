/**
 * Deno and Bun kernels: a real worker (dist/worker.js) starts the runtime as a sidecar running
 * dist/sidecar-agent.mjs. Each case checks what a notebook user sees.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecuteResult, InitParams, Permissions, SerializedError } from '../../../protocol';
import type { KernelExit } from '../../../host/kernel/Kernel';
import { requireRuntimes, runtimeBinary } from '../../runtimeBinaries';
import { CLAIMED_WAIT_MS } from '../../../worker/sidecar/agentSyncPart';
import { nextExecutionId, packageFixture, sleep, startKernel, type TestKernel } from '../helpers/testKernel';

/** Generous bound that proves an interrupt happened at all. */
const STOPPED_WITHIN_MS = 8000;

type Kind = 'deno' | 'bun';

function binaryOf(kind: Kind): string | undefined {
  return runtimeBinary(kind);
}

async function start(kind: Kind, init: Partial<InitParams> = {}, cwd?: string): Promise<TestKernel> {
  return startKernel({ cwd, init: { runtime: kind, runtimePath: binaryOf(kind), ...init } });
}

function errorOf(r: ExecuteResult): SerializedError {
  assert.equal(r.status, 'error', JSON.stringify(r));
  return (r as { error: SerializedError }).error;
}

async function interruptAfter(k: TestKernel, code: string, delayMs = 300): Promise<string> {
  const running = k.run(code).then(
    (r) => r.status,
    (err: Error) => `kernel exited: ${err.message}`,
  );
  await sleep(delayMs);
  k.kernel.interrupt();
  return Promise.race([running, sleep(STOPPED_WITHIN_MS).then(() => 'still running')]);
}

function exitOf(k: TestKernel): Promise<KernelExit> {
  return new Promise((resolve) => k.kernel.onExit(resolve));
}

/** Whether a process still runs (a zombie left for init to reap counts as gone). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/**
 * A notebook's store as the installer leaves it (host/deps/sharedTree.ts): `<cache>/stores/<key>/node_modules` links
 * `../../trees/<tree>/node_modules`, where a package requires its own dependency. Returns the store's node_modules.
 */
function sharedTreeStore(): string {
  const cache = mkdtempSync(join(tmpdir(), 'coda-tree-store-'));
  const tree = join(cache, 'trees', 'k', 'node_modules');
  for (const [name, main, deps] of [
    ['uses-dep', 'module.exports = "via " + require("dep-of-tree");', { 'dep-of-tree': '1.0.0' }],
    ['dep-of-tree', 'module.exports = "the tree";', {}],
  ] as const) {
    mkdirSync(join(tree, name), { recursive: true });
    writeFileSync(join(tree, name, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js', dependencies: deps }));
    writeFileSync(join(tree, name, 'index.js'), main);
  }
  mkdirSync(join(cache, 'stores', 's'), { recursive: true });
  symlinkSync('../../trees/k/node_modules', join(cache, 'stores', 's', 'node_modules'));
  return join(cache, 'stores', 's', 'node_modules');
}

for (const kind of ['deno', 'bun'] as const) {
  describe(`sidecar runtime: ${kind}`, function () {
    this.timeout(60_000);
    const kernels: TestKernel[] = [];
    const track = async (p: Promise<TestKernel>) => {
      const k = await p;
      kernels.push(k);
      return k;
    };
    let k: TestKernel;

    before(async function () {
      if (!binaryOf(kind)) {
        if (requireRuntimes) throw new Error(`${kind} is not in the runtime store: run \`coda runtimes fetch\``);
        this.skip();
      }
      k = await track(start(kind));
    });
    after(async () => {
      for (const kernel of kernels) await kernel.kernel.dispose();
    });

    it('reports the runtime and its version', () => {
      assert.equal(k.kernel.info.runtime, kind);
      assert.match(k.kernel.info.runtimeVersion, new RegExp(`^${kind} \\d+\\.\\d+\\.\\d+`));
    });

    it('keeps state across cells and re-runs const declarations', async () => {
      await k.run('const x = 1; let y = 2; function f() { return x + y }');
      assert.equal(await k.value('f()'), '3');
      await k.run('const x = 10');
      assert.equal(await k.value('x + y'), '12');
    });

    it('runs top-level await', async () => {
      assert.equal(await k.value('const v = await new Promise((r) => setTimeout(() => r(42), 10)); v'), '42');
    });

    it('sends every console method with its cell and level', async () => {
      k.console.length = 0;
      await k.run(
        'console.log("a %s", "b"); console.warn("w"); console.error("e"); console.group("g"); console.info("in"); console.groupEnd(); console.table([{ c: 1 }]); console.count(); console.count()',
        { cellId: 'console-cell' },
      );
      await sleep(100);
      assert.ok(
        k.console.every((e) => e.cellId === 'console-cell'),
        JSON.stringify(k.console),
      );
      const seen = k.console.map((e) => [e.method, e.level, e.depth, e.text]);
      assert.deepEqual(seen.slice(0, 5), [
        ['log', 'log', 0, 'a b'],
        ['warn', 'warn', 0, 'w'],
        ['error', 'error', 0, 'e'],
        ['group', 'log', 0, 'g'],
        ['info', 'info', 1, 'in'],
      ]);
      assert.deepEqual(k.console[5]!.table?.columns, ['(index)', 'c']);
      assert.deepEqual(
        k.console.slice(6).map((e) => e.text),
        ['default: 1', 'default: 2'],
      );
    });

    it('turns raw stdout writes past the console into console entries of the cell', async () => {
      k.console.length = 0;
      const code =
        kind === 'deno'
          ? 'Deno.stdout.writeSync(new TextEncoder().encode("raw one\\nraw two\\n")); Deno.stderr.writeSync(new TextEncoder().encode("raw err\\n")); 1'
          : 'await Bun.write(Bun.stdout, "raw one\\nraw two\\n"); await Bun.write(Bun.stderr, "raw err\\n"); 1';
      const r = await k.run(code, { cellId: 'raw-cell' });
      assert.equal(r.status, 'ok', JSON.stringify(r));
      await sleep(300);
      const raw = k.console.filter((e) => e.text.startsWith('raw '));
      assert.deepEqual(raw.map((e) => [e.cellId, e.level, e.text]).sort(), [
        ['raw-cell', 'error', 'raw err'],
        ['raw-cell', 'log', 'raw one'],
        ['raw-cell', 'log', 'raw two'],
      ]);
      assert.equal(await k.value('"still speaking the protocol"'), 'still speaking the protocol');
    });

    if (kind === 'deno') {
      it("puts Deno's own download progress in the log, not in the cell's output", async () => {
        const logged: string[] = [];
        const d = await track(startKernel({ init: { runtime: 'deno', runtimePath: binaryOf('deno') }, log: (_level, message) => logged.push(message) }));
        // the lines Deno writes to its stderr while it fetches (coloured as it prints them), then the cell's own line
        const progress = [
          '\x1b[32mDownload\x1b[0m https://registry.npmjs.org/lodash',
          'Download https://jsr.io/@std/path/meta.json',
          '\x1b[32mInitialize\x1b[0m lodash@4.17.21',
        ];
        const code = `for (const l of ${JSON.stringify([...progress, 'Download complete: my own words'])}) Deno.stderr.writeSync(new TextEncoder().encode(l + "\\n")); 1`;
        assert.equal(await d.value(code), '1');
        await sleep(300);
        assert.deepEqual(
          d.console.map((e) => e.text),
          ['Download complete: my own words'],
        );
        for (const l of ['Download https://registry.npmjs.org/lodash', 'Download https://jsr.io/@std/path/meta.json', 'Initialize lodash@4.17.21']) {
          assert.ok(
            logged.some((m) => m.includes(l)),
            `${l} not in the log: ${logged.join(' | ')}`,
          );
        }
      });
    }

    it('imports a relative module with a ?query or #fragment (as cache-busting code does)', async () => {
      const cwd = mkdtempSync(join(tmpdir(), 'coda-query-'));
      writeFileSync(join(cwd, 'lib.mjs'), 'export const url = import.meta.url;');
      const q = await track(start(kind, {}, cwd));
      // Bun loads the file but leaves the query out of import.meta.url
      const query = (v: number) => (kind === 'bun' ? new RegExp(`/lib\\.mjs(\\?v=${v})?$`) : new RegExp(`/lib\\.mjs\\?v=${v}$`));
      assert.match(await q.value('(await import("./lib.mjs?v=2")).url'), query(2));
      assert.match(await q.value('(await import("./lib.mjs#part")).url'), /\/lib\.mjs(#part)?$/);
      assert.match(await q.value('import { url } from "./lib.mjs?v=3"; url'), query(3));
    });

    it('keeps a raw write without a newline, written just before a reply', async () => {
      k.console.length = 0;
      const code = kind === 'deno' ? 'Deno.stdout.writeSync(new TextEncoder().encode("no newline")); 7' : 'await Bun.write(Bun.stdout, "no newline"); 7';
      assert.equal(await k.value(code), '7');
      await sleep(200);
      assert.deepEqual(
        k.console.filter((e) => e.text.includes('newline')).map((e) => e.text),
        ['no newline'],
      );
    });

    it('maps a thrown error to the cell line, without the agent in the stack', async () => {
      const e = errorOf(await k.run('const ok = 1;\nfunction boom() {\n  throw new RangeError("nope");\n}\nboom()', { cellId: 'err-cell' }));
      assert.equal(e.name, 'RangeError');
      assert.equal(e.message, 'nope');
      assert.deepEqual([e.location?.cellId, e.location?.line], ['err-cell', 3]);
      assert.ok(!/sidecar-agent|worker[\\/]node/.test(e.stack ?? ''), e.stack);
      const late = errorOf(await k.run('async function later() {\n  await null;\n  throw new Error("late");\n}\nawait later()', { cellId: 'late-cell' }));
      assert.deepEqual(
        late.frames?.filter((f) => f.cellId === 'late-cell').map((f) => f.line),
        [3, 5],
        late.stack,
      );
    });

    it('runs a TypeScript cell', async () => {
      const r = await k.run('interface P { x: number }\nconst p: P = { x: 21 };\np.x * 2', { language: 'typescript' });
      assert.ok(r.status === 'ok' && r.value?.type === 'number' && r.value.text === '42', JSON.stringify(r));
    });

    it('shows display() output', async () => {
      const shown = k.waitFor('display');
      await k.run('display.html("<b>hi</b>")');
      assert.deepEqual(
        (await shown).data.map((x) => [x.mime, x.data]),
        [['text/html', '<b>hi</b>']],
      );
    });

    it('imports packages from the notebook folder, the dependency store and relative files', async () => {
      const fixture = packageFixture();
      const nb = await track(start(kind, {}, fixture));
      assert.equal(await nb.value('import { kind as k1, add } from "cjs-pkg"; `${k1} ${add(2, 3)}`'), 'cjs 5');
      assert.equal(await nb.value('import twice, { kind as k2 } from "esm-only"; `${k2} ${twice(4)}`'), 'esm 8');
      assert.equal(await nb.value('import { local } from "./local.mjs"; local'), 'relative import');
      assert.equal(await nb.value('import { join } from "node:path"; join("a", "b")'), 'a/b');
      const scoped = join(fixture, 'node_modules', '@scope', 'cond-pkg');
      mkdirSync(join(scoped, 'lib'), { recursive: true });
      writeFileSync(
        join(scoped, 'package.json'),
        JSON.stringify({
          name: '@scope/cond-pkg',
          type: 'module',
          exports: { '.': { deno: './deno.js', bun: './bun.js', default: './other.js' }, './feature/*': './lib/*.js' },
        }),
      );
      for (const f of ['deno', 'bun', 'other']) writeFileSync(join(scoped, `${f}.js`), `export default ${JSON.stringify(f)}`);
      writeFileSync(join(scoped, 'lib', 'x.js'), 'export const feature = "x"');
      assert.equal(await nb.value('import which from "@scope/cond-pkg"; which'), kind);
      assert.equal(await nb.value('import { feature } from "@scope/cond-pkg/feature/x"; feature'), 'x');
      const elsewhere = await track(startKernel({ modulePaths: [join(fixture, 'node_modules')], init: { runtime: kind, runtimePath: binaryOf(kind) } }));
      assert.equal(await elsewhere.value('import { kind } from "esm-only"; kind'), 'esm');
      const linked = await track(startKernel({ modulePaths: [sharedTreeStore()], init: { runtime: kind, runtimePath: binaryOf(kind) } }));
      assert.equal(await linked.value('import used from "uses-dep"; used'), 'via the tree', 'a store linked to a shared tree');
      if (kind === 'bun') {
        const e = errorOf(await elsewhere.run('import x from "no-such-package-anywhere"'));
        assert.match(e.message, /Cannot find package 'no-such-package-anywhere'/);
      }
    });

    if (kind === 'bun') {
      it("imports Bun's own modules (bun, bun:sqlite, bun:test) statically, dynamically and by require; import.meta has Bun's path, dir and file", async () => {
        const fixture = packageFixture();
        const nb = await track(start(kind, {}, fixture));
        // they were sent to Node's built-ins: "No such built-in module: node:bun:sqlite"
        assert.equal(await nb.value('import { Database } from "bun:sqlite"; new Database(":memory:").query("select 1 + 1 as two").get().two'), '2');
        assert.equal(await nb.value('import { $ } from "bun"; typeof $'), 'function');
        assert.equal(await nb.value('typeof (await import("bun")).file'), 'function');
        assert.equal(await nb.value('typeof require("bun:sqlite").Database'), 'function');
        assert.equal(await nb.value('import { expect } from "bun:test"; typeof expect'), 'function');
        const documentPath = join(fixture, 'test.coda');
        writeFileSync(documentPath, '{}');
        assert.equal(await nb.value('import.meta.path'), documentPath);
        assert.equal(await nb.value('[import.meta.dir === import.meta.dirname, import.meta.file]'), "[ true, 'test.coda' ]");
        assert.equal(await nb.value('await Bun.file(import.meta.path).exists()'), 'true');
      });
    }

    it('interrupts a hung await and keeps the variables', async () => {
      await k.run('const kept = "yes"');
      assert.equal(await interruptAfter(k, 'await new Promise(() => {})'), 'interrupted');
      assert.equal(await k.value('kept'), 'yes');
    });

    it('interrupts an async loop and keeps the variables', async () => {
      await k.run('const kept2 = "yes"');
      assert.equal(await interruptAfter(k, 'for (;;) { await new Promise((r) => setTimeout(r, 1)) }'), 'interrupted');
      assert.equal(await k.value('kept2'), 'yes');
    });

    if (kind === 'deno') {
      it('interrupts while(true){} and keeps the variables', async () => {
        await k.run('const kept3 = "yes"');
        assert.equal(await interruptAfter(k, 'while (true) {}'), 'interrupted');
        assert.equal(await k.value('kept3'), 'yes');
        assert.equal(await interruptAfter(k, 'let spins = 0; while (true) { spins++ }'), 'interrupted');
        assert.equal(await k.value('kept3 + (spins > 0)'), 'yestrue');
      });

      it('an interrupt that meets a synchronous part as it ends never ends the kernel: each cell is ok or interrupted, the variables kept', async () => {
        // the claims on a cell's synchronous part (worker/sidecar/SyncClaims.ts) decide every race of an interrupt
        // with the part's end: cells that spin 0–6 ms, interrupted 0–6 ms after they were sent, so the interrupt
        // comes before the cell starts, while it runs, as it ends and after (a termination that landed after the
        // cell's macrotask ended Deno: "Uncaught null", within 60 such cells)
        await k.run('const kept5 = "yes"; globalThis.spin = (ms) => { const t = Date.now() + ms; while (Date.now() < t) {} }');
        const seen = new Set<string>();
        for (let i = 0; i < 80; i++) {
          const running = k.run(`spin(${i % 7}); ${i}`);
          await sleep((i * 5) % 7);
          k.kernel.interrupt();
          const r = await Promise.race([running, sleep(STOPPED_WITHIN_MS).then(() => undefined)]);
          assert.ok(r && (r.status === 'ok' || r.status === 'interrupted'), `cell ${i}: ${JSON.stringify(r)}`);
          seen.add(r.status);
        }
        assert.ok(k.kernel.alive);
        assert.equal(await k.value('kept5'), 'yes');
        assert.deepEqual([...seen].sort(), ['interrupted', 'ok'], 'both outcomes were met');
        // a loop after an await is no synchronous part: the inspector finds it
        assert.equal(await interruptAfter(k, 'await null; while (true) {}'), 'interrupted');
        assert.equal(await interruptAfter(k, 'await new Promise((r) => setTimeout(r, 5)); spin(1); while (true) {}'), 'interrupted');
        assert.equal(await k.value('kept5'), 'yes');
      });

      it('a cell that claims the next cells’ synchronous parts itself only delays them; interrupts still stop loops; the folder goes with the kernel', async () => {
        // the kernel gets a temporary folder of its own, so that the claims folders other kernels make meanwhile (test
        // files run in parallel) are not counted as its own
        const ownTmp = mkdtempSync(join(tmpdir(), 'coda-claims-test-'));
        const savedTmp = process.env.TMPDIR;
        process.env.TMPDIR = ownTmp;
        let d: TestKernel;
        try {
          d = await track(start(kind));
        } finally {
          if (savedTmp === undefined) delete process.env.TMPDIR;
          else process.env.TMPDIR = savedTmp;
        }
        const mine = readdirSync(ownTmp).filter((n) => n.startsWith('coda-claims-'));
        assert.equal(mine.length, 1, 'the kernel made one claims folder');
        await d.run('const kept6 = "yes"');
        // user code finds the kernel's claims folder and makes the folders of the next executions' claims (a few hundred:
        // thousands made the kernel's removal of the folder at its exit outlast the host's shutdown grace on a busy machine)
        const next = nextExecutionId() + 1;
        const made = await d.value(
          `import { mkdirSync } from "node:fs"; let made = 0; ` +
            `for (let id = ${next}; id < ${next + 300}; id++) { try { mkdirSync(${JSON.stringify(join(ownTmp, mine[0]!))} + "/" + id); made++ } catch {} } made > 0`,
        );
        assert.equal(made, 'true');
        const t = Date.now();
        assert.equal(await d.value('kept6 + 1'), 'yes1');
        // the agent found its claim taken and waited, in its own macrotask, for a termination nobody sent
        assert.ok(Date.now() - t >= CLAIMED_WAIT_MS / 2, `the next cell was delayed (${Date.now() - t} ms)`);
        assert.equal(await interruptAfter(d, 'while (true) {}'), 'interrupted');
        assert.equal(await d.value('kept6'), 'yes');
        assert.ok(d.kernel.alive);
        await d.kernel.dispose();
        assert.equal(existsSync(join(ownTmp, mine[0]!)), false, 'the claims folder is removed as the kernel stops');
        rmSync(ownTmp, { recursive: true, force: true });
      });

      it('stops a loop of awaits at its next turn, without terminating: a try around the loop catches the stop, and the cell is still interrupted', async () => {
        await k.run('const kept4 = "yes"; globalThis.caught = []');
        // each turn of a stopped loop throws the stop (worker/runtime/loopStop.ts), before the turn's own try
        assert.equal(await interruptAfter(k, 'for (;;) { try { await null } catch (e) { caught.push(e.name) } }'), 'interrupted');
        // nor does it run catch or finally: the stop does, and a cell that catches it and ends is still interrupted
        assert.equal(await interruptAfter(k, 'try { for (;;) await null } catch (e) { caught.push(e.name) }'), 'interrupted');
        assert.equal(await interruptAfter(k, 'while (true) { try { await null } finally { globalThis.turns = (globalThis.turns ?? 0) + 1 } }'), 'interrupted');
        assert.equal(await interruptAfter(k, 'let n = 0; do { await null } while (++n)'), 'interrupted');
        assert.equal(await interruptAfter(k, 'for await (const x of (async function* () { for (;;) yield 1 })()) {}'), 'interrupted');
        assert.equal(await k.value('kept4 + (turns > 0) + caught.join()'), 'yestrueInterrupted');
        assert.ok(k.kernel.alive);
      });

      it('a loop of awaits in work the cell did not await stops with the cell, unreported; another cell’s loop goes on', async () => {
        k.events.length = 0;
        await k.run('globalThis.ticks = 0; (async () => { for (;;) { ticks++; await new Promise((r) => setTimeout(r, 5)) } })(); 1');
        assert.equal(await interruptAfter(k, '(async () => { for (;;) await null })(); await new Promise(() => {})'), 'interrupted');
        const before = Number(await k.value('ticks'));
        await sleep(100);
        assert.ok(Number(await k.value('ticks')) > before, 'the earlier cell’s loop still turns');
        assert.deepEqual(
          k.events.filter((e) => e.name === 'uncaught'),
          [],
          'the stopped loop is no uncaught error',
        );
        assert.equal(await k.value('globalThis.ticks > 0'), 'true');
      });

      it('an interrupted cell that ends later leaves alone the timers of the same cell run again', async () => {
        const first = k.run('await new Promise((r) => (globalThis.release = r))', { cellId: 'again' });
        await sleep(300);
        k.kernel.interrupt();
        assert.equal((await first).status, 'interrupted');
        await k.run('globalThis.ticks2 = 0; setInterval(() => ticks2++, 5); 1', { cellId: 'again' });
        await k.run('release()', { cellId: 'other' });
        const before = Number(await k.value('ticks2'));
        await sleep(100);
        assert.ok(Number(await k.value('ticks2')) > before, 'the interval of the cell run again still ticks');
      });

      it('ends the kernel with the reason when an interrupt lands in a timer callback', async () => {
        const d = await track(start(kind));
        const exit = exitOf(d);
        const outcome = await interruptAfter(d, 'setTimeout(() => { for (;;) {} }, 10); await new Promise(() => {})');
        assert.match(outcome, /^kernel exited: .*Deno does not survive an interrupt inside a timer callback/);
        assert.match(
          (await exit).reason,
          /^was stopped by the interrupt: Deno does not survive an interrupt inside a timer callback \(the Deno process exited with code 1 \("error: Uncaught null"\)\), so its variables are lost$/,
        );
      });

      it('passes the heap limit to Deno and says when a cell runs out of memory', async () => {
        const d = await track(startKernel({ execArgv: ['--max-old-space-size=64'], init: { runtime: kind, runtimePath: binaryOf(kind) } }));
        const exit = exitOf(d);
        const r = await d.run('const keep = []; for (;;) keep.push(new Array(1e5).fill(1))', { cellId: 'oom-cell' }).then(
          (x) => x.status,
          (err: Error) => err.message,
        );
        assert.match(r, /ran out of memory in Deno \(heap limit 64 MB; raise coda\.maxMemoryMb\)/);
        const ended = await exit;
        assert.match(ended.reason, /^ran out of memory in Deno \(heap limit 64 MB/);
        assert.equal(ended.cellId, 'oom-cell');
      });
    } else {
      it('ends the kernel with the reason when while(true){} is interrupted, and a new kernel works', async () => {
        const b = await track(start(kind));
        await b.run('const kept3 = "yes"');
        const exit = exitOf(b);
        const outcome = await interruptAfter(b, 'while (true) {}');
        assert.match(outcome, /^kernel exited: .*Bun cannot stop running JavaScript/);
        const { reason } = await exit;
        assert.match(
          reason,
          /^was restarted: Bun cannot stop running JavaScript, so the kernel was stopped while cell \[\d+\] ran and its variables are lost$/,
        );
        const fresh = await track(start(kind));
        assert.equal(await fresh.value('typeof kept3'), 'undefined');
      });
    }

    it('never outlives its worker', async () => {
      const w = await track(start(kind));
      const sidecar = Number(await w.value('process.pid'));
      assert.notEqual(sidecar, w.kernel.info.pid);
      assert.ok(running(sidecar));
      process.kill(w.kernel.info.pid, 'SIGKILL');
      for (let i = 0; i < 100 && running(sidecar); i++) await sleep(100);
      assert.ok(!running(sidecar), `the ${kind} sidecar ${sidecar} is still running`);
    });

    it('reports process.exit() in a cell as the reason the kernel ended', async () => {
      const e = await track(start(kind));
      const exit = exitOf(e);
      const r = await e.run('console.log("bye"); process.exit(3)', { cellId: 'exit-cell' }).then(
        (x) => x.status,
        (err: Error) => err.message,
      );
      assert.match(r, /process\.exit\(3\) was called/);
      const ended = await exit;
      assert.match(ended.reason, /^ended: process\.exit\(3\) was called/);
      assert.equal(ended.cellId, 'exit-cell');
      assert.ok(
        e.console.some((c) => c.text === 'bye'),
        'output before the exit is kept',
      );
    });

    it('says clearly when the binary is missing', async () => {
      await assert.rejects(
        start(kind, { runtimePath: join(tmpdir(), 'no-such-runtime-binary') }),
        new RegExp(`no-such-runtime-binary does not exist: set "coda.${kind}Path" or run "CodaJS: Install Runtime"`),
      );
      await assert.rejects(startKernel({ init: { runtime: kind } }), new RegExp(`needs the ${kind === 'deno' ? 'Deno' : 'Bun'} binary`));
      const notABinary = join(mkdtempSync(join(tmpdir(), 'coda-bin-')), kind);
      writeFileSync(notABinary, 'not a program');
      await assert.rejects(
        start(kind, { runtimePath: notABinary }),
        new RegExp(`Could not start ${kind === 'deno' ? 'Deno' : 'Bun'} \\(${notABinary}\\): spawn ${notABinary} EACCES`),
      );
    });
  });
}

describe('sidecar runtime: Bun refuses permissions', function () {
  this.timeout(30_000);
  it('does not start a Bun kernel for a notebook that declares permissions', async function () {
    const bun = runtimeBinary('bun');
    if (!bun && !requireRuntimes) this.skip();
    await assert.rejects(
      startKernel({ init: { runtime: 'bun', runtimePath: bun, permissions: { net: ['example.com'] } } }),
      /Bun cannot enforce permissions, so a Bun kernel does not run a notebook that declares them\. Use the Node\.js, Deno or Sandbox kernel, or remove the notebook's permissions\./,
    );
  });
});

describe('sidecar runtime: Deno permissions', function () {
  this.timeout(60_000);
  const kernels: TestKernel[] = [];
  let server: Server;
  let port: number;
  let folder: string;

  before(async function () {
    if (!runtimeBinary('deno')) {
      if (requireRuntimes) throw new Error('deno is not in the runtime store: run `coda runtimes fetch`');
      this.skip();
    }
    server = createServer((_, res) => res.end('hello from the test server'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    folder = mkdtempSync(join(tmpdir(), 'coda-deno-perm-'));
    mkdirSync(join(folder, 'data'));
    writeFileSync(join(folder, 'data', 'in.txt'), 'granted file');
    writeFileSync(join(folder, 'secret.txt'), 'not granted');
  });
  after(async () => {
    for (const k of kernels) await k.kernel.dispose();
    server?.close();
  });

  async function deno(permissions: Permissions, env?: Record<string, string>): Promise<TestKernel> {
    const k = await startKernel({
      cwd: folder,
      init: { runtime: 'deno', runtimePath: runtimeBinary('deno'), permissions, env, maskedValues: env ? Object.values(env) : undefined },
    });
    kernels.push(k);
    return k;
  }

  function assertDenied(r: ExecuteResult, capability: string, target: string | RegExp) {
    const e = errorOf(r);
    assert.equal(e.name, 'PermissionDenied', JSON.stringify(e));
    assert.equal(e.props?.capability, capability);
    if (typeof target === 'string') assert.equal(e.props?.target, target);
    else assert.match(e.props!.target!, target);
    assert.match(e.message, new RegExp(`This notebook was not granted "${capability}"`));
  }

  it('denies and grants network access', async () => {
    const k = await deno({ net: [`127.0.0.1:${port}`] });
    assert.equal(await k.value(`await (await fetch("http://127.0.0.1:${port}/")).text()`), 'hello from the test server');
    assertDenied(await k.run(`await fetch("http://localhost:${port}/")`), 'net', `localhost:${port}`);
  });

  it('denies and grants reading files, relative to the notebook folder', async () => {
    const k = await deno({ read: ['data'] });
    assert.equal(await k.value('import { readFileSync } from "node:fs"; readFileSync("data/in.txt", "utf8")'), 'granted file');
    assertDenied(await k.run('readFileSync("secret.txt", "utf8")'), 'read', join(folder, 'secret.txt'));
  });

  it('denies and grants writing files', async () => {
    const k = await deno({ write: ['data'] });
    await k.run(`import { writeFileSync } from "node:fs"; writeFileSync(${JSON.stringify(join(folder, 'data', 'out.txt'))}, "written")`);
    assert.equal(readFileSync(join(folder, 'data', 'out.txt'), 'utf8'), 'written');
    assertDenied(await k.run(`writeFileSync(${JSON.stringify(join(folder, 'out.txt'))}, "no")`), 'write', join(folder, 'out.txt'));
  });

  it('denies and grants environment variables; secrets stay readable', async () => {
    const k = await deno({ env: ['CODA_GRANTED_VAR'] }, { API_TOKEN: 'tok-123456' });
    assert.equal(await k.value('String(process.env.CODA_GRANTED_VAR)'), 'undefined');
    assert.equal(await k.value('process.env.API_TOKEN.length'), '10');
    assertDenied(await k.run('process.env.HOME'), 'env', 'HOME');
    assertDenied(await k.run('Deno.env.get("PATH")'), 'env', 'PATH');
  });

  it('denies and grants running programs', async () => {
    const k = await deno({ run: ['true'] });
    assert.equal(await k.value('new Deno.Command("true").outputSync().code'), '0');
    assertDenied(await k.run('new Deno.Command("ls").outputSync()'), 'run', 'ls');
    // node:child_process copies the whole environment for the child: under Deno it needs "env": ["*"] too
    assertDenied(await k.run('import { execFileSync } from "node:child_process"; execFileSync("true")'), 'env', '*');
  });

  it('still imports packages (and TypeScript) when nothing is granted', async () => {
    const fixture = packageFixture();
    const k = await startKernel({ cwd: fixture, init: { runtime: 'deno', runtimePath: runtimeBinary('deno'), permissions: {} } });
    kernels.push(k);
    assert.equal(await k.value('import { add } from "cjs-pkg"; import twice from "esm-only"; twice(add(1, 2))'), '6');
    const r = await k.run('const n: number = 2;\nn * 3', { language: 'typescript' });
    assert.ok(r.status === 'ok' && r.value?.type === 'number' && r.value.text === '6', JSON.stringify(r));
    assertDenied(await k.run('import { readFileSync } from "node:fs"; readFileSync("local.mjs", "utf8")'), 'read', join(fixture, 'local.mjs'));
  });

  it('imports packages from a store whose node_modules links a shared tree (host/deps/sharedTree.ts), with nothing granted', async () => {
    const k = await startKernel({
      cwd: folder,
      modulePaths: [sharedTreeStore()],
      init: { runtime: 'deno', runtimePath: runtimeBinary('deno'), permissions: {} },
    });
    kernels.push(k);
    assert.equal(await k.value('import used from "uses-dep"; used'), 'via the tree');
    assertDenied(
      await k.run(`import { readFileSync } from "node:fs"; readFileSync(${JSON.stringify(join(folder, 'secret.txt'))}, "utf8")`),
      'read',
      join(folder, 'secret.txt'),
    );
  });

  it('interrupts while(true){} and keeps the variables with nothing granted (the inspector says where Deno is)', async () => {
    const k = await deno({});
    await k.run('const kept = "yes"');
    assert.equal(await interruptAfter(k, 'while (true) {}'), 'interrupted');
    assert.equal(await k.value('kept'), 'yes');
    // a declared notebook gets no claims folder: it would need a write grant
    assertDenied(await k.run(`import { mkdirSync } from "node:fs"; mkdirSync(${JSON.stringify(join(tmpdir(), 'coda-claims-x'))})`), 'write', /coda-claims-x$/);
  });

  it('reports a denial in background work as an uncaught PermissionDenied', async () => {
    const k = await deno({});
    const uncaught = k.waitFor('uncaught', undefined, 8000);
    await k.run(`setTimeout(() => { Deno.readTextFileSync(${JSON.stringify(join(folder, 'secret.txt'))}) }, 10); "scheduled"`);
    const body = await uncaught;
    assert.equal(body.error.name, 'PermissionDenied');
    assert.equal(body.error.props?.capability, 'read');
  });
});
