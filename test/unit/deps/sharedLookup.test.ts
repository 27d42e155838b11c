/**
 * installer/sharedLookup.ts: one system lookup per host at a time for all the registry connections an install opens
 * at once (a burst the system resolver may answer only after its 5 s timeout), answers kept LOOKUP_TTL_MS, failures
 * not kept; and the installer's agents (installer/registryAgents.ts) connect through it.
 */
import { strict as assert } from 'node:assert';
import type { LookupAddress, LookupAllOptions } from 'node:dns';
import { createServer, connect, type AddressInfo, type LookupFunction } from 'node:net';
import { LOOKUP_TTL_MS, installerLookup, sharedLookup } from '../../../installer/sharedLookup';
import { withRegistryAgents } from '../../../installer/registryAgents';

/** A stand-in system resolver that counts its calls and answers when told. */
function fakeResolver(answer: () => Promise<LookupAddress[]>) {
  const calls: [string, LookupAllOptions][] = [];
  return { calls, resolve: (hostname: string, options: LookupAllOptions) => (calls.push([hostname, options]), answer()) };
}

const ask = (lookup: LookupFunction, hostname: string, all: boolean, family = 0) =>
  new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
    lookup(hostname, { all, family }, (err, address, fam) => resolve({ err, address, family: fam })),
  );

const V4: LookupAddress[] = [
  { address: '192.0.2.7', family: 4 },
  { address: '2001:db8::7', family: 6 },
];

describe('the installer looks each registry host up once (installer/sharedLookup)', () => {
  it('a burst of lookups of one host asks the system once, and every connection gets the answer in the shape it asked for', async () => {
    const r = fakeResolver(() => new Promise((done) => setTimeout(() => done(V4), 20)));
    const lookup = sharedLookup(r.resolve);
    const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => ask(lookup, 'registry.example', i % 2 === 0)));
    assert.equal(r.calls.length, 1);
    assert.deepEqual(r.calls[0], ['registry.example', { family: 0, hints: 0, all: true }]);
    for (const [i, a] of answers.entries()) {
      assert.equal(a.err, null);
      if (i % 2 === 0) assert.deepEqual(a.address, V4);
      else assert.deepEqual([a.address, a.family], ['192.0.2.7', 4]);
    }
  });

  it('another host or family is another lookup; an answer is kept LOOKUP_TTL_MS, then asked again', async () => {
    let t = 1_000;
    const r = fakeResolver(async () => V4);
    const lookup = sharedLookup(r.resolve, () => t);
    await ask(lookup, 'a.example', true);
    await ask(lookup, 'b.example', true);
    await ask(lookup, 'a.example', true, 6);
    await ask(lookup, 'a.example', false);
    assert.equal(r.calls.length, 3);
    t += LOOKUP_TTL_MS - 1;
    await ask(lookup, 'a.example', true);
    assert.equal(r.calls.length, 3, 'still kept');
    t += 1;
    await ask(lookup, 'a.example', true);
    assert.equal(r.calls.length, 4, 'asked again once it expired');
  });

  it('a failed lookup reaches every connection that waited for it, and is not kept; no address at all is ENOTFOUND', async () => {
    let fail = true;
    const r = fakeResolver(async () => {
      if (fail) throw Object.assign(new Error('getaddrinfo EAI_AGAIN registry.example'), { code: 'EAI_AGAIN' });
      return [];
    });
    const lookup = sharedLookup(r.resolve);
    const failed = await Promise.all([ask(lookup, 'registry.example', true), ask(lookup, 'registry.example', false)]);
    assert.deepEqual(
      failed.map((a) => a.err?.code),
      ['EAI_AGAIN', 'EAI_AGAIN'],
    );
    fail = false;
    const none = await ask(lookup, 'registry.example', false);
    assert.equal(r.calls.length, 2, 'the failure was not kept');
    assert.equal(none.err?.code, 'ENOTFOUND');
  });

  it('Node connects through it (the system resolver, localhost)', async () => {
    const server = createServer((s) => s.end('hi'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const text = await new Promise<string>((resolve, reject) => {
        const socket = connect({ host: 'localhost', port, lookup: sharedLookup(), family: 4 });
        let got = '';
        socket.on('data', (d) => (got += d));
        socket.on('end', () => resolve(got));
        socket.on('error', reject);
      });
      assert.equal(text, 'hi');
    } finally {
      server.close();
    }
  });

  it("the installer's agents use it, with certificates configured or not; a proxy leaves the connections to npm's agents", () => {
    for (const opts of [{ registry: 'https://r.example/' }, { registry: 'https://r.example/', strictSSL: false }]) {
      const agentFor = withRegistryAgents(opts).agent as (url: URL) => { options: { lookup?: unknown } };
      assert.equal(agentFor(new URL('https://r.example/x')).options.lookup, installerLookup);
      assert.equal(agentFor(new URL('http://r.example/x')).options.lookup, installerLookup);
    }
    const proxied = { registry: 'https://r.example/', proxy: 'http://proxy.example:3128/' };
    assert.equal(withRegistryAgents(proxied), proxied);
  });
});
