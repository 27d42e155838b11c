import { strict as assert } from 'node:assert';
import type { ObjectValue, RemoteValue } from '../../../protocol';
import { shownValue, startKernel, type TestKernel } from '../helpers/testKernel';

describe('values: previews and lazy expansion', function () {
  let k: TestKernel;
  before(async () => {
    k = await startKernel();
  });
  after(() => k.kernel.dispose());

  const obj = async (code: string, cellId?: string): Promise<ObjectValue> => {
    const r = await k.run(code, { cellId });
    assert.equal(r.status, 'ok', JSON.stringify(r));
    const v = (r as { value?: RemoteValue }).value!;
    assert.equal(v.type, 'object');
    return v as ObjectValue;
  };

  it('previews a 1e6-element array in a few KB and pages it from the middle', async () => {
    const r = await k.run('globalThis.big = Array.from({ length: 1e6 }, (_, i) => i); big');
    assert.ok(JSON.stringify(r).length < 16 * 1024, 'result under 16 KB');
    const v = (r as { value: ObjectValue }).value;
    assert.equal(v.size, 1e6);
    const page = await k.kernel.expand({ handleId: v.handle!.id, start: 500_000, count: 100 });
    assert.equal(page.total, 1e6 + 2);
    assert.equal(page.items.length, 100);
    assert.deepEqual([page.items[0]!.name, page.items[0]!.value], ['500000', { type: 'number', text: '500000' }]);
    const tail = await k.kernel.expand({ handleId: v.handle!.id, start: 1e6, count: 10 });
    assert.deepEqual(
      tail.items.map((i) => i.name),
      ['length', '[[Prototype]]'],
    );
  });

  it('expands a circular object to the same handle', async () => {
    const v = await obj('const loop = { name: "loop" }; loop.self = loop; loop');
    assert.match(v.preview, /<ref \*1> \{ name: 'loop', self: \[Circular \*1\] \}/);
    const page = await k.kernel.expand({ handleId: v.handle!.id, start: 0, count: 10 });
    const self = page.items.find((i) => i.name === 'self')!.value as ObjectValue;
    assert.equal(self.handle!.id, v.handle!.id);
  });

  it('expands Map entries with keys and values, and names class instances', async () => {
    const m = await obj('new Map([[1, "one"], [{ k: 1 }, new Set([2])]])');
    assert.deepEqual([m.subtype, m.size], ['map', 2]);
    const page = await k.kernel.expand({ handleId: m.handle!.id, start: 0, count: 10 });
    assert.deepEqual(page.items[0]!.key, { type: 'number', text: '1' });
    assert.equal((page.items[1]!.value as ObjectValue).preview, 'Set(1) { 2 }');
    const c = await obj('class Point { constructor() { this.x = 1 } }; new Point()');
    assert.deepEqual([c.className, c.preview], ['Point', 'Point { x: 1 }']);
  });

  it("expands a promise inside a value by its state and result, reading a settled one's result only when expanded", async () => {
    const holder = await obj('({ done: Promise.resolve({ x: 1 }), waiting: new Promise(() => {}) })');
    assert.equal(holder.preview, '{ done: Promise { [Object] }, waiting: Promise { <pending> } }');
    const rows = await k.kernel.expand({ handleId: holder.handle!.id, start: 0, count: 10 });
    const internal = async (name: string) => {
      const p = rows.items.find((i) => i.name === name)!.value as ObjectValue;
      const page = await k.kernel.expand({ handleId: p.handle!.id, start: 0, count: 10 });
      return page.items.filter((i) => i.name.startsWith('[[Promise')).map((i) => [i.name, shownValue(i.value)]);
    };
    assert.deepEqual(await internal('done'), [
      ['[[PromiseState]]', 'fulfilled'],
      ['[[PromiseResult]]', '{ x: 1 }'],
    ]);
    assert.deepEqual(await internal('waiting'), [['[[PromiseState]]', 'pending']]);
    // expanding a pending promise attaches nothing: its rejection is still reported, as Node reports one nothing handles
    const reported = k.waitFor('uncaught', (u) => u.error.message === 'expanded later');
    const later = await obj("({ later: new Promise((_, no) => setTimeout(() => no(new Error('expanded later')), 100)) })");
    const laterRows = await k.kernel.expand({ handleId: later.handle!.id, start: 0, count: 5 });
    const p = laterRows.items.find((i) => i.name === 'later')!.value as ObjectValue;
    await k.kernel.expand({ handleId: p.handle!.id, start: 0, count: 5 });
    await reported;
  });

  it('never invokes getters or Proxy traps', async () => {
    await k.run('globalThis.calls = 0');
    const g = await obj('({ get expensive() { calls++; return 1 }, plain: 2 })');
    const page = await k.kernel.expand({ handleId: g.handle!.id, start: 0, count: 10 });
    assert.deepEqual(
      page.items.find((i) => i.name === 'expensive'),
      { name: 'expensive', accessor: 'get' },
    );
    const p = await obj('new Proxy({ t: 1 }, { get() { calls++ }, ownKeys() { calls++; return [] }, getPrototypeOf() { calls++; return null } })');
    assert.equal(p.subtype, 'proxy');
    assert.match(p.preview, /^Proxy \[/);
    assert.equal(await k.value('calls'), '0');
  });

  it('describes the common value families', async () => {
    const preview = async (code: string) => {
      const r = await k.run(code);
      const v = (r as { value: RemoteValue }).value;
      return v.type === 'object' ? `${v.subtype}|${v.className}|${v.preview}` : JSON.stringify(v);
    };
    assert.equal(await preview('-0'), '{"type":"number","text":"-0"}');
    assert.equal(await preview('10n ** 20n'), '{"type":"bigint","text":"100000000000000000000n"}');
    assert.equal(await preview('Symbol("s")'), '{"type":"symbol","text":"Symbol(s)"}');
    assert.equal(await preview('new Date(0)'), 'date|Date|1970-01-01T00:00:00.000Z');
    assert.equal(await preview('/a+/gi'), 'regexp|RegExp|/a+/gi');
    assert.equal(await preview('new Uint8Array([1, 2])'), 'typedarray|Uint8Array|Uint8Array(2) [ 1, 2 ]');
    assert.equal(await preview('async function load(a, b) {}; load'), 'function|AsyncFunction|[AsyncFunction: load]');
    assert.equal(await preview('class Thing {}; Thing'), 'class|Function|[class Thing]');
    assert.equal(await preview('Object.create(null)'), 'null-prototype||[Object: null prototype] {}');
    assert.match(await preview('new Error("outer", { cause: "why" })'), /^error\|Error\|Error: outer/);
    const s = await k.run('"x".repeat(50_000)');
    const str = (s as { value: RemoteValue }).value;
    assert.ok(str.type === 'string' && str.length === 50_000 && str.value.length < 50_000);
  });

  it('makes handles of a released cell stale', async () => {
    const v = await obj('({ keep: 1 })', 'releasable');
    await k.kernel.release('releasable');
    await assert.rejects(k.kernel.expand({ handleId: v.handle!.id, start: 0, count: 5 }), /stale handle/);
  });
});
