import { strict as assert } from 'node:assert';
import { prewarm, type PrewarmPorts } from '../../../extension/pure/prewarm';
import type { KernelAccess } from '../../../host/run/resolveAccess';

function ports(over: Partial<PrewarmPorts<string>> = {}) {
  const started: string[] = [];
  const logged: string[] = [];
  const warmed: string[] = [];
  const p: PrewarmPorts<string> = {
    enabled: () => true,
    trusted: () => true,
    hasKernel: () => false,
    runtime: () => 'node',
    access: async () => ({}),
    start: async (doc, runtime) => void started.push(`${doc}:${runtime}`),
    warmInstaller: async (doc) => void warmed.push(doc),
    log: (m) => void logged.push(m),
    ...over,
  };
  return { p, started, logged, warmed };
}

describe('starting a notebook kernel before its first run', () => {
  it('starts the kernel of an opened notebook with the access a run would use', async () => {
    const granted: KernelAccess = { permissions: { read: ['.'] }, env: { TOKEN: 'x'.repeat(12) }, maskedValues: ['x'.repeat(12)] };
    let startedWith: KernelAccess | undefined;
    const { p, started } = ports({ runtime: () => 'deno', access: async () => granted, start: async (_d, _r, a) => void (startedWith = a) });
    assert.equal(await prewarm('a.coda', p), 'started');
    assert.deepEqual(startedWith, granted);
    assert.deepEqual(started, []);
  });

  it('forks nothing in an untrusted workspace, with the setting off, or when the notebook has a kernel', async () => {
    for (const over of [{ trusted: () => false }, { enabled: () => false }, { hasKernel: () => true }]) {
      const { p, started, warmed } = ports(over);
      assert.equal(await prewarm('a.coda', p), 'skipped');
      assert.deepEqual(started, []);
      assert.deepEqual(warmed, [], 'nor the installer');
    }
  });

  it('starts the installer once the kernel has started (the two would share the cores), never before', async () => {
    const order: string[] = [];
    const { p } = ports({
      start: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push('kernel');
      },
      warmInstaller: async () => void order.push('installer'),
    });
    assert.equal(await prewarm('a.coda', p), 'started');
    assert.deepEqual(order, ['kernel', 'installer']);
  });

  it('a kernel that fails to start starts no installer; an installer that fails to start is logged and the kernel stays', async () => {
    const failing = ports({
      start: async () => {
        throw new Error('Deno is not installed.');
      },
    });
    assert.equal(await prewarm('a.coda', failing.p), 'failed');
    assert.deepEqual(failing.warmed, []);
    const { p, started, logged } = ports({
      warmInstaller: async () => {
        throw new Error('the store could not be read');
      },
    });
    assert.equal(await prewarm('a.coda', p), 'started');
    assert.deepEqual(started, ['a.coda:node']);
    assert.match(logged[0]!, /installer was not started ahead of the first run: the store could not be read/);
  });

  it('asks nothing: permissions not yet granted or a secret without a value leave the start to the first run', async () => {
    const { p, started } = ports({ access: async () => undefined });
    assert.equal(await prewarm('a.coda', p), 'skipped');
    assert.deepEqual(started, []);
  });

  it('does not start a second kernel when a run started one while the access was read', async () => {
    let has = false;
    const { p, started } = ports({
      hasKernel: () => has,
      access: async () => {
        has = true;
        return {};
      },
    });
    assert.equal(await prewarm('a.coda', p), 'skipped');
    assert.deepEqual(started, []);
  });

  it('logs a start that fails (a runtime not downloaded) and leaves the run to start it', async () => {
    const { p, logged } = ports({
      start: async () => {
        throw new Error('Deno is not installed.');
      },
    });
    assert.equal(await prewarm('a.coda', p), 'failed');
    assert.match(logged[0]!, /not started ahead of the first run: Deno is not installed/);
  });
});
