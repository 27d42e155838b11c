import { strict as assert } from 'node:assert';
import { prewarm, type PrewarmPorts } from '../../../extension/pure/prewarm';
import type { KernelAccess } from '../../../host/run/resolveAccess';

function ports(over: Partial<PrewarmPorts<string>> = {}) {
  const started: string[] = [];
  const logged: string[] = [];
  const p: PrewarmPorts<string> = {
    enabled: () => true,
    trusted: () => true,
    hasKernel: () => false,
    runtime: () => 'node',
    access: async () => ({}),
    start: async (doc, runtime) => void started.push(`${doc}:${runtime}`),
    log: (m) => void logged.push(m),
    ...over,
  };
  return { p, started, logged };
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
      const { p, started } = ports(over);
      assert.equal(await prewarm('a.coda', p), 'skipped');
      assert.deepEqual(started, []);
    }
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
