/**
 * Issue 11 item 3: no kernel listens for a debugger unless CodaJS opens one on purpose. SIGUSR1 (sent by the
 * kernel to itself, by process._debugProcess, or by any other process of the user) used to open an inspector on
 * 127.0.0.1:9229 that any local user could attach to. A crossing is any new listening TCP port of the kernel, of a
 * bystander Node process, or of this test process (read from /proc: whose port it is, not merely whether 9229
 * answers, which another program may own).
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { debugSignalFlags, DISABLE_SIGUSR1 } from '../../../../host/kernel/debugSignalFlags';
import { requireRuntimes, runtimeBinary } from '../../../runtimeBinaries';
import { nodeBinaries, sleep, type TestKernel } from '../../helpers/testKernel';
import { inspectorAnswers, launchKernel, listeningPorts, needPermissionedNode, runAttempts } from './nodeNetKit';

/** Long enough for Node's signal thread to start an inspector (it takes a few ms). */
const AFTER_SIGNAL_MS = 400;

type Attempt = { name: string; run(): Promise<{ crossed: boolean; outcome: string }> };

/** Ports `pids` listen on now that they did not at the start. */
function newPorts(pids: number[], baseline: Map<number, Set<number>>): number[] {
  return pids.flatMap((pid) => listeningPorts(pid).filter((p) => !baseline.get(pid)?.has(p)));
}

async function probe(pids: number[], baseline: Map<number, Set<number>>, outcome: string): Promise<{ crossed: boolean; outcome: string }> {
  await sleep(AFTER_SIGNAL_MS);
  const ports = newPorts(pids, baseline);
  const answering = (await Promise.all(ports.map(inspectorAnswers))).some(Boolean);
  return { crossed: ports.length > 0, outcome: ports.length ? `listening on ${ports.join(', ')}${answering ? ' (/json/list answers)' : ''}` : outcome };
}

function cellOutcome(r: Awaited<ReturnType<TestKernel['run']>>): string {
  return r.status === 'error' ? `${r.error.name}: ${r.error.message.slice(0, 100)}` : r.status;
}

describe('adversarial: no debugger on demand (issue 11 item 3)', function () {
  this.timeout(180_000);
  let bystander: ChildProcess;
  const kernels: TestKernel[] = [];

  /** Another Node process of the same user, which a kernel must not be able to open a debugger in. */
  const startBystander = async () => {
    // in a process group of its own: the group attack below must never reach this test's group on a regression
    bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore', detached: true });
    await sleep(300);
  };
  before(startBystander);
  after(async () => {
    bystander?.kill('SIGKILL');
    await Promise.all(kernels.map((k) => k.kernel.dispose()));
  });

  /**
   * After a crossing, close every debugger it opened (the kernels', this process's, a new bystander), so each attempt
   * is judged on its own: an open inspector holds 9229, and the next one would fail to listen and look held.
   */
  const undo = async (crossed: boolean) => {
    if (!crossed) return;
    for (const k of kernels) await k.run(`require('node:inspector').close()`).catch(() => undefined);
    (await import('node:inspector')).close();
    bystander.kill('SIGKILL');
    await startBystander();
  };
  const judged = (a: Attempt): Attempt => ({
    name: a.name,
    run: async () => {
      const r = await a.run();
      await undo(r.crossed);
      return r;
    },
  });

  it('--disable-sigusr1 goes to exactly the Nodes that have it (asked of each binary)', () => {
    for (const bin of [...nodeBinaries().map((b) => b.path), runtimeBinary('node')].filter((p): p is string => !!p)) {
      const [version, has] = execFileSync(bin, ['-p', `process.version + ' ' + process.allowedNodeEnvironmentFlags.has('${DISABLE_SIGUSR1}')`], {
        encoding: 'utf8',
      })
        .trim()
        .split(' ');
      assert.deepEqual(debugSignalFlags(version!), has === 'true' ? [DISABLE_SIGUSR1] : [], `${bin} (${version})`);
    }
    assert.deepEqual(debugSignalFlags('v22.13.1'), []);
    assert.deepEqual(debugSignalFlags('v22.14.0'), [DISABLE_SIGUSR1]);
    assert.deepEqual(debugSignalFlags('v23.6.0'), []);
    assert.deepEqual(debugSignalFlags('v23.7.0'), [DISABLE_SIGUSR1]);
  });

  it('SIGUSR1 and process._debugProcess open no inspector, in any kernel, whoever sends them', async function () {
    const permissioned = needPermissionedNode(this);
    const SELF = process.pid;
    const attempts: Attempt[] = [];

    // a kernel with declared permissions: the examples, and variants
    const k = await launchKernel(permissioned, mkdtempSync(join(tmpdir(), 'coda-debug-')), { net: ['example.test'] });
    kernels.push(k);
    const pid = k.kernel.info.pid;
    const watched = () => [pid, bystander.pid!, SELF];
    const baseline = new Map([pid, SELF].map((p) => [p, new Set(listeningPorts(p))]));
    const inKernel = (name: string, code: () => string): Attempt => ({ name, run: async () => probe(watched(), baseline, cellOutcome(await k.run(code()))) });
    attempts.push(
      inKernel('process.kill(process.pid, "SIGUSR1") (the issue)', () => `process.kill(process.pid, 'SIGUSR1')`),
      inKernel('process._debugProcess(process.pid) (the issue)', () => `process._debugProcess(process.pid)`),
      { name: 'SIGUSR1 from another process of the user', run: async () => (process.kill(pid, 'SIGUSR1'), probe(watched(), baseline, 'sent')) },
      inKernel('SIGUSR1 by number', () => `process.kill(process.pid, require('os').constants.signals.SIGUSR1)`),
      inKernel('SIGUSR1 after removing every SIGUSR1 listener', () => `process.removeAllListeners('SIGUSR1'); process.kill(process.pid, 'SIGUSR1')`),
      inKernel('SIGUSR1 to another Node process of the user', () => `process.kill(${bystander.pid}, 'SIGUSR1')`),
      inKernel('process._debugProcess(another process)', () => `process._debugProcess(${bystander.pid})`),
      inKernel('SIGUSR1 to a whole process group (a negative pid)', () => `process.kill(-${bystander.pid}, 'SIGUSR1')`),
      inKernel(
        'a pid whose valueOf answers the check and the kill differently',
        () => `let n = 0; process.kill({ valueOf: () => (n++ < 2 ? process.pid : ${bystander.pid}) }, 'SIGUSR1')`,
      ),
      inKernel('a signal object whose toString names SIGUSR1', () => `process.kill(${bystander.pid}, { toString: () => 'SIGUSR1' })`),
      inKernel('the binding under process.kill (process._kill)', () => `process._kill(${bystander.pid}, require('os').constants.signals.SIGUSR1)`),
      inKernel(
        'os.constants.signals.SIGUSR1 renumbered, then SIGUSR1 by number',
        () =>
          `const signals = require('os').constants.signals; const n = signals.SIGUSR1; try { signals.SIGUSR1 = 99; } catch {} try { process.kill(${bystander.pid}, n); } finally { try { signals.SIGUSR1 = n; } catch {} }`,
      ),
      inKernel(
        'Function.prototype.call replaced to steal process._debugProcess from the guard',
        () =>
          `const call = Function.prototype.call; let stolen; Function.prototype.call = function (self, ...args) { if (this.name === '_debugProcess') stolen = this; return Reflect.apply(this, self, args); }; try { process._debugProcess(process.pid); } finally { Function.prototype.call = call; } if (stolen && stolen !== process._debugProcess) Reflect.apply(stolen, process, [${bystander.pid}]); stolen ? 'stolen' : 'nothing stolen'`,
      ),
      inKernel('inspector.open()', () => `require('node:inspector').open(0)`),
      inKernel('inspector/promises open()', () => `require('node:inspector/promises').open(0)`),
      inKernel('inspector.open from an ESM import', () => `(await import('node:inspector')).open(0)`),
    );

    // kernels without permissions, on every Node: their own code choosing inspector.open() is the user's choice,
    // a signal is not
    for (const bin of nodeBinaries()) {
      const free = await launchKernel(bin.path, mkdtempSync(join(tmpdir(), 'coda-debug-free-')), undefined);
      kernels.push(free);
      const fpid = free.kernel.info.pid;
      const fBaseline = new Map([[fpid, new Set(listeningPorts(fpid))]]);
      attempts.push(
        {
          name: `${bin.name} without permissions: process.kill(process.pid, "SIGUSR1")`,
          run: async () => probe([fpid], fBaseline, cellOutcome(await free.run(`process.kill(process.pid, 'SIGUSR1')`))),
        },
        {
          name: `${bin.name} without permissions: process._debugProcess(process.pid)`,
          run: async () => probe([fpid], fBaseline, cellOutcome(await free.run(`process._debugProcess(process.pid)`))),
        },
        {
          name: `${bin.name} without permissions: SIGUSR1 from another process`,
          run: async () => (process.kill(fpid, 'SIGUSR1'), probe([fpid], fBaseline, 'sent')),
        },
      );
    }

    // the Sandbox: its code has no process object, but the Node hosting it must not take the signal either
    if (runtimeBinary('isolated-vm')) {
      const sandbox = await launchKernel(permissioned, mkdtempSync(join(tmpdir(), 'coda-debug-sandbox-')), undefined, 'sandbox');
      kernels.push(sandbox);
      const spid = sandbox.kernel.info.pid;
      const sBaseline = new Map([[spid, new Set(listeningPorts(spid))]]);
      attempts.push({
        name: 'Sandbox kernel: SIGUSR1 from another process',
        run: async () => (process.kill(spid, 'SIGUSR1'), probe([spid], sBaseline, 'sent')),
      });
    } else if (requireRuntimes) assert.fail('isolated-vm is missing from the runtime store');

    await runAttempts('node debugger', attempts.map(judged));
    // and, as a debugger client would look: 127.0.0.1:9229 answers /json/list only if some other program owns it
    const ours = [SELF, bystander.pid!, ...kernels.map((x) => x.kernel.info.pid)];
    if (await inspectorAnswers()) assert.ok(!ours.some((p) => listeningPorts(p).includes(9229)), '9229 belongs to a kernel or to this test');
    // every kernel is still there and answers
    for (const kernel of kernels) assert.equal(await kernel.value('"alive"'), 'alive');
  });
});
