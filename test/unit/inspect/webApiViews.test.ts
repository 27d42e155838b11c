/** Web API objects preview with their class name and public state, not internal slots, on Node and Deno. */
import { strict as assert } from 'node:assert';
import { kernelOn, type TestKernel } from '../helpers/testKernel';

for (const runtime of ['node', 'deno'] as const) {
  describe(`Web API previews (${runtime})`, function () {
    this.timeout(30_000);
    let k: TestKernel;
    before(async function () {
      k = await kernelOn(this, runtime);
    });
    after(() => k?.kernel.dispose());

    const preview = async (code: string) => {
      const r = await k.run(code);
      assert.equal(r.status, 'ok', JSON.stringify(r));
      return r.status === 'ok' && r.value?.type === 'object' ? r.value.preview : JSON.stringify(r);
    };

    for (const [code, expected] of [
      ['new URL("https://example.com/a?b=1#h")', /^URL \{href: 'https:\/\/example\.com\/a\?b=1#h', origin: 'https:\/\/example\.com'/],
      ['new Headers({ accept: "text/plain" })', /^Headers \{accept: 'text\/plain'\}$/],
      ['new URLSearchParams("a=1&b=2")', /^URLSearchParams \{a: '1', b: '2'\}$/],
      ['new Request("https://example.com/x", { method: "POST" })', /^Request \{method: 'POST', url: 'https:\/\/example\.com\/x'/],
      ['new Response("hi", { status: 201 })', /^Response \{status: 201, statusText: '', ok: true/],
      ['new Blob(["abc"], { type: "text/plain" })', /^Blob \{size: 3, type: 'text\/plain'\}$/],
      ['new AbortController()', /^AbortController \{signal: AbortSignal \{…\}\}$/],
    ] as const) {
      it(code, async () => {
        const text = await preview(code);
        assert.match(text, expected);
        assert.doesNotMatch(text, /Symbol\(|webidl/);
      });
    }

    it('expands to the public state, without internal slots', async () => {
      const r = await k.run('new URL("https://example.com/p")');
      if (r.status !== 'ok' || r.value?.type !== 'object' || !r.value.handle) throw new Error(JSON.stringify(r));
      const page = await k.kernel.expand({ handleId: r.value.handle.id, start: 0, count: 50 });
      assert.deepEqual(
        page.items.slice(0, 2).map((i) => i.name),
        ['href', 'origin'],
      );
      assert.ok(!page.items.some((i) => i.symbol), JSON.stringify(page.items.map((i) => i.name)));
    });

    it('a getter a cell plants on URL.prototype never runs', async () => {
      await k.run('Object.defineProperty(URL.prototype, "href", { get() { globalThis.planted = true; return "planted" }, configurable: true })');
      assert.match(await preview('new URL("https://example.com/")'), /href: 'https:\/\/example\.com\/'/);
      assert.equal(await k.value('String(globalThis.planted)'), 'undefined');
    });
  });
}
