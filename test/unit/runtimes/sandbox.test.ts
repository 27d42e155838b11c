/**
 * The sandbox runtime ('sandbox'): real kernels on Node 24 with isolated-vm from the runtime store, as the host
 * starts them. What a user sees: state, TypeScript, console, previews, errors on the right line, timers, interrupts
 * that keep state, limits reported in words, env and fetch only as granted.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { permissionDenied, type ExecuteResult, type ObjectValue } from '../../../protocol';
import { skipWithoutSandbox, startSandbox } from '../helpers/sandboxKernel';
import { sleep, type TestKernel } from '../helpers/testKernel';

/** Generous bound that proves an interrupt happened at all. */
const STOPPED_WITHIN_MS = 5000;
const GRANTED = 'CODA_SANDBOX_TEST_GRANTED';
const HIDDEN = 'CODA_SANDBOX_TEST_HIDDEN';

const errorOf = (r: ExecuteResult) => {
  assert.equal(r.status, 'error', JSON.stringify(r));
  return (r as Extract<ExecuteResult, { status: 'error' }>).error;
};

async function interruptAfter(k: TestKernel, code: string, delayMs = 200): Promise<string> {
  const running = k.run(code).then(
    (r) => r.status,
    (err: Error) => `kernel exited: ${err.message}`,
  );
  await sleep(delayMs);
  k.kernel.interrupt();
  return Promise.race([running, sleep(STOPPED_WITHIN_MS).then(() => 'still running')]);
}

describe('sandbox runtime (isolated-vm)', function () {
  this.timeout(60_000);
  let k: TestKernel;
  let server: Server;
  let base = '';
  const hits: string[] = [];
  const closedEarly: string[] = [];

  before(async function () {
    skipWithoutSandbox(this);
    process.env[GRANTED] = 'visible-value';
    process.env[HIDDEN] = 'hidden-value';
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/json') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"sandbox","n":1}');
      if (req.url === '/redirect-ok') return res.writeHead(302, { location: '/json' }).end();
      // answers after 3 s, unless the client goes first (an aborted fetch)
      if (req.url === '/slow') {
        const timer = setTimeout(() => res.end('slow'), 3000);
        req.socket.once('close', () => {
          clearTimeout(timer);
          closedEarly.push(req.url ?? '');
        });
        return;
      }
      if (req.url === '/redirect-away') return res.writeHead(302, { location: `http://localhost:${(server.address() as AddressInfo).port}/target` }).end();
      res.writeHead(404).end('nope');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    k = await startSandbox({ permissions: { net: ['127.0.0.1'], env: [GRANTED] }, env: { SECRET_TOKEN: 's3cr3t-value' } });
  });
  after(async () => {
    await k?.kernel.dispose();
    server?.close();
    delete process.env[GRANTED];
    delete process.env[HIDDEN];
  });

  it('keeps state across cells and lets a const be declared again', async () => {
    await k.run('const x = 1; let y = 2; function f() { return x + y }');
    assert.equal(await k.value('f()'), '3');
    await k.run('const x = 10');
    assert.equal(await k.value('x + y'), '12');
  });

  it('hashes with crypto.subtle.digest as Web Crypto does (SHA-1/256/384/512), and says the rest of crypto.subtle is not here', async () => {
    const hex = "const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join(''); const enc = new TextEncoder()";
    await k.run(hex);
    const cases: [string, string, string, Buffer][] = [
      ["'SHA-256'", "enc.encode('abc')", 'sha256', Buffer.from('abc')],
      ["{ name: 'sha-1' }", 'new Uint8Array(0)', 'sha1', Buffer.alloc(0)],
      ["'SHA-384'", 'new DataView(new Uint8Array([104, 105]).buffer)', 'sha384', Buffer.from('hi')],
      ["'SHA-512'", 'new Uint8Array(70_000).map((_, i) => i & 255).buffer', 'sha512', Buffer.from(Array.from({ length: 70_000 }, (_, i) => i & 255))],
      // a typed array's bytes, in the machine's order, and only its view of a larger buffer
      ["'sha-256'", 'new Uint16Array([1, 258]).subarray(1)', 'sha256', Buffer.from(new Uint16Array([258]).buffer)],
    ];
    for (const [algorithm, data, node, bytes] of cases) {
      const expected = createHash(node).update(bytes).digest('hex');
      assert.equal(await k.value(`hex(await crypto.subtle.digest(${algorithm}, ${data}))`), expected, `${algorithm} of ${data}`);
    }
    // the bytes as they were at the call: changed after it, the digest does not change
    assert.equal(
      await k.value("{ const u = enc.encode('abc'); const p = crypto.subtle.digest('SHA-256', u); u[0] = 0; hex(await p) }"),
      createHash('sha256').update('abc').digest('hex'),
    );
    const fails = async (code: string) => {
      const r = await k.run(code);
      assert.ok(r.status === 'error', `${code}: ${JSON.stringify(r)}`);
      return `${r.error.name}: ${r.error.message}`;
    };
    assert.match(await fails("await crypto.subtle.digest('MD5', enc.encode('a'))"), /^NotSupportedError: crypto\.subtle\.digest: MD5 is not a digest/);
    assert.match(await fails("await crypto.subtle.digest('SHA-256', 'text')"), /^TypeError: crypto\.subtle\.digest: expected an ArrayBuffer/);
    assert.match(await fails("await crypto.subtle.digest('SHA-256', new Uint8Array(8 * 1024 * 1024 + 1))"), /^QuotaExceededError: /);
    assert.match(
      await fails("await crypto.subtle.sign('HMAC', null, enc.encode('a'))"),
      /^NotSupportedError: crypto\.subtle\.sign is not available in the sandbox/,
    );
    assert.match(await fails("await crypto.subtle.importKey('raw', enc.encode('k'), 'AES-GCM', false, ['encrypt'])"), /^NotSupportedError: /);
    // a rejection, as from an async method: never a synchronous throw
    assert.equal(await k.value("const rejects = crypto.subtle.digest('MD5', new Uint8Array(1)); rejects.catch(() => 0); rejects instanceof Promise"), 'true');
    assert.equal(await k.value('Object.prototype.toString.call(crypto.subtle)'), '[object SubtleCrypto]');
  });

  it('has no Node APIs inside', async () => {
    assert.equal(
      await k.value('[typeof process, typeof require, typeof Buffer, typeof module, typeof WebAssembly].join()'),
      'undefined,undefined,undefined,undefined,undefined',
    );
  });

  it('read, write and run grants open nothing: there is no file system or process API to grant', async () => {
    const all = await startSandbox({ permissions: { read: ['*'], write: ['*'], run: ['*'] } });
    try {
      const probe = '[typeof process, typeof require, typeof Deno, typeof Bun, typeof fetch, typeof env].join()';
      assert.equal(await all.value(probe), 'undefined,undefined,undefined,undefined,function,object');
      const denied = errorOf(await all.run('await fetch("http://127.0.0.1:1/")'));
      assert.equal(denied.name, 'PermissionDenied', 'read/write/run do not grant the network either');
    } finally {
      await all.kernel.dispose();
    }
  });

  it('runs top-level await and TypeScript', async () => {
    assert.equal(await k.value('await new Promise((r) => setTimeout(() => r(42), 10))'), '42');
    const r = await k.run('interface P { x: number }\nconst p: P = { x: 21 };\np.x * 2', { language: 'typescript' });
    assert.ok(r.status === 'ok' && r.value?.type === 'number' && r.value.text === '42', JSON.stringify(r));
  });

  it('refuses static imports before running anything, and import() at run time', async () => {
    const err = errorOf(await k.run('globalThis.ranBeforeImport = true;\nimport _ from "lodash"'));
    assert.match(err.message, /^The sandbox cannot import modules: import of "lodash" \(line 2\)/);
    assert.equal(err.location?.line, 2);
    assert.equal(await k.value('typeof globalThis.ranBeforeImport'), 'undefined');
    assert.match(errorOf(await k.run('await import("node:fs")')).message, /^The sandbox cannot import modules/);
  });

  it("times console.time in tenths of a millisecond on the prelude's own clock, whatever a cell does to performance.now", async () => {
    k.console.length = 0;
    // five timings of a few ms: on whole milliseconds (Date.now) every one would end in .000. Each timer starts before
    // t0 is read, so Date.now moving 2 + i whole ms is more than 1 + i ms of real time on the timer.
    const r = await k.run(
      "const realNow = performance.now; for (let i = 0; i < 5; i++) { console.time('t' + i); const t0 = Date.now(); while (Date.now() - t0 < 2 + i) {} console.timeEnd('t' + i) }\n" +
        "performance.now = () => 0; { console.time('replaced'); const t0 = Date.now(); while (Date.now() - t0 < 3) {} console.timeEnd('replaced') } performance.now = realNow",
    );
    assert.equal(r.status, 'ok', JSON.stringify(r));
    await sleep(50);
    const ms = (label: string) => {
      const m = new RegExp(`^${label}: (\\d+\\.\\d{3})ms$`).exec(k.console.find((e) => e.text.startsWith(`${label}:`))?.text ?? '');
      assert.ok(m, `${label}: ${JSON.stringify(k.console.map((e) => e.text))}`);
      return Number(m[1]);
    };
    const times = [0, 1, 2, 3, 4].map((i) => ms(`t${i}`));
    times.forEach((t, i) => assert.ok(t >= 1 + i && t < 1000, `t${i}: ${t}`));
    assert.ok(
      times.some((t) => Math.round(t * 10) % 10 !== 0),
      `all whole milliseconds: ${times.join(', ')}`,
    );
    // (Date.now's whole milliseconds: waiting until it moved 3 is at least 2 ms of real time; a replaced clock reads 0)
    assert.ok(ms('replaced') >= 1, 'a replaced performance.now does not reach console.time');
  });

  it("writes a logged error as Node does, its stack and properties, and stays bounded against a hostile error's shape", async () => {
    k.console.length = 0;
    await k.run('globalThis.called = 0');
    const cells: [string, (text: string) => void][] = [
      // an AggregateError: each error it holds with its own stack, indented under [errors]
      [
        "console.log(new AggregateError([new Error('a1'), new RangeError('a2')], 'many'))",
        (t) =>
          assert.match(
            t,
            /^AggregateError: many\n {4}at cell\[\d+\]:1:\d+ \{\n {2}\[errors\]: \[\n {4}Error: a1\n {8}at cell\[\d+\]:1:\d+,\n {4}RangeError: a2\n/,
          ),
      ],
      // a stack getter of the cell's own (which would throw): never called, the header instead
      [
        "const g = new Error('getter'); Object.defineProperty(g, 'stack', { get() { called++; throw new Error('no') } }); console.log(g, [g])",
        (t) => assert.equal(t, 'Error: getter [ [Error: getter] ]'),
      ],
      // a cause that is the error itself, and a long chain: no loop, a header past the console's depth
      [
        "const c = new Error('self'); c.cause = c; console.log(c)",
        (t) => assert.ok(/^<ref \*1> Error: self\n/.test(t) && /cause: \[Circular \*1\]/.test(t) && t.length < 2000, t),
      ],
      [
        "let deep = new Error('e0'); for (let i = 1; i < 8; i++) deep = new Error('e' + i, { cause: deep }); console.log(deep)",
        // (as deep as Node's console goes: two levels below the error logged)
        (t) => assert.ok(t.includes('[cause]: Error: e5\n') && t.includes('[cause]: [Error: e4') && !t.includes('e3\n'), t),
      ],
      // a property getter is never called
      [
        "const p = new Error('props'); Object.defineProperty(p, 'lazy', { get() { called++; return 1 }, enumerable: true }); console.log(p)",
        (t) => assert.match(t, /lazy: \[Getter\]/),
      ],
      // thousands of properties: bounded like any object
      [
        "const many = new Error('many props'); for (let i = 0; i < 5000; i++) many['p' + i] = i; console.log(many)",
        (t) => assert.ok(t.startsWith('Error: many props') && t.length < 20_000, `${t.length}`),
      ],
    ];
    for (const [code, check] of cells) {
      k.console.length = 0;
      const r = await k.run(code);
      assert.equal(r.status, 'ok', `${code}: ${JSON.stringify(r)}`);
      await sleep(30);
      const entry = k.console.find((e) => e.method === 'log');
      assert.ok(entry, `${code}: ${JSON.stringify(k.console)}`);
      check(entry.text);
      assert.doesNotMatch(entry.text, /coda-sandbox|coda-cell-/, entry.text);
    }
    assert.equal(await k.value('called'), '0');
  });

  it("writes values the same after a cell replaced RegExp's and String's methods, and never calls the replacements", async () => {
    const patch =
      'globalThis.calls = 0; const count = () => { calls++; return null };\n' +
      'const saved = [RegExp.prototype.exec, RegExp.prototype.test, RegExp.prototype[Symbol.replace], RegExp.prototype[Symbol.split]];\n' +
      'RegExp.prototype.exec = count; RegExp.prototype.test = () => (calls++, false);\n' +
      "RegExp.prototype[Symbol.replace] = () => (calls++, 'X'); RegExp.prototype[Symbol.split] = () => (calls++, []);\n" +
      "String.prototype[Symbol.replace] = () => (calls++, 'Y'); String.prototype[Symbol.split] = () => (calls++, []);\n";
    const unpatch =
      '[RegExp.prototype.exec, RegExp.prototype.test, RegExp.prototype[Symbol.replace], RegExp.prototype[Symbol.split]] = saved;\n' +
      'delete String.prototype[Symbol.replace]; delete String.prototype[Symbol.split];';
    const shown = "const shown = { 'a-b': 'it\\'s\\n', s: Symbol('k'), e: Object.assign(new Error('e'), { code: 'E' }), c: class Q {}, 7: 1 };\n";
    k.console.length = 0;
    const r = await k.run(`${patch}${shown}console.log(shown); console.log(new Error('top'));\nshown`);
    assert.equal(r.status, 'ok', JSON.stringify(r));
    const value = r.value as ObjectValue;
    await sleep(30);
    const logged = k.console.map((e) => e.text);
    // (over lines, as Node's console writes it: the error holds its stack)
    assert.match(
      logged[0] ?? '',
      /^\{\n {2}'7': 1,\n {2}'a-b': "it's\\n",\n {2}s: Symbol\(k\),\n {2}e: Error: e\n {6}at cell\[\d+\]:\d+:\d+ \{\n {4}code: 'E'\n {2}\},\n {2}c: \[class Q\]\n\}$/,
      logged[0],
    );
    assert.match(logged[1] ?? '', /^Error: top\n {4}at cell\[\d+\]:\d+:\d+$/, logged[1]);
    assert.match(value.preview, /'a-b': "it's\\n"/, value.preview);
    // the formatter ran with the replacements in place and called none of them (the count is read before they go)
    assert.equal(await k.value(`const seen = calls;\n${unpatch}\nseen`), '0');
  });

  it("describes, expands, logs and draws tables the same after a cell replaced Array's, Map's and Set's methods and iterators, and calls none of them", async () => {
    // (the Map and Sets are made first: their constructors iterate their argument)
    const patch =
      "const m = new Map([['k', { v: 1 }]]); const s3 = new Set([3]); const sv = new Set(['v']); globalThis.calls = 0; const hit = function () { calls++; throw new Error('replacement ran') };\n" +
      "const names = ['map', 'push', 'slice', 'find', 'includes', 'join', 'every', 'forEach', 'filter', 'some', 'reduce', 'flatMap', 'indexOf'];\n" +
      'const saved = names.map((n) => Array.prototype[n]);\n' +
      "const others = [[Array.prototype, Symbol.iterator], [Map.prototype, 'get'], [Map.prototype, 'set'], [Map.prototype, 'has'], [Map.prototype, 'delete'], [Set.prototype, 'add'], [Set.prototype, 'has'], [Set.prototype, 'values'], [WeakMap.prototype, 'get'], [WeakMap.prototype, 'set'], [WeakMap.prototype, 'has'], [String.prototype, 'padEnd'], [String.prototype, 'repeat'], [String.prototype, 'includes'], [Math, 'max'], [Math, 'min']];\n" +
      'const savedOthers = others.map(([o, k]) => o[k]);\n' +
      'globalThis.restore = () => { for (let i = 0; i < names.length; i++) Array.prototype[names[i]] = saved[i]; for (let i = 0; i < others.length; i++) others[i][0][others[i][1]] = savedOthers[i]; };\n' +
      'for (let i = 0; i < names.length; i++) Array.prototype[names[i]] = hit;\n' +
      'for (let i = 0; i < others.length; i++) others[i][0][others[i][1]] = hit;\n';
    const plain: string[] = [];
    const off = k.kernel.onEvent('display', (b) => plain.push(String(b.data.find((d) => d.mime === 'text/plain')?.data)));
    k.console.length = 0;
    try {
      const r = await k.run(
        `${patch}try {\n` +
          "console.table([{ a: 1, b: 'x' }, { a: 2 }], ['a']); console.table(m); console.count('c'); console.count('c');\n" +
          "console.assert(false, 'nope', 1); console.dir({ d: 1 }); console.log('x', { y: [1, 2] }, s3);\n" +
          "display.table([{ n: 1, s: '<b>' }, { n: 22 }]);\n" +
          '} catch (e) { restore(); throw e }\n' +
          '({ list: [1, { deep: true }], m, s: sv })',
      );
      assert.equal(r.status, 'ok', JSON.stringify(r));
      const value = r.value as ObjectValue;
      assert.equal(value.preview, "{ list: [ 1, [Object] ], m: Map(1) { 'k' => [Object] }, s: Set(1) { 'v' } }");
      const page = await k.kernel.expand({ handleId: value.handle!.id, start: 0, count: 10 });
      assert.deepEqual(
        page.items.map((i) => i.name),
        ['list', 'm', 's', '[[Prototype]]'],
      );
      const map = await k.kernel.expand({ handleId: (page.items[1]!.value as ObjectValue).handle!.id, start: 0, count: 10 });
      assert.deepEqual(map.items[0]?.key, { type: 'string', value: 'k', length: 1 });
      await k.kernel.variables();
      await sleep(50);
      assert.deepEqual(
        k.console.map((e) => e.text),
        [
          ['┌─────────┬───┐', '│ (index) │ a │', '├─────────┼───┤', '│ 0       │ 1 │', '│ 1       │ 2 │', '└─────────┴───┘'].join('\n'),
          [
            '┌───────────────────┬─────┬──────────┐',
            '│ (iteration index) │ Key │ Values   │',
            '├───────────────────┼─────┼──────────┤',
            "│ 0                 │ 'k' │ { v: 1 } │",
            '└───────────────────┴─────┴──────────┘',
          ].join('\n'),
          'c: 1',
          'c: 2',
          'Assertion failed: nope 1',
          '{ d: 1 }',
          'x { y: [ 1, 2 ] } Set(1) { 3 }',
        ],
      );
      assert.equal(plain[0], ['┌────┬─────┐', '│ n  │ s   │', '├────┼─────┤', '│ 1  │ <b> │', '│ 22 │     │', '└────┴─────┘'].join('\n'));
    } finally {
      off();
    }
    // the replacements were never called (counted before they go)
    assert.equal(await k.value('const seen = calls; restore(); seen'), '0');
  });

  it('formats console calls like Node, with levels, groups, tables, counters, asserts and traces', async () => {
    k.console.length = 0;
    const r = await k.run(
      [
        'console.log("a %s %d %i %f %o %O %c%%", "b", 4.5, 7.9, "1.5", [1], {o: 1}, "color: red");',
        'console.warn("w"); console.error("e"); console.group("g"); console.info("in"); console.groupEnd();',
        'console.table([{ c: 1 }]); console.count(); console.count(); console.assert(1 === 2, "nope");',
        'console.trace("here"); console.debug({ deep: { a: { b: { c: 1 } } } });',
      ].join('\n'),
    );
    assert.equal(r.status, 'ok', JSON.stringify(r));
    await sleep(100);
    const seen = k.console.map((e) => [e.method, e.level, e.depth, e.text]);
    assert.deepEqual(seen.slice(0, 5), [
      ['log', 'log', 0, 'a b 4.5 7 1.5 [ 1 ] { o: 1 } %'],
      ['warn', 'warn', 0, 'w'],
      ['error', 'error', 0, 'e'],
      ['group', 'log', 0, 'g'],
      ['info', 'info', 1, 'in'],
    ]);
    assert.deepEqual(k.console[5]!.table, { columns: ['(index)', 'c'], rows: [['0', '1']] });
    assert.deepEqual(
      k.console.slice(6, 8).map((e) => e.text),
      ['default: 1', 'default: 2'],
    );
    const failed = k.console[8]!;
    assert.deepEqual([failed.method, failed.level, failed.text, failed.frames?.[0]?.line], ['assert', 'error', 'Assertion failed: nope', 3]);
    const trace = k.console[9]!;
    assert.deepEqual([trace.text, trace.frames?.[0]?.line], ['Trace: here', 4]);
    assert.equal(k.console[10]!.text, '{ deep: { a: { b: [Object] } } }');
    assert.equal(k.console[10]!.values?.[0]?.type, 'object');
  });

  it('previews a 1e6-element array in a few hundred bytes and pages through it', async () => {
    const r = await k.run('Array.from({ length: 1e6 }, (_, i) => i)');
    assert.ok(JSON.stringify(r).length < 1024, JSON.stringify(r));
    const v = (r as { value: ObjectValue }).value;
    assert.equal(v.size, 1e6);
    const page = await k.kernel.expand({ handleId: v.handle!.id, start: 500_000, count: 3 });
    assert.deepEqual(
      page.items.map((i) => [i.name, i.value]),
      [0, 1, 2].map((d) => [String(500_000 + d), { type: 'number', text: String(500_000 + d) }]),
    );
    assert.equal(page.handle.kernelId, k.kernel.info.kernelId);
  });

  it('expands objects without invoking getters; circular values keep their handle', async () => {
    const r = await k.run('let reads = 0; const o = { a: 1, get g() { reads++; return 2 }, nested: { m: new Map([[1, "one"]]) } }; o.self = o; o');
    const v = (r as { value: ObjectValue }).value;
    // as Node previews it: the object a [Circular *1] points back to is marked <ref *1>
    assert.equal(v.preview, '<ref *1> { a: 1, g: [Getter], nested: { m: [Map] }, self: [Circular *1] }');
    const page = await k.kernel.expand({ handleId: v.handle!.id, start: 0, count: 10 });
    assert.deepEqual(
      page.items.map((i) => i.name),
      ['a', 'g', 'nested', 'self', '[[Prototype]]'],
    );
    assert.equal(page.items[1]!.accessor, 'get');
    assert.equal((page.items[3]!.value as ObjectValue).handle!.id, v.handle!.id);
    assert.equal(await k.value('reads'), '0');
  });

  it('maps errors to the cell line, with name and message', async () => {
    const err = errorOf(await k.run('const ok = 1;\nfunction boom() {\n  throw new RangeError("nope");\n}\nboom()'));
    assert.deepEqual([err.name, err.message, err.location?.line, err.location?.column], ['RangeError', 'nope', 3, 9]);
    assert.match(err.stack!, /at boom \(cell\[\d+\]:3:9\)/);
    assert.ok(!/coda-cell|prelude/.test(err.stack!), err.stack);
    const syntax = errorOf(await k.run('let = = 2'));
    assert.equal(syntax.name, 'SyntaxError');
  });

  it('attributes timer output to its cell and reports background work', async () => {
    k.console.length = 0;
    k.events.length = 0;
    const r = await k.run(
      'let ticks = 0; const iv = setInterval(() => { if (++ticks === 3) clearInterval(iv) }, 5); setTimeout(() => console.log("later"), 50); "started"',
      { cellId: 'timer-cell' },
    );
    assert.equal(r.status, 'ok');
    await sleep(400);
    const late = k.console.find((e) => e.text === 'later');
    assert.equal(late?.cellId, 'timer-cell');
    const work = k.events.filter((e) => e.name === 'cellWork').map((e) => e.body as { cellId: string; pending: number });
    assert.ok(
      work.some((w) => w.cellId === 'timer-cell' && w.pending > 0),
      JSON.stringify(work),
    );
    assert.ok(
      work.some((w) => w.cellId === 'timer-cell' && w.pending === 0),
      JSON.stringify(work),
    );
    assert.equal(await k.value('ticks'), '3');
  });

  it('reports an error thrown in a timer callback against its cell', async () => {
    k.events.length = 0;
    await k.run('setTimeout(() => { throw new TypeError("late failure") }, 10)', { cellId: 'late-cell' });
    const u = await k.waitFor('uncaught', (b) => b.cellId === 'late-cell');
    assert.deepEqual([u.error.name, u.error.message], ['TypeError', 'late failure']);
  });

  it('interrupts a synchronous loop, an async loop and a hung await, keeping state', async () => {
    await k.run('const kept = "yes"');
    assert.equal(await interruptAfter(k, 'while (true) {}'), 'interrupted');
    assert.equal(await k.value('kept'), 'yes');
    assert.equal(await interruptAfter(k, 'for (;;) { await new Promise((r) => setTimeout(r, 1)) }'), 'interrupted');
    assert.equal(await k.value('kept'), 'yes');
    assert.equal(await interruptAfter(k, 'await new Promise(() => {})'), 'interrupted');
    assert.equal(await interruptAfter(k, 'for (;;) { await null }'), 'interrupted');
    assert.equal(await k.value('kept'), 'yes');
  });

  it('shows only granted environment variables and the secrets', async () => {
    assert.equal(await k.value(`env.${GRANTED}`), 'visible-value');
    assert.equal(await k.value(`typeof env.${HIDDEN}`), 'undefined');
    assert.equal(await k.value('env.SECRET_TOKEN.length'), String('s3cr3t-value'.length));
    assert.equal(await k.value('Object.isFrozen(env)'), 'true');
    assert.equal(await k.value('Object.keys(env).sort().join()'), `${GRANTED},SECRET_TOKEN`);
  });

  it('fetches from a granted host, follows a granted redirect', async () => {
    const r = await k.run(`const res = await fetch("${base}/json"); [res.status, res.ok, res.headers.get("content-type"), (await res.json()).hello].join()`);
    assert.equal(r.status === 'ok' && r.value?.type === 'string' && r.value.value, '200,true,application/json,sandbox');
    assert.equal(
      await k.value(`const r2 = await fetch("${base}/redirect-ok"); [r2.status, r2.redirected, await r2.text()].join()`),
      '200,true,{"hello":"sandbox","n":1}',
    );
  });

  it('aborts a fetch through an AbortController or AbortSignal.timeout: the promise rejects with the reason, the request stops, the cell is done', async () => {
    closedEarly.length = 0;
    const t = Date.now();
    assert.equal(
      await k.value(
        `const c = new AbortController(); const p = fetch("${base}/slow", { signal: c.signal }); setTimeout(() => c.abort(), 50); await p.catch((e) => e.name)`,
      ),
      'AbortError',
    );
    assert.equal(await k.value(`await fetch("${base}/slow", { signal: AbortSignal.timeout(80) }).catch((e) => e.name)`), 'TimeoutError');
    assert.ok(Date.now() - t < 2500, 'the aborted fetches did not wait for the answer');
    for (let i = 0; i < 50 && closedEarly.length < 2; i++) await sleep(20);
    assert.deepEqual(closedEarly, ['/slow', '/slow'], 'the host closed both requests');
    // a signal aborted already: no request at all; one of another kind: refused in words
    hits.length = 0;
    assert.equal(await k.value(`await fetch("${base}/json", { signal: AbortSignal.abort("not now") }).catch((e) => e)`), 'not now');
    assert.deepEqual(hits, []);
    assert.match(await k.value(`await fetch("${base}/json", { signal: { aborted: true } }).catch((e) => e.message)`), /init\.signal must be an AbortSignal/);
    // no fetch left as the cell's background work
    assert.equal(await k.value(`await fetch("${base}/json", { signal: new AbortController().signal }).then((r) => r.status)`), '200');
  });

  it('denies other hosts with PermissionDenied before connecting, also on a redirect', async () => {
    const err = errorOf(await k.run('await fetch("http://example.com/")'));
    assert.deepEqual([err.name, err.message], ['PermissionDenied', permissionDenied('net', 'example.com').message]);
    hits.length = 0;
    const hop = errorOf(await k.run(`await fetch("${base}/redirect-away")`));
    assert.deepEqual([hop.name, hop.message], ['PermissionDenied', permissionDenied('net', 'localhost').message]);
    assert.deepEqual(hits, ['/redirect-away'], 'the denied redirect target was never requested');
    assert.equal(await k.value('await fetch("http://example.com").then(() => "fetched", (e) => e instanceof Error && e.name)'), 'PermissionDenied');
  });
});

describe('sandbox limits', function () {
  this.timeout(60_000);
  before(function () {
    skipWithoutSandbox(this);
  });

  it('a cell over the time limit fails in words and the state is kept', async () => {
    const k = await startSandbox({ sandbox: { cellTimeoutMs: 300 } });
    try {
      await k.run('const kept = 7');
      const err = errorOf(await k.run('while (true) {}'));
      assert.match(err.message, /^The cell ran for more than 300 ms without pausing and was stopped/);
      assert.equal(await k.value('kept'), '7');
      assert.equal(await k.value('await new Promise((r) => setTimeout(() => r("slow but fine"), 500))'), 'slow but fine');
    } finally {
      await k.kernel.dispose();
    }
  });

  it('running out of memory is reported, the worker exits, and the next kernel works', async () => {
    const k = await startSandbox({ sandbox: { memoryMb: 64 } });
    const exited = new Promise<string>((resolve) => k.kernel.onExit((e) => resolve(e.reason)));
    const outcome = await k.run('const a = []; for (;;) a.push("x".repeat(1000) + Math.random())').then(
      (r) => errorOf(r).message,
      (err: Error) => err.message,
    );
    assert.match(outcome, /ran out of memory \(limit 64 MB\)/);
    assert.match(await Promise.race([exited, sleep(STOPPED_WITHIN_MS).then(() => 'did not exit')]), /sandbox ran out of memory \(limit 64 MB\)/);
    const next = await startSandbox({ sandbox: { memoryMb: 64 } });
    try {
      assert.equal(await next.value('1 + 1'), '2');
    } finally {
      await next.kernel.dispose();
    }
  });
});
