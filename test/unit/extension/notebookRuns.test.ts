import { strict as assert } from 'node:assert';
import type { RuntimeKind, SerializedError } from '../../../protocol';
import type { PrepareRunPorts } from '../../../host/run/prepareRun';
import type { Kernel } from '../../../host/kernel/Kernel';
import { NotebookRuns, type KernelState } from '../../../extension/pure/NotebookRuns';
import { runNotebookCell } from '../../../extension/pure/runNotebookCell';
import { FakeKernel, fakeStarts } from '../helpers/fakeKernel';

/** A notebook as the controller drives it: its runs, a cell output log per cell, kernels made on demand. */
function notebook() {
  const starts = fakeStarts();
  const states: KernelState[] = [];
  const runs = new NotebookRuns('nb.coda', { changed: (r) => r.state && states.push(r.state), started: () => undefined });
  const outputs = new Map<string, string[]>();
  const log = (cellId: string, line: string) => void outputs.set(cellId, [...(outputs.get(cellId) ?? []), line]);
  let executionId = 0;
  const run = (cellId: string, over: Partial<Omit<PrepareRunPorts<Kernel>, 'cellId'>> & { runtime?: RuntimeKind } = {}) =>
    runs.enqueue(async () => {
      const runtime = over.runtime ?? 'node';
      const order = runs.nextOrder();
      await runNotebookCell(
        runs,
        { cellId, executionId: ++executionId, code: `code of ${cellId}`, language: 'javascript' },
        order,
        { runtime, startKernel: () => runs.slot.ensure(runtime, () => starts.start({ runtime })), ...over },
        {
          value: async (v) => log(cellId, `value ${v.type}`),
          error: async (e, label) => log(cellId, `error ${e.name}${label ? ` ${label}` : ''}`),
          interrupted: async () => log(cellId, 'interrupted'),
        },
      );
    });
  return { runs, run, outputs, kernels: starts.kernels, states };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("a notebook's runs (extension/pure: queue, kernel, state, outputs)", () => {
  it('runs queued cells one at a time, in the order they were asked for, numbered in that order', async () => {
    const nb = notebook();
    const first = nb.run('a');
    await tick();
    const k = nb.kernels[0]!;
    k.answer = (p) => (p.cellId === 'b' ? 'hold' : { status: 'ok', value: { type: 'number', text: '1' }, durationMs: 1 });
    const rest = [nb.run('b'), nb.run('c')];
    await first;
    await tick();
    assert.deepEqual(
      k.executed.map((e) => [e.cellId, e.cellLabel]),
      [
        ['a', '[1]'],
        ['b', '[2]'],
      ],
    );
    k.finish('b');
    await Promise.all(rest);
    assert.deepEqual(
      k.executed.map((e) => e.cellId),
      ['a', 'b', 'c'],
    );
    assert.equal(nb.kernels.length, 1);
  });

  it('an interrupt ends the running cell as interrupted and drops the queued ones; the kernel stays', async () => {
    const nb = notebook();
    await nb.run('warm');
    const k = nb.kernels[0]!;
    k.answer = () => 'hold';
    const running = nb.run('loop');
    const queued = [nb.run('next'), nb.run('after')];
    await tick();
    assert.ok(k.holds('loop'));
    nb.runs.interrupt();
    assert.equal(await running, true);
    assert.deepEqual(await Promise.all(queued), [false, false]);
    assert.deepEqual(nb.outputs.get('loop'), ['interrupted']);
    assert.equal(nb.outputs.get('next'), undefined);
    assert.equal(k.alive, true);
    assert.equal(k.interrupts, 1);
  });

  it('changing the runtime restarts the kernel; the same runtime keeps it', async () => {
    const nb = notebook();
    await nb.run('a');
    await nb.run('b');
    await nb.run('c', { runtime: 'deno' });
    assert.deepEqual(
      nb.kernels.map((k) => [k.info.runtime, k.alive]),
      [
        ['node', false],
        ['deno', true],
      ],
    );
  });

  it('permissions refused: the cell shows the error by its name, and nothing is forked', async () => {
    const nb = notebook();
    const refusal: SerializedError = { name: 'PermissionsNotGranted', message: 'not granted' };
    await nb.run('a', { access: async () => ({ ok: false, error: refusal }) });
    assert.deepEqual(nb.outputs.get('a'), ['error PermissionsNotGranted']);
    assert.equal(nb.kernels.length, 0);
  });

  it('an untrusted workspace: the cell says so and nothing is forked', async () => {
    const nb = notebook();
    await nb.run('a', { untrusted: () => ({ name: 'UntrustedWorkspace', message: 'trust it first' }) });
    assert.deepEqual(nb.outputs.get('a'), ['error UntrustedWorkspace']);
    assert.equal(nb.kernels.length, 0);
  });

  it("a failed install fails only its cells, named by the cell's label; the others run", async () => {
    const nb = notebook();
    const install = async () => ({ cellErrors: new Map([['b', { name: 'InstallFailed', message: "'nope' could not be installed" }]]) });
    await nb.run('a', { install });
    await nb.run('b', { install });
    await nb.run('c', { install });
    assert.deepEqual(nb.outputs.get('a'), ['value number']);
    assert.deepEqual(nb.outputs.get('b'), ['error InstallFailed [2]']);
    assert.deepEqual(nb.outputs.get('c'), ['value number']);
    assert.deepEqual(
      nb.kernels[0]!.executed.map((e) => e.cellId),
      ['a', 'c'],
    );
  });

  it("releases the cell's old handles before it runs again", async () => {
    const nb = notebook();
    await nb.run('a');
    await nb.run('a');
    assert.deepEqual(nb.kernels[0]!.released, ['a', 'a']);
  });

  it('shows starting, busy, idle, background work by cell, and why the kernel stopped', async () => {
    const nb = notebook();
    await nb.run('a');
    const k = nb.kernels[0]!;
    nb.runs.cellWork(k, 'a', 2, '[1]');
    assert.deepEqual(nb.runs.state, { kind: 'background', version: 'node v24.0.0', cells: ['[1]'] });
    nb.runs.cellWork(k, 'a', 0, '[1]');
    k.emit('exiting', { code: 1, reason: 'stopped: the sandbox ran out of memory (limit 128 MB)' });
    assert.deepEqual(
      nb.states.map((s) => s.kind),
      ['starting', 'idle', 'busy', 'idle', 'background', 'idle', 'stopped'],
    );
    assert.deepEqual(nb.runs.state, { kind: 'stopped', reason: 'stopped: the sandbox ran out of memory (limit 128 MB)' });
  });

  it('after the kernel died under a cell, that cell shows KernelExited and the next run gets a fresh kernel', async () => {
    const nb = notebook();
    await nb.run('a');
    const first = nb.kernels[0]!;
    first.answer = () => 'hold';
    const dying = nb.run('b');
    await tick();
    first.exit('ended: process.exit(1) was called by cell [2]');
    await dying;
    assert.deepEqual(nb.outputs.get('b'), ['error KernelExited [2]']);
    await nb.run('c');
    assert.equal(nb.kernels.length, 2);
    assert.deepEqual(nb.outputs.get('c'), ['value number']);
  });

  it('a restart drops the queue and stops the kernel; the next run starts a clean one', async () => {
    const nb = notebook();
    await nb.run('a');
    await nb.runs.restart('restarted');
    assert.equal(nb.kernels[0]!.alive, false);
    assert.deepEqual(nb.runs.state, { kind: 'stopped', reason: 'restarted' });
    await nb.run('b');
    assert.equal(nb.kernels.length, 2);
    assert.ok((nb.runs.slot.kernel as FakeKernel).alive);
  });
});

describe("a notebook's kernel state when the kernel ends between the prepare and the execute", () => {
  it('stays stopped with the reason instead of showing a cell running on a dead kernel', async () => {
    const runs = new NotebookRuns('nb.coda', { changed: () => undefined, started: () => undefined });
    const k = (await runs.slot.ensure('node', async () => new FakeKernel())) as FakeKernel;
    k.exit('was killed by SIGKILL');
    runs.busy(k);
    assert.deepEqual(runs.state, { kind: 'stopped', reason: 'was killed by SIGKILL' });
  });
});
