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
  let served = 0;

  before(async function () {
    skipWithoutSandbox(this);
    const body = Buffer.alloc(BODY_BYTES, 97);
    server = createServer((_req, res) => {
      served++;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => server?.close());

  it('refuses new fetches once the responses not taken in are over the memory limit, and takes them all in later', async () => {
    const k = await startSandbox({ permissions: { net: ['127.0.0.1'] }, sandbox: { memoryMb: 32 } });
    try {
      served = 0;
      // the isolate stays busy while it starts a fetch every 50 ms: none of the responses can enter it meanwhile
      const r = await k.run(
        `globalThis.refused = []; globalThis.read = 0;
         const t = Date.now(); let next = t;
         while (Date.now() - t < 3000) {
           if (Date.now() >= next) { next += 50; fetch(${JSON.stringify(base)}).then((r) => r.arrayBuffer()).then((b) => { read += b.byteLength }, (e) => refused.push(e.name + ': ' + e.message)); }
         }
         'started'`,
      );
      assert.equal(r.status, 'ok');
      // every response that was fetched is taken in once the isolate is free
      for (let i = 0; i < 100 && Number(await k.value('read')) < served * BODY_BYTES; i++) await new Promise((w) => setTimeout(w, 100));
      assert.ok(Number(await k.value('refused.length')) > 0, 'some fetches were refused');
      const other = await k.value(`JSON.stringify(refused.find((e) => !/^RangeError: The sandbox holds \\d+ MB of fetched responses/.test(e)) ?? null)`);
      assert.equal(other, 'null', 'every refusal says why');
      // 32 MB of memory: at most 32 MB of base64 held, and the fetch that went over it
      assert.ok(served <= 10, `${served} responses were fetched for a sandbox of 32 MB`);
      assert.equal(Number(await k.value('read')), served * BODY_BYTES, 'every fetched response was read');
      // and once they are in, a fetch goes through again
      assert.equal(await k.value(`(await (await fetch(${JSON.stringify(base)})).arrayBuffer()).byteLength`), String(BODY_BYTES));
    } finally {
      await k.kernel.dispose();
    }
  });
});
