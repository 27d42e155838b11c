/**
 * Errors that are logged or returned (not thrown) show the same mapped stacks as thrown ones: cell frames read
 * `cell[n]:line:col`, the kernel's own frames and Node's internals are gone — console.log(err), console.error(err),
 * the `.catch(console.error)` idiom, causes, and the `stack` row of an error value in the inspector.
 */
import { strict as assert } from 'node:assert';
import { kernelOn, sleep, type TestKernel } from '../helpers/testKernel';

const KERNEL_FRAMES = /dist[\\/]worker\.js|sidecar-agent|node:internal|__coda_cell_|runInThisContext/;

for (const runtime of ['node', 'deno'] as const) {
  describe(`errors logged or returned show cell frames only (${runtime})`, function () {
    this.timeout(30_000);
    let k: TestKernel;
    before(async function () {
      k = await kernelOn(this, runtime);
      await k.run('function boom() {\n  throw new Error("bad", { cause: new TypeError("inner") });\n}', { cellId: 'defines' });
    });
    after(() => k?.kernel.dispose());

    const logged = async (code: string) => {
      k.console.length = 0;
      const r = await k.run(code, { cellId: 'logs' });
      assert.equal(r.status, 'ok', JSON.stringify(r));
      await sleep(200);
      return k.console;
    };

    for (const [name, code] of <[string, string][]>[
      ['console.log(err)', 'try { boom() } catch (e) { console.log(e) }'],
      ['console.error("label", err)', 'try { boom() } catch (e) { console.error("label", e) }'],
      ['.catch(console.error)', 'await Promise.resolve().then(boom).catch(console.error)'],
    ]) {
      it(name, async () => {
        const entries = await logged(code!);
        const text = entries.map((e) => e.text).join('\n');
        assert.match(text, /at boom \(cell\[\d+\]:2:9\)/, text);
        assert.match(text, /\[cause\]: TypeError: inner/, text);
        assert.doesNotMatch(text, KERNEL_FRAMES, text);
        const frames = entries.flatMap((e) => e.frames ?? []);
        assert.ok(
          frames.some((f) => f.functionName === 'boom' && f.line === 2),
          JSON.stringify(frames),
        );
      });
    }

    it('the stack row of a returned error, in the inspector', async () => {
      const r = await k.run('(() => { try { boom() } catch (e) { return e } })()');
      assert.equal(r.status, 'ok');
      if (r.status !== 'ok' || r.value?.type !== 'object' || !r.value.handle) throw new Error(JSON.stringify(r));
      const page = await k.kernel.expand({ handleId: r.value.handle.id, start: 0, count: 20 });
      const row = page.items.find((i) => i.name === 'stack');
      // Deno keeps `stack` behind an accessor, which the inspector never calls: nothing to show, nothing to leak
      if (runtime === 'deno' && row?.accessor) return;
      const stack = row?.value;
      assert.equal(stack?.type, 'string', JSON.stringify(row));
      if (stack?.type !== 'string') return;
      assert.match(stack.value, /at boom \(cell\[\d+\]:2:9\)/);
      assert.doesNotMatch(stack.value, KERNEL_FRAMES);
    });
  });
}
