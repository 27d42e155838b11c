import { strict as assert } from 'node:assert';
import type { SerializedError } from '../../../protocol';
import { RuntimeMissingError } from '../../../host/kernel/locateRuntime';
import { executeCell } from '../../../host/run/executeCell';
import { prepareRun, type PrepareRunPorts } from '../../../host/run/prepareRun';
import { FakeKernel, fakeStarts } from '../helpers/fakeKernel';

/** Ports that record what ran; each test overrides what it is about. */
function ports(over: Partial<PrepareRunPorts<FakeKernel>> = {}) {
  const starts = fakeStarts();
  const calls: string[] = [];
  const p: PrepareRunPorts<FakeKernel> = {
    runtime: 'node',
    access: async () => {
      calls.push('access');
      return { ok: true, access: { env: { TOKEN: 'secret-value' }, maskedValues: ['secret-value'] } };
    },
    install: async () => {
      calls.push('install');
      return { cellErrors: new Map() };
    },
    startKernel: async (access) => {
      calls.push('start');
      return starts.start({ env: access.env });
    },
    ...over,
  };
  return { p, calls, kernels: starts.kernels };
}

describe('prepareRun: the steps before a cell runs, shared by notebooks, scratch files and coda run', () => {
  it('runs trust, access, install and the kernel start in that order, and hands the kernel what was granted', async () => {
    const { p, calls, kernels } = ports({ untrusted: () => undefined });
    const prepared = await prepareRun(p);
    assert.ok(prepared.ok);
    assert.deepEqual(calls, ['access', 'install', 'start']);
    assert.equal(prepared.kernel, kernels[0]);
    assert.deepEqual(kernels[0]!.init.env, { TOKEN: 'secret-value' });
  });

  it('in an untrusted workspace: the cell fails, nothing is asked, installed or forked', async () => {
    const { p, calls, kernels } = ports({ untrusted: () => ({ name: 'UntrustedWorkspace', message: 'trust this workspace' }) });
    const prepared = await prepareRun(p);
    assert.deepEqual(prepared, { ok: false, stage: 'trust', error: { name: 'UntrustedWorkspace', message: 'trust this workspace' } });
    assert.deepEqual(calls, []);
    assert.equal(kernels.length, 0);
  });

  it('permissions refused: the refusal is the error and no package is installed before it', async () => {
    const refusal: SerializedError = { name: 'PermissionsNotGranted', message: 'not granted' };
    const { p, calls, kernels } = ports({ access: async () => ({ ok: false, error: refusal }) });
    const prepared = await prepareRun(p);
    assert.deepEqual(prepared, { ok: false, stage: 'access', error: refusal });
    assert.deepEqual(calls, []);
    assert.equal(kernels.length, 0);
  });

  it('installs nothing for the sandbox, which cannot import packages', async () => {
    const { p, calls } = ports({ runtime: 'sandbox' });
    assert.ok((await prepareRun(p)).ok);
    assert.deepEqual(calls, ['access', 'start']);
  });

  it('an install that fails as a whole fails the run before a kernel starts', async () => {
    const error = { name: 'RegistryUnreachable', message: 'the registry did not answer' };
    const { p, kernels } = ports({ install: async () => ({ error }) });
    assert.deepEqual(await prepareRun(p), { ok: false, stage: 'install', error });
    assert.equal(kernels.length, 0);
  });

  it('a package that could not be installed fails only the cells that import it', async () => {
    const bad = { name: 'InstallFailed', message: "the import of 'nope-pkg' could not be installed" };
    const install = async () => ({ cellErrors: new Map([['b', bad]]) });
    // the notebook runs cell b alone: it fails and no kernel is forked for it
    const forB = ports({ install });
    assert.deepEqual(await prepareRun({ ...forB.p, cellId: 'b' }), { ok: false, stage: 'install', error: bad });
    assert.equal(forB.kernels.length, 0);
    // cell a runs; so does every cell of a scratch file but b
    const forAll = ports({ install });
    const prepared = await prepareRun(forAll.p);
    assert.ok(prepared.ok);
    const outputs: string[] = [];
    const out = {
      value: () => void outputs.push('value'),
      error: (e: SerializedError, kind: string) => void outputs.push(`${kind}:${e.name}`),
      interrupted: () => void outputs.push('interrupted'),
    };
    const params = (cellId: string) => ({ cellId, cellLabel: `[${cellId}]`, executionId: 1, code: '1', language: 'javascript' as const });
    assert.equal(await executeCell(prepared.kernel, params('a'), prepared.cellErrors, out), true);
    assert.equal(await executeCell(prepared.kernel, params('b'), prepared.cellErrors, out), false);
    assert.deepEqual(outputs, ['value', 'import:InstallFailed']);
    assert.deepEqual(
      prepared.kernel.executed.map((e) => e.cellId),
      ['a'],
    );
  });

  it('a missing runtime is fetched through the port and the start tried again', async () => {
    let tries = 0;
    const fetched: string[] = [];
    const { p } = ports({
      runtime: 'deno',
      startKernel: async () => {
        if (tries++ === 0) throw new RuntimeMissingError('deno', ['deno'], 'Deno is not installed.');
        return new FakeKernel({ runtime: 'deno' });
      },
      fetchRuntime: async (err) => {
        fetched.push(...err.missing);
        return true;
      },
    });
    const prepared = await prepareRun(p);
    assert.ok(prepared.ok);
    assert.deepEqual(fetched, ['deno']);
    assert.equal(tries, 2);
  });

  it('a runtime the user did not fetch is the error RuntimeMissing; any other failed start is KernelStartFailed', async () => {
    const missing = ports({
      startKernel: async () => {
        throw new RuntimeMissingError('bun', ['bun'], 'Bun is not installed.');
      },
      fetchRuntime: async () => false,
    });
    const refused = await prepareRun(missing.p);
    assert.ok(!refused.ok);
    assert.equal(refused.stage, 'kernel');
    assert.equal(refused.error.name, 'RuntimeMissing');
    assert.match(refused.error.message, /Bun is not installed/);
    const broken = ports({
      startKernel: async () => {
        throw new Error('Could not start the CodaJS kernel with /usr/bin/node: spawn EACCES');
      },
    });
    assert.deepEqual(await prepareRun(broken.p), {
      ok: false,
      stage: 'kernel',
      error: { code: 'KernelStartFailedOther', name: 'KernelStartFailed', message: 'Could not start the CodaJS kernel with /usr/bin/node: spawn EACCES' },
    });
    assert.equal(refused.error.code, 'RuntimeMissing', 'told apart by code, not by name');
  });
});

describe('executeCell: what became of a cell, for the outputs', () => {
  const run = async (kernel: FakeKernel) => {
    const outputs: string[] = [];
    const ok = await executeCell(kernel, { cellId: 'c', cellLabel: '[1]', executionId: 1, code: 'x', language: 'javascript' }, new Map(), {
      value: (v) => void outputs.push(`value:${v?.type}`),
      error: (e, kind) => void outputs.push(`${kind}:${e.name}:${e.message}`),
      interrupted: () => void outputs.push('interrupted'),
    });
    return { ok, outputs };
  };

  it('a value, an error of the cell, an interrupt', async () => {
    const k = new FakeKernel();
    assert.deepEqual(await run(k), { ok: true, outputs: ['value:number'] });
    k.answer = () => ({ status: 'error', error: { name: 'TypeError', message: 'x is not a function' }, durationMs: 1 });
    assert.deepEqual(await run(k), { ok: false, outputs: ['cell:TypeError:x is not a function'] });
    k.answer = () => ({ status: 'interrupted', durationMs: 1 });
    assert.deepEqual(await run(k), { ok: false, outputs: ['interrupted'] });
  });

  it('a kernel that dies under the cell is a KernelExited error with the reason', async () => {
    const k = new FakeKernel();
    k.answer = () => 'hold';
    const running = run(k);
    k.exit('ran out of memory (heap limit 64 MB)');
    assert.deepEqual(await running, { ok: false, outputs: ['kernel:KernelExited:The kernel ran out of memory (heap limit 64 MB).'] });
  });
});
