/**
 * The Variables view's request on every runtime that keeps top-level bindings (Node, Deno through the sidecar agent,
 * the Sandbox through its prelude): what cells declared is listed with a preview, a Map expands in pages with the
 * object inspector's `expand`, and a getter is never run to read a binding.
 */
import { strict as assert } from 'node:assert';
import type { ObjectValue, VariableInfo } from '../../../protocol';
import { kernelOn, type TestKernel } from '../helpers/testKernel';
import { skipWithoutSandbox, startSandbox } from '../helpers/sandboxKernel';

const byName = (vars: VariableInfo[], name: string) => {
  const v = vars.find((x) => x.name === name);
  assert.ok(v, `${name} is listed (got ${vars.map((x) => x.name).join(', ')})`);
  return v;
};

const suites: [string, (ctx: Mocha.Context) => Promise<TestKernel>][] = [
  ['node', (ctx) => kernelOn(ctx, 'node')],
  ['deno', (ctx) => kernelOn(ctx, 'deno')],
  [
    'sandbox',
    async (ctx) => {
      skipWithoutSandbox(ctx);
      return startSandbox();
    },
  ],
];

for (const [runtime, start] of suites) {
  describe(`variables (${runtime})`, function () {
    this.timeout(30_000);
    let k: TestKernel;
    before(async function () {
      k = await start(this);
    });
    after(async () => k?.kernel.dispose());

    it('lists the bindings cells declared, with their type and a short preview, in declaration order', async () => {
      await k.value('const answer = 42; let label = "hi"; function twice(x) { return 2 * x } class Point {}');
      await k.value('var big = new Map(); for (let i = 0; i < 250; i++) big.set("k" + i, i); 0');
      const { variables } = await k.kernel.variables();
      assert.deepEqual(
        variables.map((v) => v.name),
        ['answer', 'label', 'twice', 'Point', 'big'],
      );
      assert.deepEqual(byName(variables, 'answer').value, { type: 'number', text: '42' });
      assert.deepEqual(byName(variables, 'label').value, { type: 'string', value: 'hi', length: 2 });
      const fn = byName(variables, 'twice').value as ObjectValue;
      assert.equal(fn.subtype, 'function');
      assert.equal((byName(variables, 'Point').value as ObjectValue).subtype, 'class');
      const map = byName(variables, 'big').value as ObjectValue;
      assert.equal(map.subtype, 'map');
      assert.equal(map.size, 250);
      assert.match(map.preview, /^Map\(250\) \{/);
    });

    it("expands a Map lazily, page by page, with the inspector's expand", async () => {
      const { variables } = await k.kernel.variables();
      const map = byName(variables, 'big').value as ObjectValue;
      assert.ok(map.handle, 'the map has a handle');
      // entries first (each with its key), then the map's own properties and internals
      const first = await k.kernel.expand({ handleId: map.handle.id, start: 0, count: 100 });
      assert.ok(first.total >= 250, `total ${first.total}`);
      assert.equal(first.items.length, 100);
      assert.deepEqual(first.items[0]!.key, { type: 'string', value: 'k0', length: 2 });
      const third = await k.kernel.expand({ handleId: map.handle.id, start: 200, count: 50 });
      assert.equal(third.start, 200);
      assert.deepEqual(third.items[49]!.key, { type: 'string', value: 'k249', length: 4 });
      assert.deepEqual(third.items[49]!.value, { type: 'number', text: '249' });
    });

    it('never runs a getter: an accessor binding is reported as one, a getter inside a value is not called', async () => {
      await k.value(
        [
          'globalThis.touched = 0;',
          'const holder = { get boom() { globalThis.touched++; throw new Error("getter ran") } };',
          'Object.defineProperty(globalThis, "lazy", { get() { globalThis.touched++; throw new Error("getter ran") }, configurable: true });',
          '0',
        ].join('\n'),
      );
      // a later cell declares the name: the binding stays the accessor the first cell made
      await k.value('function lazy() {}\n0');
      const { variables } = await k.kernel.variables();
      assert.equal(byName(variables, 'lazy').accessor, 'get');
      assert.equal(byName(variables, 'lazy').value, undefined);
      const holder = byName(variables, 'holder').value as ObjectValue;
      assert.ok(holder.handle);
      const page = await k.kernel.expand({ handleId: holder.handle.id, start: 0, count: 50 });
      assert.equal(page.items.find((i) => i.name === 'boom')?.accessor, 'get');
      assert.equal(await k.value('touched'), '0');
    });

    it("a refresh never breaks a cell's output that shows an object the view listed first", async () => {
      await k.value('const shared = { deep: { n: 1 } }; 0');
      await k.kernel.variables(); // the view lists `shared` first: its handle is the view's
      const shown = await k.run('shared');
      assert.ok(shown.status === 'ok' && shown.value?.type === 'object' && shown.value.handle);
      await k.kernel.variables(); // the refresh after that cell releases the view's previous handles
      const page = await k.kernel.expand({ handleId: shown.value.handle.id, start: 0, count: 10 });
      assert.equal(page.items.find((i) => i.name === 'deep')?.value?.type, 'object');
    });

    it('follows re-declarations and keeps the state a later cell sees', async () => {
      await k.value('const answer = "changed"; 0');
      const { variables } = await k.kernel.variables();
      assert.deepEqual(byName(variables, 'answer').value, { type: 'string', value: 'changed', length: 7 });
      assert.equal(variables.filter((v) => v.name === 'answer').length, 1);
    });
  });
}
