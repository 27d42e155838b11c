/**
 * The `then` pollution attacks of thenAttacks.ts on the kernels whose cells share the runtime's own realm: Node
 * (cells run in the worker process) and Deno (cells run next to the sidecar agent). Before the fix the first
 * polluting cell hung the kernel for good: its reply, and every later one, was adopted by the planted `then` (or
 * serialised through the planted toJSON), and on Deno the next cell never started.
 */
import { requireRuntimes, runtimeBinary } from '../../../runtimeBinaries';
import { startKernel, type TestKernel } from '../../helpers/testKernel';
import { runThenAttacks } from './thenAttacks';

const KERNELS = {
  node: () => startKernel({ nodePath: runtimeBinary('node') ?? process.execPath }),
  deno: () => startKernel({ init: { runtime: 'deno', runtimePath: runtimeBinary('deno') } }),
} as const;

for (const kind of ['node', 'deno'] as const) {
  describe(`adversarial: then pollution on the ${kind === 'node' ? 'Node' : 'Deno'} kernel`, function () {
    this.timeout(120_000);
    const crossings: string[] = [];
    let attempts = 0;
    let k: TestKernel | undefined;
    before(async function () {
      if (kind === 'deno' && !runtimeBinary('deno')) {
        if (requireRuntimes) throw new Error('Deno is not in the runtime store and CODA_REQUIRE_RUNTIMES is set');
        this.skip();
      }
      k = await KERNELS[kind]();
    });
    after(async () => {
      await k?.kernel.dispose();
      console.log(`      ${kind} then: ${attempts} attempts, ${crossings.length} crossings`);
    });

    it('a then planted in the realm, replaced promise machinery or serialisation hooks never drop, hijack or hang a value; never-settling values stay interruptible', async () => {
      await runThenAttacks(k!, () => attempts++, crossings);
    });
  });
}
