import { strict as assert } from 'node:assert';
import type { ExecuteResult, InitParams } from '../../../protocol';
import type { Kernel, KernelExit } from '../../../host/kernel/Kernel';
import { ScratchKernels } from '../../../extension/inspect/ScratchKernels';

/** A kernel double: only what ScratchKernels and the views touch. */
function fakeKernel() {
  let exit: ((e: KernelExit) => void) | undefined;
  const k = {
    alive: true,
    marker: 'original',
    execute: async (): Promise<ExecuteResult> => ({ status: 'ok', durationMs: 1 }),
    variables: async function (this: { marker: string }) {
      return { variables: [], omitted: this.marker === 'original' ? 0 : 1 };
    },
    onExit: (l: (e: KernelExit) => void) => ((exit = l), () => undefined),
  };
  return { kernel: k as unknown as Kernel, die: () => ((k.alive = false), exit?.({ code: 0 } as KernelExit)) };
}

const init = (documentPath: string) => ({ cwd: '/', documentPath, runtime: 'node' }) as InitParams;

describe('scratch kernels for the inspect views', () => {
  it("finds a scratch file's kernel by path, tells after each execution, and forgets it when it exits", async () => {
    const scratch = new ScratchKernels();
    const { kernel, die } = fakeKernel();
    let changes = 0;
    scratch.onDidChange(() => changes++);
    const started = await scratch.wrap(async () => kernel)(init('/w/a.js'));
    assert.equal(changes, 1, 'a start is a change');
    assert.equal(scratch.get('/w/a.js'), started);
    assert.equal(scratch.get('/w/b.js'), undefined);
    await started.execute({ cellId: 'c', cellLabel: 'a.js', executionId: 1, code: '1', language: 'javascript' });
    await Promise.resolve();
    assert.equal(changes, 2, 'an execution that ends is a change');
    assert.equal((await started.variables()).omitted, 0, 'methods run on the kernel itself');
    die();
    assert.equal(scratch.get('/w/a.js'), undefined);
    assert.equal(changes, 3);
  });
});
