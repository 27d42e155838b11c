/**
 * The Sandbox's full text of a cell's result (ObjectValue.text): its own formatter (prelude/makeInspector.ts) in Node's
 * REPL layout, compared with what Node's util.inspect prints for the same values, and kept to the prelude's rules (a
 * cell's setters on Array.prototype or Object.prototype never see it being written).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { MASK, type ExecuteResult, type ObjectValue } from '../../../protocol';
import { MAX_RESULT_TEXT } from '../../../worker/inspect/inspectText';
import { sandboxAvailable, sandboxStartOptions, skipWithoutSandbox } from '../helpers/sandboxKernel';
import { startKernel, type TestKernel } from '../helpers/testKernel';

const valueOf = (r: ExecuteResult): ObjectValue => {
  assert.ok(r.status === 'ok' && r.value?.type === 'object', JSON.stringify(r));
  return r.value;
};
/** What Node's REPL prints for the value of `code`. */
/**
 * What Node's REPL prints for `code`, written by the Node 24 the Sandbox runs on (Node 22 and later bracket an
 * ArrayBuffer's `[byteLength]` and write a symbol key `Symbol(s): 1`, where the Node that runs this suite may be older).
 */
const repl = (code: string) =>
  execFileSync(
    sandboxAvailable()!.node,
    [
      '-e',
      'const { inspect } = require("node:util"); const { runInNewContext } = require("node:vm"); process.stdout.write(inspect(runInNewContext(process.argv[1]), { depth: 2, maxArrayLength: 100, maxStringLength: 10_000, breakLength: 80, compact: 3, showProxy: true }))',
      code,
    ],
    { encoding: 'utf8' },
  );

describe("the Sandbox's full text of a result", function () {
  this.timeout(60_000);
  let k: TestKernel;
  const SECRET = 'sandbox-text-secret-51c9e0';

  before(async function () {
    skipWithoutSandbox(this);
    const base = sandboxStartOptions()!;
    k = await startKernel({ ...base, init: { ...base.init, env: { TEXT_SECRET: SECRET }, maskedValues: [SECRET] } });
  });
  after(async () => {
    await k?.kernel.dispose();
  });

  const sameAsNode = [
    '({ x: { y: { z: { w: 1 } } } })',
    'Array.from({ length: 120 }, (_, i) => i)',
    "({ list: ['apple', 'banana', 'cherry', 'date', 'elderberry', 'fig', 'grape', 'honeydew'], n: null })",
    '[1.5, -2, 300000, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27]',
    "new Map([['a', { b: [1, 2, 3] }], ['c', 'x'.repeat(70)]])",
    "({ a: 1, b: [1, 2, 3], s: 'x'.repeat(100), n: { m: { o: { p: 1 } } } })",
    '[[1, 2, [3, 4, [5, 6]]], { a: [{ b: 1 }] }, new Set([1, 2])]',
    'Array.from({ length: 14 }, (_, i) => "word ".repeat(i))',
    'new Float64Array(40).map((_, i) => i / 2)',
    // an object a value points back to is named where it starts (`<ref *1>`), each by its own number
    "(() => { const a = { name: 'a' }; const b = { name: 'b', a }; a.b = b; return [a, b] })()",
    "(() => { const x = { inner: {}, list: [] }; x.inner.up = x; x.inner.self = x.inner; x.list.push(x.list, new Map([['x', x]])); return x })()",
    // an ArrayBuffer's first 100 bytes in hex, a DataView's place in its buffer
    '[new ArrayBuffer(4), new Uint8Array(120).map((_, i) => i).buffer, new DataView(new Uint8Array([1, 2, 255]).buffer, 1)]',
    // a function's own enumerable properties after its name (a class's statics), never its getters run
    "[class Point { static origin = { x: 0, y: 0 }; static #hidden = 1; static get g() { throw new Error('ran') } }, Object.assign(function f() {}, { a: 1, nested: { x: { y: 1 } } })]",
    // symbol keys, a WeakRef (its target never read)
    "[{ [Symbol('s')]: 1, [Symbol.iterator]: 2, plain: 3 }, new WeakRef({}), new WeakMap()]",
    // past the depth, a value is named only, an empty one written whole
    '({ a: { b: { c: {}, d: [], e: new Map(), f: new Set(), g: Object.create(null), h: new (class Foo {})(), i: [1], j: { k: 1 }, l: new Uint8Array(0) } } })',
    // a proxy as the REPL writes it (showProxy): its target and handler, over lines where they do not fit; revoked
    "[new Proxy({ a: 1, list: [1, 2] }, { get() { throw new Error('trap ran') } }), new Proxy(function f() {}, {}), new Proxy(new Proxy([1], {}), {})]",
    "new Proxy({ long: 'x'.repeat(60), more: { deep: { deeper: { deepest: 1 } } } }, { has: () => true, ownKeys: () => [] })",
    '(() => { const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return [proxy, { proxy }] })()',
  ];
  for (const code of sameAsNode) {
    it(`writes ${code.length > 50 ? `${code.slice(0, 49)}…` : code} as Node prints it`, async () => {
      const v = valueOf(await k.run(code));
      assert.equal(v.text ?? v.preview, repl(code));
    });
  }

  it('has no text where it would say what the preview says, and none on a scratch run (it shows its lines instead)', async () => {
    assert.equal(valueOf(await k.run('[1, 2, 3]')).text, undefined);
    assert.equal(valueOf(await k.run('({ x: { y: { z: { w: 1 } } } })', { instrumentLines: true })).text, undefined);
  });

  it('is cut at 20,000 characters, saying how many more there were (at least: the formatter stops at twice the budget)', async () => {
    const code = "Array.from({ length: 100 }, (_, i) => String(i).padEnd(1000, '.'))";
    const text = valueOf(await k.run(code)).text!;
    const full = repl(code);
    assert.equal(text.slice(0, MAX_RESULT_TEXT), full.slice(0, MAX_RESULT_TEXT));
    const more = /… \(at least (\d+) more characters\)$/.exec(text.slice(MAX_RESULT_TEXT));
    assert.ok(more, text.slice(MAX_RESULT_TEXT));
    assert.ok(Number(more[1]) >= MAX_RESULT_TEXT && Number(more[1]) < full.length - MAX_RESULT_TEXT, more[0]);
    const fits = "Array.from({ length: 25 }, (_, i) => String(i).padEnd(1000, '.'))";
    const cut = valueOf(await k.run(fits)).text!;
    assert.equal(cut, `${repl(fits).slice(0, MAX_RESULT_TEXT)}… (${repl(fits).length - MAX_RESULT_TEXT} more characters)`);
  });

  it('masks a secret only the text reaches', async () => {
    const v = valueOf(await k.run('({ a: { b: { token: env.TEXT_SECRET, url: "https://x.example/?k=" + encodeURIComponent(env.TEXT_SECRET) } } })'));
    assert.equal(v.preview, '{ a: { b: [Object] } }');
    assert.ok(v.text?.includes(`token: '${MASK}'`), v.text);
    assert.ok(!JSON.stringify(v).includes(SECRET));
  });

  it('lets no setter a cell put on Array.prototype or getter on Object.prototype watch the text being written', async () => {
    await k.run(`
      globalThis.seen = '';
      for (let i = 0; i < 20; i++) Object.defineProperty(Array.prototype, i, { set(v) { globalThis.seen += '|' + String(v) }, configurable: true });
      Object.defineProperty(Object.prototype, 'breakLength', { get() { globalThis.seen += '|breakLength read'; return 1 }, configurable: true });
    `);
    try {
      const v = valueOf(await k.run("({ a: { b: { name: 'watched', list: Array.from({ length: 30 }, (_, i) => i), m: new Map([[1, [2]]]) } } })"));
      assert.equal(v.text, repl("({ a: { b: { name: 'watched', list: Array.from({ length: 30 }, (_, i) => i), m: new Map([[1, [2]]]) } } })"));
      assert.equal(await k.value('seen'), '');
    } finally {
      await k.run('for (let i = 0; i < 20; i++) delete Array.prototype[i]; delete Object.prototype.breakLength');
    }
  });

  it('writes an error as its name and message where it did, whatever a cell puts on Object.prototype (a table cell, a preview, a text)', async () => {
    const code = "console.table([{ e: new Error('inner') }]); ({ e: new Error('inner'), list: [new TypeError('t')] })";
    const table = () => k.console.filter((c) => c.method === 'table').at(-1)!.text;
    const clean = valueOf(await k.run(code));
    const cleanTable = table();
    // (as the Node kernel writes them: an error that has a stack, without its frames)
    assert.equal(clean.preview, '{ e: Error: inner, list: [ TypeError: t ] }');
    assert.ok(cleanTable.includes('Error: inner') && !/\bat\b/.test(cleanTable), cleanTable);
    await k.run(`Object.defineProperty(Object.prototype, 'errorStack', { value: true, writable: true, configurable: true })`);
    try {
      const v = valueOf(await k.run(code));
      assert.equal(v.preview, clean.preview);
      assert.equal(v.text, clean.text);
      assert.equal(table(), cleanTable, 'the table cell shows no stack');
    } finally {
      await k.run('delete Object.prototype.errorStack');
    }
  });
});
