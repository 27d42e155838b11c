/** Web API objects preview with their class name and public state, not internal slots, on Node and Deno. */
import { strict as assert } from 'node:assert';
import { kernelOn, type TestKernel } from '../helpers/testKernel';

for (const runtime of ['node', 'deno', 'bun'] as const) {
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
      // (Bun adds the charset)
      ['new Blob(["abc"], { type: "text/plain" })', /^Blob \{size: 3, type: 'text\/plain(;charset=utf-8)?'\}$/],
      ['new AbortController()', /^AbortController \{signal: AbortSignal \{…\}\}$/],
      ['new Event("ping")', /^Event \{type: 'ping', defaultPrevented: false, cancelable: false, timeStamp: [\d.]+\}$/],
      [
        'new CustomEvent("ping", { detail: 7, cancelable: true })',
        /^CustomEvent \{type: 'ping', detail: 7, defaultPrevented: false, cancelable: true, timeStamp: /,
      ],
      ['new MessageEvent("message", { data: "d" })', /^MessageEvent \{type: 'message', data: 'd', origin: '', lastEventId: ''/],
      ['new EventTarget()', /^EventTarget \{\}$/],
      ['const bus = new EventTarget(); bus.name = "bus"; bus', /^EventTarget \{name: 'bus'\}$/],
      ['new ReadableStream()', /^ReadableStream \{locked: false\}$/],
      ['const s = new ReadableStream(); s.getReader(); s', /^ReadableStream \{locked: true\}$/],
      ['new WritableStream()', /^WritableStream \{locked: false\}$/],
      ['new TransformStream()', /^TransformStream \{readable: (Internal)?ReadableStream \{…\}, writable: (Internal)?WritableStream \{…\}\}$/],
      ['const mc = new MessageChannel(); mc.port1.close(); mc', /^MessageChannel \{port1: MessagePort \{…\}, port2: MessagePort \{…\}\}$/],
      ['performance.mark("here", { detail: 1 })', /^PerformanceMark \{name: 'here', entryType: 'mark', startTime: [\d.]+, duration: 0, detail: 1\}$/],
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

// Node 24 loads a lazy global's module even when its property descriptor is read: the kernel of each Node
for (const storeNode of [false, true]) {
  describe(`Web API previews: Node's fetch classes and streams load with the first cell that uses them (${storeNode ? 'Node 24' : 'this Node'})`, function () {
    this.timeout(30_000);
    let k: TestKernel;
    before(async function () {
      k = await kernelOn(this, 'node', { storeNode });
    });
    after(() => k?.kernel.dispose());

    it('a kernel starts without undici (nor zlib), then previews a Headers, a Request and a Response once a cell makes them', async () => {
      assert.equal(
        await k.value('JSON.stringify(process.moduleLoadList.filter((m) => /undici|zlib|webstreams\\/(readable|writable|transform)stream/.test(m)))'),
        '[]',
      );
      assert.match(await k.value('new ReadableStream()'), /^ReadableStream \{locked: false\}$/);
      assert.match(await k.value('new TransformStream()'), /^TransformStream \{readable: \w*ReadableStream \{…\}/);
      const r = await k.run('[new Headers({ accept: "text/plain" }), new Request("https://example.com/"), new Response("x", { status: 202 })]');
      if (r.status !== 'ok' || r.value?.type !== 'object' || !r.value.handle) throw new Error(JSON.stringify(r));
      const page = await k.kernel.expand({ handleId: r.value.handle.id, start: 0, count: 3 });
      const previews = page.items.map((i) => (i.value?.type === 'object' ? i.value.preview : ''));
      assert.match(previews[0]!, /^Headers \{accept: 'text\/plain'\}$/);
      assert.match(previews[1]!, /^Request \{method: 'GET', url: 'https:\/\/example\.com\/'/);
      assert.match(previews[2]!, /^Response \{status: 202/);
    });

    it('a getter a later cell plants on Headers.prototype or Response.prototype never runs', async () => {
      // (undici's own constructor reads `status` through the prototype: the objects are made first)
      await k.run('globalThis.both = [new Headers({ b: "2" }), new Response("x", { status: 203 })]; void 0');
      await k.run(
        'for (const [C, n] of [[Headers, "entries"], [Response, "status"]]) Object.defineProperty(C.prototype, n, { get() { globalThis.planted = n; return () => [][Symbol.iterator]() }, configurable: true })',
      );
      const r = await k.run('both');
      if (r.status !== 'ok' || r.value?.type !== 'object' || !r.value.handle) throw new Error(JSON.stringify(r));
      const page = await k.kernel.expand({ handleId: r.value.handle.id, start: 0, count: 2 });
      const previews = page.items.map((i) => (i.value?.type === 'object' ? i.value.preview : ''));
      assert.match(previews[0]!, /^Headers \{b: '2'\}$/);
      assert.match(previews[1]!, /^Response \{status: 203/);
      assert.equal(await k.value('String(globalThis.planted)'), 'undefined');
    });
  });
}
