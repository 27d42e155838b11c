/**
 * What the host holds for a Sandbox's fetches stays bounded (worker/isolate/IsolateRuntime.ts): a fetch counts against
 * the 64 at once until the isolate has taken its response in, not only while its request runs, and responses waiting
 * for a busy isolate may not grow past the sandbox's memory limit (a cell that kept the isolate busy while it started
 * fetch after fetch grew the kernel process from 68 MB to 9 GB in 33 s). And a request's headers are refused when
 * there are too many or one is too long, never cut (sandboxFetch.ts checkFetchRequest).
 */
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkFetchRequest, MAX_FETCH_HEADER_VALUE_CHARS, MAX_FETCH_HEADERS } from '../../../worker/isolate/sandboxFetch';
import { skipWithoutSandbox, startSandbox } from '../helpers/sandboxKernel';

/** Bytes of each response of the server below. */
const BODY_BYTES = 4 * 1024 * 1024;

describe('the Sandbox host: fetch requests are refused, never cut', () => {
  const permissions = { net: ['127.0.0.1'] };
  const request = (headers: unknown) => checkFetchRequest({ url: 'http://127.0.0.1:1/', method: 'GET', headers }, permissions);

  it('takes as many headers as allowed, whole', () => {
    const pairs = Array.from({ length: MAX_FETCH_HEADERS }, (_, i) => [`x-${i}`, 'v'.repeat(i === 0 ? MAX_FETCH_HEADER_VALUE_CHARS : 1)]);
    const r = request(pairs);
    assert.ok(!('name' in r), JSON.stringify(r).slice(0, 200));
    assert.equal(r.headers.length, MAX_FETCH_HEADERS);
    assert.equal(r.headers[0]![1].length, MAX_FETCH_HEADER_VALUE_CHARS);
  });

  it('refuses one header too many (the last, an Authorization or a multipart content-type, was dropped)', () => {
    const pairs = [...Array.from({ length: MAX_FETCH_HEADERS }, (_, i) => [`x-${i}`, 'v']), ['authorization', 'Bearer t']];
    const r = request(pairs);
    assert.ok('name' in r);
    assert.equal(r.name, 'RangeError');
    assert.match(r.message, /more than 200 request headers/);
  });

  it('refuses a header value or name over its length', () => {
    for (const pair of [
      ['x-long', 'v'.repeat(MAX_FETCH_HEADER_VALUE_CHARS + 1)],
      ['x'.repeat(1001), 'v'],
    ]) {
      const r = request([pair]);
      assert.ok('name' in r, pair[0]!.slice(0, 10));
      assert.equal(r.name, 'RangeError');
    }
  });
});

describe('the Sandbox host: responses waiting for a busy isolate are bounded', function () {
  this.timeout(60_000);
  let server: Server;
  let base = '';

  before(async function () {
    skipWithoutSandbox(this);
    const body = Buffer.alloc(BODY_BYTES, 97);
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => server?.close());

  /**
   * Runs `loop` in a busy isolate that starts fetches (none of whose responses can enter it meanwhile), then waits
   * for every one to be taken in or refused; returns how many started, were read and were refused, and the refusals
   * that do not say why.
   */
  const busyFetches = async (k: Awaited<ReturnType<typeof startSandbox>>, loop: string) => {
    const r = await k.run(
      `globalThis.refused = []; globalThis.read = 0; globalThis.started = 0;
       const go = () => { started++; fetch(${JSON.stringify(base)}).then((r) => r.arrayBuffer()).then((b) => { read += b.byteLength }, (e) => refused.push(e.name + ': ' + e.message)); };
       ${loop}
       'started'`,
    );
    assert.equal(r.status, 'ok');
    const settled = async () => Number(await k.value('read')) / BODY_BYTES + Number(await k.value('refused.length')) === Number(await k.value('started'));
    for (let i = 0; i < 200 && !(await settled()); i++) await new Promise((w) => setTimeout(w, 100));
    assert.ok(await settled(), 'every fetch was taken in or refused');
    return {
      started: Number(await k.value('started')),
      read: Number(await k.value('read')) / BODY_BYTES,
      refused: Number(await k.value('refused.length')),
      unexplained: await k.value(`JSON.stringify(refused.find((e) => !/^RangeError: The sandbox holds \\d+ MB of fetched responses/.test(e)) ?? null)`),
    };
  };

  // 32 MB of memory: at most 32 MB held, in base64 (a response of 4 MB is 5.3 MB of it), and the fetch that went over it
  const MOST_TAKEN_IN = 10;

  it('refuses new fetches once the responses not taken in are over the memory limit, and takes them all in later', async () => {
    const k = await startSandbox({ permissions: { net: ['127.0.0.1'] }, sandbox: { memoryMb: 32 } });
    try {
      // a fetch every 50 ms for 3 s while the isolate stays busy
      const f = await busyFetches(k, `const t = Date.now(); let next = t; while (Date.now() - t < 3000) { if (Date.now() >= next) { next += 50; go(); } }`);
      assert.ok(f.refused > 0, 'some fetches were refused');
      assert.equal(f.unexplained, 'null', 'every refusal says why');
      // each response taken in was held at once (the isolate was busy throughout): the bound, whatever the timing
      assert.ok(f.read <= MOST_TAKEN_IN, `${f.read} responses of 4 MB were held for a sandbox of 32 MB (${f.started} fetches)`);
      assert.ok(f.read > 0, 'the responses within the limit were taken in');
      // and once they are in, a fetch goes through again
      assert.equal(await k.value(`(await (await fetch(${JSON.stringify(base)})).arrayBuffer()).byteLength`), String(BODY_BYTES));
    } finally {
      await k.kernel.dispose();
    }
  });

  it('fetches started together, before any response came in, cannot hold more than the limit between them', async () => {
    const k = await startSandbox({ permissions: { net: ['127.0.0.1'] }, sandbox: { memoryMb: 32 } });
    try {
      // 60 at once (64 may run), then busy for 2 s: their bodies arrive side by side, counted as they download
      const f = await busyFetches(k, `for (let i = 0; i < 60; i++) go(); const t = Date.now(); while (Date.now() - t < 2000) {}`);
      assert.equal(f.started, 60);
      assert.equal(f.unexplained, 'null', 'every refusal says why');
      assert.ok(f.read <= MOST_TAKEN_IN, `${f.read} responses of 4 MB were held for a sandbox of 32 MB`);
      assert.ok(f.read > 0 && f.refused > 0, `${f.read} taken in, ${f.refused} refused`);
    } finally {
      await k.kernel.dispose();
    }
  });
});
