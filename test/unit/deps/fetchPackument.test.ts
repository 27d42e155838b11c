/**
 * installer/fetchPackument.ts: a packument is handed over when its JSON closes, however the bytes are cut, when it
 * streams through the HTTP cache; fetched around the cache, when its body ends, the whole body kept for the cache.
 */
import cacache from 'cacache';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { inHttpCache, writeHeld } from '../../../installer/cacheBehind';
import { fetchPackument, JsonEnd } from '../../../installer/fetchPackument';

/** Feeds `text` cut at `cuts`; the index of the chunk at which JsonEnd said whole, or -1. */
function wholeAt(text: string, cuts: number[]): number {
  const bytes = Buffer.from(text);
  const end = new JsonEnd();
  const at = [0, ...cuts, bytes.length];
  for (let i = 0; i + 1 < at.length; i++) if (end.whole(bytes.subarray(at[i], at[i + 1]))) return i;
  return -1;
}

describe('a packument is whole when its JSON closes (installer/fetchPackument)', () => {
  it('not before: braces, brackets, quotes and escapes inside strings do not count', () => {
    const doc = JSON.stringify({ name: 'x', description: 'a } b ] c " d \\ e {', versions: { '1.0.0': { dist: { tarball: 'u' } } }, tags: ['}', '"]'] });
    for (let cut = 1; cut < doc.length; cut++) assert.equal(wholeAt(doc, [cut]), 1, `cut at ${cut}`);
    assert.equal(wholeAt(doc.slice(0, -1), []), -1, 'one byte short');
  });

  it('counts a multi-byte character split between chunks as text', () => {
    const doc = JSON.stringify({ author: 'Zoë }Ω{ ☃' });
    const bytes = Buffer.from(doc);
    for (let cut = 1; cut < bytes.length; cut++) assert.equal(wholeAt(doc, [cut]), 1, `cut at ${cut}`);
  });

  it('ends at the close, whitespace after it or not', () => {
    assert.equal(wholeAt('{"a":[1,{"b":2}]}\n', [5, 9]), 2);
    assert.equal(wholeAt('  {}', [1]), 1);
  });
});

/**
 * A registry serving one packument without a length, in pieces, whose response ends only when the test says (a slow
 * registry, or the HTTP cache still writing it): `endResponse` ends the open response, once its request has come.
 */
async function heldOpenRegistry(doc: string): Promise<{ url: string; endResponse(): Promise<void>; responseEnded(): boolean; close(): Promise<void> }> {
  const open: http.ServerResponse[] = [];
  let opened = () => undefined as void;
  let ended = false;
  const server = http.createServer((_req, res) => {
    // revalidated every time: a response for a cached packument streams through the cache
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
    const bytes = Buffer.from(doc);
    const third = Math.floor(bytes.length / 3);
    for (const [from, to] of [
      [0, third],
      [third, 2 * third],
      [2 * third, bytes.length],
    ] as const)
      res.write(bytes.subarray(from, to));
    ended = false;
    open.push(res);
    opened();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/left-pad`,
    endResponse: async () => {
      while (!open.length) await new Promise<void>((resolve) => (opened = resolve));
      ended = true;
      open.shift()!.end();
    },
    responseEnded: () => ended,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('a packument as fetched (installer/fetchPackument)', () => {
  const doc = JSON.stringify({
    name: 'left-pad',
    description: 'pads } with ] "quotes" \\ and Ω',
    versions: { '1.3.0': { name: 'left-pad', version: '1.3.0' } },
  });
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coda-packument-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Whether `p` settles within a few turns of the event loop and timers. */
  const settlesSoon = (p: Promise<unknown>) =>
    Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 150)),
    ]);

  it('fetched around an empty HTTP cache: parsed once its body ends, and the whole body is what the cache gets', async () => {
    const registry = await heldOpenRegistry(doc);
    const cache = path.join(dir, 'cacache');
    try {
      const fetched = fetchPackument(registry.url, 'left-pad', { registry: registry.url.replace(/left-pad$/, ''), cache });
      // every byte of the JSON has come, the body not ended: nothing to gain by reading it for its close
      assert.equal(await settlesSoon(fetched.doc), false, 'handed over before its body ended');
      await registry.endResponse();
      assert.deepEqual(await fetched.doc, JSON.parse(doc));
      await fetched.cached;
      await writeHeld();
      assert.equal(await inHttpCache(cache, registry.url), true, 'written behind into the HTTP cache');
      const entry = await cacache.get(cache, `make-fetch-happen:request-cache:${registry.url}`);
      assert.equal(entry.data.toString('utf8'), doc, 'the cache holds the body whole');
    } finally {
      await registry.close();
    }
  });

  it('streamed through the HTTP cache (an entry there): handed over when its JSON closes, before the response ends', async () => {
    const registry = await heldOpenRegistry(doc);
    const cache = path.join(dir, 'cacache');
    const opts = { registry: registry.url.replace(/left-pad$/, ''), cache };
    try {
      const first = fetchPackument(registry.url, 'left-pad', opts);
      await registry.endResponse();
      await first.doc;
      await first.cached;
      await writeHeld();
      assert.equal(await inHttpCache(cache, registry.url), true);
      const second = fetchPackument(registry.url, 'left-pad', opts);
      assert.deepEqual(await second.doc, JSON.parse(doc));
      assert.equal(registry.responseEnded(), false, 'the doc came before its response ended');
      await registry.endResponse();
      await second.cached;
    } finally {
      await registry.close();
    }
  });
});
