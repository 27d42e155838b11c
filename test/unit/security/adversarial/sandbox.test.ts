/**
 * Attacks on the Sandbox (isolated-vm) kernel through its bridge:
 * - fetch redirects: two loopback servers on different ports are two origins; a token, cookie or proxy credential
 *   sent to the first must never reach the second, methods and bodies change as the Fetch standard says (compared
 *   with what Node's own fetch sends), and redirect modes, loops, odd schemes, credentials in URLs and ungranted
 *   hosts are refused before any connection;
 * - `then` pollution: a cell that plants `then` (or toJSON, toPrimitive, a replaced Promise.prototype.then) in the
 *   realm still gets its own value back, later cells still run, and a value that never settles stays interruptible.
 */
import { strict as assert } from 'node:assert';
import type { Server } from 'node:http';
import { listen, recorder as recordingServer, type Received } from '../../helpers/recordingServer';
import { skipWithoutSandbox, startSandbox } from '../../helpers/sandboxKernel';
import type { TestKernel } from '../../helpers/testKernel';
import { outcome, runThenAttacks, within } from './thenAttacks';

/** Headers that carry credentials: none may reach another origin. */
const CREDENTIALS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * A loopback server that records what it receives. `/r/<status>?to=<url>&id=` answers a redirect, `/loop`
 * redirects to itself, `/plain/<status>?id=` answers that status with a Location it must not follow, anything else 200.
 */
const recorder = (name: 'A' | 'B', log: Received[]): Server =>
  recordingServer(name, log, (url, req, res) => {
    const redirect = /^\/r\/(\d+)$/.exec(url.pathname);
    if (redirect) return res.writeHead(Number(redirect[1]), { location: url.searchParams.get('to') ?? '/' }).end('moved');
    if (url.pathname === '/loop') return res.writeHead(302, { location: `/loop?id=${url.searchParams.get('id')}` }).end();
    const plain = /^\/plain\/(\d+)$/.exec(url.pathname);
    if (plain) return res.writeHead(Number(plain[1]), { location: `/landed?id=${url.searchParams.get('id')}` }).end();
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`${name} ${req.method}`);
  });

describe('adversarial: the Sandbox kernel', function () {
  this.timeout(120_000);
  before(function () {
    skipWithoutSandbox(this);
  });

  describe('fetch redirects', () => {
    const log: Received[] = [];
    const crossings: string[] = [];
    let attempts = 0;
    let k: TestKernel;
    let a: Server;
    let b: Server;
    let A = '';
    let B = '';
    let seq = 0;

    before(async () => {
      a = recorder('A', log);
      b = recorder('B', log);
      A = await listen(a);
      B = await listen(b);
      k = await startSandbox({ permissions: { net: ['127.0.0.1'] } });
    });
    after(async () => {
      await k?.kernel.dispose();
      a?.close();
      b?.close();
      console.log(`      sandbox fetch: ${attempts} attempts, ${crossings.length} crossings`);
    });

    const received = (id: string, server?: 'A' | 'B') => log.filter((r) => r.id === id && (!server || r.server === server));
    const cross = (what: string, holds: boolean) => {
      if (!holds) crossings.push(what);
      assert.ok(holds, what);
    };

    /** The cell's fetch from A redirected to `to` (a URL on B by default); returns the cell's result and what B got. */
    async function viaRedirect(status: number, init: string, to = (id: string) => `${B}/sink?id=${id}`) {
      const id = `r${++seq}`;
      const url = `${A}/r/${status}?id=${id}&to=${encodeURIComponent(to(id))}`;
      attempts++;
      const result = await within(k, `const res = await fetch(${JSON.stringify(url)}, ${init}); [res.status, res.redirected, await res.text()].join(' ')`);
      return { id, url, result, atB: received(id, 'B') };
    }

    /** What B receives when Node's own fetch follows the same redirect. */
    async function nodeReceives(status: number, init: RequestInit): Promise<Received | undefined> {
      const id = `n${++seq}`;
      await fetch(`${A}/r/${status}?id=${id}&to=${encodeURIComponent(`${B}/sink?id=${id}`)}`, init).then((r) => r.text());
      return received(id, 'B')[0];
    }

    it('drops Authorization, Cookie and Proxy-Authorization (any case, any header shape) on a redirect to another origin', async () => {
      const shapes: [string, string][] = [
        ['the issue: a bearer token, 302', `{ headers: { Authorization: 'Bearer token-for-A' } }`],
        ['odd case', `{ headers: { aUtHoRiZaTiOn: 'Bearer t', COOKIE: 'session=1', 'Proxy-AUTHORIZATION': 'Basic cHJveHk=' } }`],
        ['header pairs with duplicates', `{ headers: [['authorization', 'one'], ['Authorization', 'two'], ['cookie', 'a=1'], ['Cookie', 'b=2']] }`],
        ['a Headers-like object', `{ headers: { forEach(fn) { fn('Bearer via-forEach', 'Authorization'); fn('c=1', 'Cookie') } } }`],
      ];
      for (const [name, init] of shapes) {
        for (const status of [301, 302, 303, 307, 308]) {
          const { result, atB } = await viaRedirect(status, init);
          assert.notEqual(result, 'pending', `${name} ${status}: the fetch never ended`);
          assert.equal(atB.length, 1, `${name} ${status}: B was not reached once: ${JSON.stringify(result)}`);
          const leaked = CREDENTIALS.filter((h) => atB[0]!.headers[h] !== undefined);
          cross(`${name}, ${status}: ${leaked.join(', ')} reached the other origin`, leaked.length === 0);
        }
      }
    });

    it('keeps credentials on a same-origin redirect, and does not restore them when a chain comes back', async () => {
      const same = await viaRedirect(302, `{ headers: { Authorization: 'Bearer same' } }`, (id) => `${A}/sink?id=${id}`);
      assert.equal(received(same.id, 'A').at(-1)?.headers.authorization, 'Bearer same', 'a same-origin redirect keeps Authorization (as Node)');
      // A → B → A: the hop back to A must not carry what was dropped on the way out
      const back = await viaRedirect(
        307,
        `{ headers: { Authorization: 'Bearer round-trip', Cookie: 'k=v' } }`,
        (id) => `${B}/r/302?id=${id}&to=${encodeURIComponent(`${A}/home?id=${id}`)}`,
      );
      const home = received(back.id, 'A').find((r) => r.path === '/home');
      assert.ok(home, `the chain did not come back to A: ${JSON.stringify(back.result)}`);
      cross('credentials dropped on the way out came back with the hop home', home.headers.authorization === undefined && home.headers.cookie === undefined);
    });

    it('changes methods and bodies on redirects as the Fetch standard (and Node fetch) does', async () => {
      const cases: [number, string, string | undefined, string, boolean][] = [
        // status, method, body, method B must see, body kept
        [303, 'POST', 'payload', 'GET', false],
        [303, 'PUT', 'payload', 'GET', false],
        [303, 'DELETE', undefined, 'GET', false],
        [303, 'HEAD', undefined, 'HEAD', false],
        [301, 'POST', 'payload', 'GET', false],
        [302, 'POST', 'payload', 'GET', false],
        [301, 'PUT', 'payload', 'PUT', true],
        [302, 'PATCH', 'payload', 'PATCH', true],
        [307, 'POST', 'payload', 'POST', true],
        [308, 'PUT', 'payload', 'PUT', true],
      ];
      for (const [status, method, body, expected, kept] of cases) {
        const init = `{ method: ${JSON.stringify(method)}, headers: { 'Content-Type': 'text/plain', 'Content-Language': 'en' }${body ? `, body: ${JSON.stringify(body)}` : ''} }`;
        const { atB, result } = await viaRedirect(status, init);
        const got = atB[0];
        assert.ok(got, `${status} after ${method}: B was not reached: ${JSON.stringify(result)}`);
        const node = await nodeReceives(status, { method, headers: { 'Content-Type': 'text/plain', 'Content-Language': 'en' }, body });
        const shape = (r: Received) => ({
          method: r.method,
          body: r.body,
          contentType: r.headers['content-type'],
          contentLanguage: r.headers['content-language'],
        });
        assert.deepEqual(shape(got), shape(node!), `${status} after ${method}: the sandbox sent what Node's fetch does not`);
        cross(`${status} after ${method}: B saw ${got.method}, expected ${expected}`, got.method === expected);
        const changed = expected !== method;
        cross(`${status} after ${method}: the body ${kept ? 'was lost' : 'followed the redirect'}`, kept ? got.body === body : got.body === '');
        cross(
          `${status} after ${method}: body headers followed a change to GET`,
          !changed || (got.headers['content-type'] === undefined && got.headers['content-language'] === undefined),
        );
      }
    });

    it('refuses what must not be followed: manual and error modes, loops, odd schemes, credentials, other hosts', async () => {
      const noContact = async (name: string, status: number, init: string, to: (id: string) => string, expect: RegExp) => {
        const { id, result, atB } = await viaRedirect(status, init, to);
        const text = outcome(result);
        assert.match(text, expect, `${name}: ${text}`);
        cross(`${name}: a redirect target was contacted`, atB.length === 0 && received(id, 'A').length === 1);
      };
      await noContact('redirect: "manual"', 302, `{ redirect: 'manual', headers: { Authorization: 'x' } }`, (id) => `${B}/sink?id=${id}`, /^302 false moved$/);
      await noContact('redirect: "error"', 307, `{ redirect: 'error' }`, (id) => `${B}/sink?id=${id}`, /redirect is "error"/);
      await noContact('a file: Location', 302, '{}', () => 'file:///etc/passwd', /unsupported URL file:/);
      await noContact('a data: Location', 308, '{}', () => 'data:text/plain,hello', /unsupported URL data:/);
      await noContact('a javascript: Location', 301, '{}', () => 'javascript:alert(1)', /unsupported URL javascript:/);
      await noContact(
        'a Location with credentials',
        302,
        `{ headers: { Authorization: 'x' } }`,
        (id) => `http://user:pass@127.0.0.1:${new URL(B).port}/sink?id=${id}`,
        /with credentials/,
      );
      await noContact(
        'an ungranted host',
        302,
        `{ headers: { Authorization: 'x' } }`,
        (id) => `http://localhost:${new URL(B).port}/sink?id=${id}`,
        /PermissionDenied/,
      );
      await noContact(
        'userinfo that looks like the granted host',
        302,
        '{}',
        (id) => `http://127.0.0.1:${new URL(B).port}@localhost:${new URL(B).port}/sink?id=${id}`,
        /PermissionDenied|credentials/,
      );
      await noContact('a malformed Location', 302, '{}', () => 'http://[::1', /invalid URL/i);

      // a 300 or 304 with a Location is an answer, not a redirect
      for (const status of [300, 304]) {
        attempts++;
        const id = `p${++seq}`;
        const r = await within(k, `(await fetch(${JSON.stringify(`${A}/plain/${status}?id=${id}`)})).status`);
        cross(`${status} with a Location was followed`, received(id).length === 1 && outcome(r) === String(status));
      }

      // a loop ends after 20 hops, as Node's fetch
      attempts++;
      const loopId = `l${++seq}`;
      const loop = await within(k, `await fetch(${JSON.stringify(`${A}/loop?id=${loopId}`)})`);
      assert.match(outcome(loop), /^TypeError: .*more than 20 redirects/);
      cross(`a redirect loop made ${received(loopId).length} requests, not 21`, received(loopId).length === 21);

      // credentials in the URL itself are never sent as Basic auth
      attempts++;
      const credId = `c${++seq}`;
      const cred = await within(k, `await fetch(${JSON.stringify(`http://user:pass@127.0.0.1:${new URL(A).port}/sink?id=${credId}`)})`);
      assert.match(outcome(cred), /^TypeError: .*credentials/);
      cross('a URL with credentials was fetched', received(credId).length === 0);
    });
  });

  describe('then pollution', () => {
    const crossings: string[] = [];
    let attempts = 0;
    let k: TestKernel;
    before(async () => {
      k = await startSandbox({ permissions: { net: [] } });
    });
    after(async () => {
      await k?.kernel.dispose();
      console.log(`      sandbox then: ${attempts} attempts, ${crossings.length} crossings`);
    });

    it('a then planted in the realm, replaced promise machinery or serialisation hooks never drop, hijack or hang a value; never-settling values stay interruptible', async () => {
      await runThenAttacks(k, () => attempts++, crossings);
    });
  });
});
