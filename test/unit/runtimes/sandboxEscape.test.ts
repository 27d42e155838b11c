/**
 * Escape attempts against the sandbox: each is a cell; the host holds a canary (an environment variable the notebook
 * was NOT granted, and a temp file path the isolate must never create). An attempt escapes when the canary value
 * shows up in anything the kernel sends, when the file exists, or when the attempt reaches `process`. Resource
 * exhaustion must end in words (an error, or the worker reporting its exit), never a hang.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecuteResult } from '../../../protocol';
import { requireRuntimes, runtimeBinary } from '../../runtimeBinaries';
import { sleep, startKernel, type TestKernel } from '../helpers/testKernel';

const CANARY_NAME = 'CODA_ESCAPE_CANARY';
const CANARY_VALUE = 'canary-5f1e0b7a-not-granted';
/** Generous bound: an attempt that has not ended by then counts as a hang. */
const ATTEMPT_MS = 20_000;

/** `grab` tries to use whatever it is given as Node's `process`: read the canary and create the file. */
const grabber = (file: string) => `globalThis.grab = (p) => {
  try {
    if (!p || typeof p !== 'object') return 'no process: ' + typeof p;
    const value = p.env && p.env.${CANARY_NAME};
    try { p.mainModule.require('fs').writeFileSync(${JSON.stringify(file)}, 'x') } catch {}
    try { p.binding('fs') } catch {}
    return 'ESCAPED ' + value;
  } catch (e) { return 'blocked: ' + e }
}`;

const attempts: { name: string; code: string }[] = [
  { name: 'console.log.constructor', code: 'grab(console.log.constructor("return process")())' },
  { name: 'console object constructor chain', code: 'grab(console.constructor.constructor("return process")())' },
  { name: 'fetch.constructor', code: 'grab(fetch.constructor("return this")().process)' },
  { name: 'env constructor chain', code: 'grab(env.constructor.constructor("return process")())' },
  { name: 'display.constructor', code: 'grab(display.constructor("return process")())' },
  { name: 'display.html.constructor', code: 'grab(display.html.constructor("return typeof process === \'object\' ? process : undefined")())' },
  { name: 'setTimeout.constructor', code: 'grab(setTimeout.constructor("return process")())' },
  { name: 'clearTimeout global this', code: 'grab(clearTimeout.constructor("return globalThis")().process)' },
  { name: 'queueMicrotask.constructor', code: 'grab(queueMicrotask.constructor("return process")())' },
  { name: 'error thrown by the host bridge', code: 'try { setTimeout("code") } catch (e) { grab(e.constructor.constructor("return process")()) }' },
  { name: 'PermissionDenied error from fetch', code: 'await fetch("http://evil.invalid/").catch((e) => grab(e.constructor.constructor("return process")()))' },
  {
    name: 'Response object and its methods',
    code: 'const res = await fetch(BASE); grab(res.json.constructor("return process")()) + grab(res.headers.get.constructor("return process")())',
  },
  { name: 'promise returned across the bridge', code: 'const pr = fetch(BASE); grab(pr.then.constructor("return process")())' },
  { name: 'thenable returned as a cell value', code: '({ then(resolve) { resolve(grab(typeof process === "object" ? process : undefined)) } })' },
  { name: 'Function("return this")', code: 'grab(Function("return this")().process)' },
  { name: 'indirect eval', code: 'grab((0, eval)("this").process)' },
  { name: 'AsyncFunction constructor', code: 'grab(await (async function () {}).constructor("return process")())' },
  { name: 'GeneratorFunction constructor', code: 'grab((function* () {}).constructor("yield process")().next().value)' },
  { name: 'transform hooks', code: 'grab(__coda$run.constructor("return process")()) + String(__coda$line.caller)' },
  {
    name: 'arguments.callee.caller in a timer callback',
    code: 'await new Promise((r) => setTimeout(function () { r(grab(arguments.callee.caller && arguments.callee.caller.constructor("return process")())) }, 1))',
  },
  {
    name: 'Object.prototype pollution then bridges',
    code: 'Object.prototype.toJSON = function () { return { t: "console", entries: [{ method: "log", text: "forged" }] } }; Object.defineProperty(Object.prototype, "cellId", { get() { return "forged" }, set() {}, configurable: true }); console.log("after pollution"); delete Object.prototype.toJSON; delete Object.prototype.cellId; "polluted"',
  },
  {
    name: 'bridged object pollution',
    code: 'console.log.__proto__.call = () => "hijacked"; Object.prototype.__proto__; env.__proto__.injected = 1; display.constructor.prototype.apply = () => 1; console.log("still works"); delete console.log.__proto__.call; delete display.constructor.prototype.apply; delete env.__proto__.injected; "ok"',
  },
  {
    name: 'Array.prototype pollution then bridges',
    code: 'const keep = Array.prototype.toJSON; Array.prototype.toJSON = () => "x"; console.log("arrays polluted", [1, 2]); delete Array.prototype.toJSON; "ok"',
  },
  {
    name: 'Error.prepareStackTrace frame walking',
    code: 'const seen = []; Error.prepareStackTrace = (e, frames) => { for (const f of frames) { seen.push(f.getFunction && f.getFunction(), f.getThis && f.getThis()) } return "" }; console.trace("walk"); setTimeout(() => {}, 1); Error.prepareStackTrace = undefined; seen.filter(Boolean).map((f) => grab(typeof f === "function" ? f.constructor("return process")() : f.process)).join()',
  },
  {
    name: 'async stack trick',
    code: 'async function deep() { await null; throw new Error("x") } await deep().catch((e) => { Error.captureStackTrace(e); return grab(e.constructor.constructor("return process")()) })',
  },
  {
    name: 'Symbol.toPrimitive on a delay the host copies',
    code: 'setTimeout(() => {}, { [Symbol.toPrimitive]() { return grab(typeof process === "object" ? process : undefined) } })',
  },
  {
    name: 'getters on a fetch init the host copies',
    code: 'await fetch(BASE, { get method() { return "GET" }, headers: { get x() { return grab(this.constructor.constructor("return process")()) } } }).then((r) => r.status)',
  },
  {
    name: 'Symbol.species on promises the bridge makes',
    code: 'class Evil extends Promise { static get [Symbol.species]() { return Promise } } Object.defineProperty(Promise, Symbol.species, { get() { return Evil }, configurable: true }); const out = await fetch(BASE).then((r) => r.status); delete Promise[Symbol.species]; out',
  },
  // the web APIs of the prelude (makeWebApis.ts) and the two answers the host gives them (webAnswers.ts)
  {
    name: 'web API constructor chains (URL, TextEncoder, crypto, structuredClone, performance)',
    code: 'grab(URL.constructor("return process")()) + grab(new URL("https://x.dev").constructor.constructor("return process")()) + grab(TextEncoder.constructor("return process")()) + grab(crypto.getRandomValues.constructor("return process")()) + grab(structuredClone.constructor("return process")()) + grab(performance.now.constructor("return process")()) + grab(URLSearchParams.prototype.append.constructor("return process")())',
  },
  {
    name: 'URL parts the host copies, shaped to pollute (__proto__, constructor, oversized, non-strings)',
    code: 'const u = new URL("https://x.dev/"); for (const k of ["__proto__", "constructor", "searchParams", "toString"]) { try { u[k] = { toString() { return grab(typeof process === "object" ? process : undefined) } } } catch {} } const big = "https://x.dev/" + "a".repeat(200000); [URL.canParse(big), URL.canParse({ toString() { return "https://ok.dev" } }), u.href, ({}).polluted === undefined].join()',
  },
  {
    name: 'Object.prototype pollution then URL and crypto (the host reads only its own keys)',
    code: 'Object.defineProperty(Object.prototype, "key", { get() { return "__proto__" }, configurable: true }); Object.prototype.n = 1e9; const r = [new URL("https://x.dev/a?b=1").search, crypto.getRandomValues(new Uint8Array(8)).length, crypto.randomUUID().length]; delete Object.prototype.key; delete Object.prototype.n; r.join()',
  },
  {
    name: 'crypto.subtle.digest: constructor chains, a polluted Object.prototype, an algorithm object whose name is a getter, a Promise.prototype.then replaced',
    code: 'Object.defineProperty(Object.prototype, "b64", { get() { return grab(typeof process === "object" ? process : undefined) }, configurable: true }); Object.prototype.algorithm = "constructor"; const realThen = Promise.prototype.then; Promise.prototype.then = function (a, b) { grab(typeof process === "object" ? process : undefined); return realThen.call(this, a, b) }; let d; try { d = await crypto.subtle.digest({ get name() { grab(typeof require === "function" ? require : undefined); return "SHA-256" } }, new Uint8Array(3)) } finally { Promise.prototype.then = realThen; delete Object.prototype.b64; delete Object.prototype.algorithm } [d.byteLength, grab(crypto.subtle.digest.constructor("return typeof process === \'object\' ? process : undefined")()), grab(Promise.prototype.then.constructor("return typeof process === \'object\' ? process : undefined")()), await crypto.subtle.sign().catch((e) => e.name)].join()',
  },
  {
    name: 'abort and event APIs: constructor chains, a listener that throws, a fetch aborted mid-flight',
    code: 'const ctl = new AbortController(); ctl.signal.addEventListener("abort", { handleEvent() { throw new Error(grab(typeof process === "object" ? process : undefined)) } }); const f = fetch(BASE, { signal: ctl.signal }).catch((e) => e.name); ctl.abort(); [grab(AbortSignal.timeout.constructor("return process")()), grab(EventTarget.prototype.dispatchEvent.constructor("return process")()), await f].join()',
  },
  {
    name: 'a getter on a cloned object runs inside the isolate only',
    code: 'structuredClone({ get x() { return grab(typeof process === "object" ? process : undefined) } }).x',
  },
  // Headers, Request, Response, Blob, File, FormData and TextDecoder (makeFetchApis.ts, makeBlobApis.ts…): no new bridge
  {
    name: 'fetch class constructor chains (Headers, Request, Response, Blob, File, FormData, TextDecoder, their iterators)',
    code: 'grab(Headers.constructor("return process")()) + grab(new Headers().entries().next.constructor("return process")()) + grab(Response.json.constructor("return process")()) + grab(Request.prototype.clone.constructor("return process")()) + grab(Blob.prototype.text.constructor("return process")()) + grab(File.constructor("return process")()) + grab(Object.getPrototypeOf(new FormData().entries()).next.constructor("return process")()) + grab(new TextDecoder("utf-16le").decode.constructor("return process")())',
  },
  {
    name: 'a fetched Response: its headers, clone, blob and formData',
    code: 'const fr = await fetch(BASE); const fb = await fr.clone().blob(); [grab(fr.headers.constructor.constructor("return process")()), grab(Object.getPrototypeOf(fr).constructor.constructor("return process")()), grab(fb.constructor.constructor("return process")()), await fr.formData().catch((e) => grab(e.constructor.constructor("return process")())), (() => { try { fr.headers.set("x", "1") } catch (e) { return e.name } })()].join()',
  },
  {
    name: 'a Blob of huge parts and a FormData of huge Files (bounded by the memory limit, a body by 10 MB)',
    code: 'const chunk = new Blob([new Uint8Array(8 * 1024 * 1024)]); const fd = new FormData(); for (let i = 0; i < 4; i++) fd.append("f" + i, chunk); const sent = await fetch(BASE, { method: "POST", body: fd }).then(() => "SENT", (e) => e.name); const parts = []; for (let i = 0; i < 4096; i++) parts.push(chunk); sent + " " + new Blob(parts).size',
  },
  { name: 'import() of a Node module', code: 'await import("node:child_process").then((m) => grab(m), (e) => "refused: " + e.message)' },
  { name: 'eval of a dynamic import', code: 'await eval("import(\'fs\')").then((m) => "ESCAPED import", (e) => "refused: " + e.message)' },
  { name: 'WebAssembly', code: '[typeof WebAssembly, typeof globalThis.WebAssembly].join()' },
  { name: 'SharedArrayBuffer and Atomics', code: '[typeof SharedArrayBuffer, typeof Atomics].join()' },
  {
    name: 'globalThis keys hold nothing of the host',
    code: 'Object.getOwnPropertyNames(globalThis).filter((k) => /^(process|require|module|exports|Buffer|ivm|_ivm|isolated-vm|global)$/.test(k)).join() || "none"',
  },
  {
    name: 'a Proxy value previewed by the host',
    code: 'new Proxy({}, { ownKeys() { return grab(typeof process === "object" ? process : undefined) && [] }, getPrototypeOf() { return null } })',
  },
  { name: 'deep recursion', code: 'function down(n) { return down(n + 1) + 1 } down(0)' },
  { name: 'timer flood', code: 'for (let i = 0; i < 1e6; i++) setTimeout(() => {}, 1e7)' },
  { name: 'console flood', code: 'for (let i = 0; i < 2e5; i++) console.log("flood " + i); "flooded"' },
  { name: 'giant string', code: 'let s = "x"; for (;;) s += s; s.length' },
  { name: 'endless loop', code: 'while (true) {}' },
  { name: 'memory bomb', code: 'const hoard = []; for (;;) hoard.push(new Array(1e5).fill(Math.random()))' },
];

/** Node 24 and isolated-vm from the runtime store (see sandbox.test.ts, which starts kernels the same way). */
function sandboxPaths(): { node: string; modulesDir: string } | undefined {
  const node = runtimeBinary('node');
  const modulesDir = runtimeBinary('isolated-vm');
  return node && modulesDir ? { node, modulesDir } : undefined;
}

describe('sandbox escape corpus', function () {
  this.timeout(300_000);
  let k: TestKernel | undefined;
  let server: Server;
  let base = '';
  let file = '';
  let sent = '';

  async function kernel(): Promise<TestKernel> {
    if (k?.kernel.alive) return k;
    const paths = sandboxPaths()!;
    k = await startKernel({
      nodePath: paths.node,
      execArgv: ['--no-node-snapshot'],
      init: { runtime: 'sandbox', sandbox: { modulesDir: paths.modulesDir, memoryMb: 64, cellTimeoutMs: 3000 }, permissions: { net: ['127.0.0.1'] } },
    });
    for (const name of ['console', 'display', 'uncaught', 'cellWork', 'lineValue'] as const)
      k.kernel.onEvent(name, (b) => (sent += JSON.stringify(b).slice(0, 100_000)));
    const r = await k.run(`${grabber(file)}; globalThis.BASE = ${JSON.stringify(base)}`);
    assert.equal(r.status, 'ok', JSON.stringify(r));
    return k;
  }

  before(async function () {
    if (!sandboxPaths()) {
      if (requireRuntimes) throw new Error('Node 24 / isolated-vm missing from the runtime store and CODA_REQUIRE_RUNTIMES is set');
      this.skip();
    }
    process.env[CANARY_NAME] = CANARY_VALUE;
    file = join(mkdtempSync(join(tmpdir(), 'coda-escape-')), 'pwned.txt');
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    await k?.kernel.dispose();
    server?.close();
    delete process.env[CANARY_NAME];
  });

  it(`holds against ${attempts.length} escape attempts`, async () => {
    const escapes: string[] = [];
    const outcomes: string[] = [];
    for (const a of attempts) {
      const kk = await kernel();
      const exited = new Promise<string>((resolve) => kk.kernel.onExit((e) => resolve(`kernel exited: ${e.reason}`)));
      const result: ExecuteResult | string = await Promise.race([
        kk.run(a.code).catch((err: Error) => `kernel exited: ${err.message}`),
        sleep(ATTEMPT_MS).then(() => 'HANG'),
      ]);
      await sleep(50);
      const text = typeof result === 'string' ? result : JSON.stringify(result);
      sent += text;
      const outcome =
        typeof result === 'string'
          ? result
          : result.status === 'error'
            ? `${result.error.name}: ${result.error.message}`
            : result.status === 'ok'
              ? result.value?.type === 'string'
                ? result.value.value
                : JSON.stringify(result.value)
              : result.status;
      if (text.includes('ESCAPED') || sent.includes(CANARY_VALUE) || existsSync(file)) escapes.push(`${a.name}: ${text.slice(0, 300)}`);
      assert.notEqual(outcome, 'HANG', `${a.name} hung the kernel`);
      // a lost sandbox (memory limit) ends its worker: wait for the exit it announced
      if (/variables are lost/.test(outcome)) await Promise.race([exited, sleep(5000)]);
      if (!kk.kernel.alive || outcome.startsWith('kernel exited')) {
        const why = await Promise.race([exited, sleep(5000).then(() => 'no exit reason')]);
        assert.match(`${outcome} ${why}`, /sandbox|memory|interrupt|stopped/i, `${a.name}: the kernel ended without saying why (${outcome}; ${why})`);
      }
      outcomes.push(`  ${a.name}: ${outcome.replace(/\s+/g, ' ').slice(0, 140)}`);
    }
    // the bridges still behave after everything above
    const kk = await kernel();
    kk.console.length = 0;
    assert.equal(await kk.value('console.log("bridge check", { a: 1 }); await new Promise((r) => setTimeout(() => r("timers ok"), 5))'), 'timers ok');
    await sleep(100);
    assert.deepEqual(
      kk.console.map((e) => e.text),
      ['bridge check { a: 1 }'],
    );
    assert.equal(await kk.value(`(await fetch(BASE)).status + " " + (await fetch("http://example.com").catch((e) => e.name))`), '200 PermissionDenied');
    assert.equal(await kk.value(`typeof env.${CANARY_NAME}`), 'undefined');
    console.log(`${outcomes.join('\n')}\nsandbox escape corpus: ${attempts.length} attempts, ${escapes.length} escapes`);
    assert.deepEqual(escapes, []);
    assert.ok(attempts.length >= 25);
  });
});
