/**
 * A masked value reveals nothing, not even its length (issue 19, item 2): two secrets of different lengths give the
 * same result, preview, expansion and console output, on Node and in the Sandbox; saved outputs, the renderer's text
 * and `coda run`'s text show no length for a masked string that still carries the original's.
 */
import { strict as assert } from 'node:assert';
import { createMasker, MASK, maskedCut, savedOutputData, shownLength, MIME_VALUE, type RemoteValue } from '../../../protocol';
import { formatValue } from '../../../host/format/formatText';
import { sleep, startKernel, type TestKernel } from '../helpers/testKernel';
import { sandboxStartOptions, skipWithoutSandbox } from '../helpers/sandboxKernel';

const SHORT = 'sk-short-1234';
const LONG = 'sk-long-5f1e2d3c4b5a69788796a5b4c3d2e1f0aa';

/** Everything a user can see of one cell: its result, one level of expansion, its console output. */
async function seen(k: TestKernel, code: string): Promise<string> {
  const before = k.console.length;
  const r = await k.run(`const TOKEN = typeof process === 'object' ? process.env.TOKEN : env.TOKEN;\n${code}`);
  const out: unknown[] = [r.status === 'ok' ? r.value : r];
  if (r.status === 'ok' && r.value?.type === 'object' && r.value.handle) out.push(await k.kernel.expand({ handleId: r.value.handle.id, start: 0, count: 20 }));
  await sleep(100);
  out.push(k.console.slice(before).map((e) => e.text));
  return JSON.stringify(out).replace(/"(id|executionId|kernelId)":\d+|"kernelId":"[^"]*"/g, '');
}

for (const runtime of ['node', 'sandbox'] as const) {
  describe(`a masked secret shows no length (${runtime})`, function () {
    this.timeout(60_000);
    const kernels: TestKernel[] = [];
    before(async function () {
      if (runtime === 'sandbox') skipWithoutSandbox(this);
      const sandbox = runtime === 'sandbox' ? sandboxStartOptions() : undefined;
      for (const secret of [SHORT, LONG])
        kernels.push(await startKernel({ ...sandbox, init: { ...sandbox?.init, env: { TOKEN: secret }, maskedValues: [secret] } }));
    });
    after(() => kernels.forEach((k) => k.kernel.dispose()));

    const cases: [string, string][] = [
      ['the secret as a result', 'TOKEN'],
      ['a long string holding the secret', '"a".repeat(30000) + TOKEN + "b".repeat(10)'],
      ['an object holding the secret (preview and expansion)', '({ token: TOKEN, long: "x".repeat(200) + TOKEN, list: [TOKEN] })'],
      ['a console line past the console budget', 'console.log("c".repeat(60000) + TOKEN + "d")'],
      ['console values', 'console.log({ t: TOKEN }, [TOKEN + "z".repeat(300)])'],
    ];
    for (const [name, code] of cases)
      it(name, async () => {
        const [a, b] = [await seen(kernels[0]!, code), await seen(kernels[1]!, code)];
        assert.equal(a, b, 'secrets of different lengths must give the same output');
      });

    it('the secret alone is a string of the mask, with the mask as its length', async () => {
      const r = await kernels[1]!.run("typeof process === 'object' ? process.env.TOKEN : env.TOKEN");
      assert.ok(r.status === 'ok' && r.value?.type === 'string');
      assert.deepEqual(r.value, { type: 'string', value: MASK, length: MASK.length });
    });
  });
}

describe('lengths of masked strings outside the kernel', () => {
  const leaked: RemoteValue = { type: 'string', value: `${MASK}`, length: 36 };

  it('maskedCut counts masked text', () => {
    const m = createMasker([LONG]);
    assert.deepEqual(maskedCut(m, `ab${LONG}cd`, 100), { text: `ab${MASK}cd`, length: 4 + MASK.length });
    assert.equal(maskedCut(m, `${'a'.repeat(50)}${LONG}`, 10).length, 50 + MASK.length);
    assert.deepEqual(maskedCut(createMasker([]), 'abc', 2), { text: 'ab', length: 3 });
  });

  it('shownLength hides the length of any string that holds the mask', () => {
    assert.equal(shownLength(leaked), undefined);
    assert.equal(shownLength({ value: 'abc', length: 10 }), 10);
  });

  it('a saved output keeps no original length of a masked string', () => {
    const saved = savedOutputData(MIME_VALUE, { value: leaked }) as { value: RemoteValue };
    assert.deepEqual(saved.value, { type: 'string', value: MASK, length: MASK.length });
  });

  it("coda run's text shows no count for a masked string", () => {
    const text = formatValue({ ...leaked, value: `${MASK}abc` });
    assert.ok(!/\d/.test(text), text);
  });
});
