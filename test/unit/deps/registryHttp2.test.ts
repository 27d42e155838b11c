/**
 * The registry over HTTP/2 (installer/registryHttp2.ts): a registry that speaks it serves every packument and tarball
 * over one connection, with the headers npm's fetch layer would send (the config's auth for that registry only) and
 * the certificates the config trusts; anything but a whole 200 (an HTTP/1.1-only host, an error status, a reset, a
 * body cut short, a timeout) is fetched again through npm's fetch layer, which reports npm's own errors; integrity is
 * checked as before. (test/fixtures/tls/: a CA, a certificate for 127.0.0.1 it signed and its key, and another CA.)
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import zlib from 'node:zlib';
import fetch from 'npm-registry-fetch';
import type { InstallParams } from '../../../protocol';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { getAuth, http2Request, npmOptions, npmRequestHeaders, RegistryHttp2 } from '../../../installer/registryHttp2';
import { installerLookup } from '../../../installer/sharedLookup';
import { ROOT } from '../helpers/testKernel';
import { startRegistry, type Registry, type RegistryOptions } from './registryServer';

const TLS = join(ROOT, 'test', 'fixtures', 'tls');
const tls = () => ({ key: readFileSync(join(TLS, 'server-key.pem'), 'utf8'), cert: readFileSync(join(TLS, 'server-cert.pem'), 'utf8') });
const PACKAGES = [
  { name: 'leaf', version: '1.0.0' },
  { name: 'mid', version: '1.0.0', dependencies: { leaf: '^1.0.0' } },
  { name: 'secret', version: '1.0.0', private: true },
];

describe('the registry over HTTP/2', function () {
  this.timeout(60_000);
  const client = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js') });
  const homes: string[] = [];
  const registries: Registry[] = [];
  // npm hands its own config to child processes as npm_config_* variables, which outrank a user's .npmrc
  const inherited = Object.keys(process.env).filter((k) => /^npm_config_(cafile|ca|strict_ssl|cert|key)$/i.test(k));
  const saved = Object.fromEntries(inherited.map((k) => [k, process.env[k]]));

  const registry = async (options: RegistryOptions = { http2: true }) => {
    const r = await startRegistry(PACKAGES, { tls: tls(), ...options });
    registries.push(r);
    process.env.CODA_TEST_TOKEN = r.token;
    return r;
  };
  /** A home whose .npmrc names the registry, its token and these lines (the test CA as cafile unless a line names one). */
  const home = (r: Registry, ...lines: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-h2-'));
    homes.push(dir);
    const port = new URL(r.url).port;
    const ca = lines.some((l) => l.startsWith('cafile=')) ? [] : [`cafile=${join(TLS, 'ca.pem')}`];
    writeFileSync(join(dir, '.npmrc'), [`registry=${r.url}`, `//127.0.0.1:${port}/:_authToken=\${CODA_TEST_TOKEN}`, ...ca, ...lines, ''].join('\n'));
    return dir;
  };
  const params = (dir: string, dependencies: Record<string, string> = { mid: '*' }): InstallParams => {
    const { storeDir, cacheDir } = storeFor(join(dir, 'cache'), '/nb/h2.coda');
    return { storeDir, cacheDir, dependencies, allowScripts: false, npmrcFrom: dir };
  };

  before(() => {
    for (const k of inherited) delete process.env[k];
  });
  after(async () => {
    Object.assign(process.env, saved);
    await client.close();
    for (const r of registries) await r.close();
    for (const dir of homes) rmSync(dir, { recursive: true, force: true });
  });

  describe('through the installer', () => {
    it('fetches every packument and tarball over HTTP/2, a private package with the config token', async () => {
      const r = await registry();
      // (no types looked for: an @types package the registry lacks is a 404, which arborist asks for again itself)
      const result = await client.install({ ...params(home(r), { mid: '*', secret: '*' }), editorTypes: false });
      assert.deepEqual(Object.keys(result.lock).sort(), ['node_modules/leaf', 'node_modules/mid', 'node_modules/secret']);
      assert.ok((r.versions.get('2.0') ?? 0) >= 6, `over HTTP/2: ${JSON.stringify([...r.versions])}`);
      assert.equal(r.versions.get('1.1'), undefined, `nothing fell back to HTTP/1.1: ${JSON.stringify([...r.hits])}`);
      assert.equal(r.hits.get('secret'), 1, 'the private packument came at the first ask (with the token)');
    });

    it('refuses a registry the configured certificates do not vouch for, and installs with strict-ssl=false', async () => {
      const r = await registry();
      await assert.rejects(client.install(params(home(r, `cafile=${join(TLS, 'other-ca.pem')}`))), /certificate|self[- ]signed|verify/i);
      assert.equal(r.versions.get('2.0'), undefined, 'no request reached it over HTTP/2');
      const lax = await client.install(params(home(r, `cafile=${join(TLS, 'other-ca.pem')}`, 'strict-ssl=false')));
      assert.equal(lax.installed.mid, '1.0.0');
      assert.ok((r.versions.get('2.0') ?? 0) > 0);
    });

    it('still checks each tarball against its integrity', async () => {
      const r = await registry();
      r.tamper('leaf');
      await assert.rejects(client.install(params(home(r))), /integrity|EINTEGRITY|sha512/i);
      assert.ok((r.versions.get('2.0') ?? 0) > 0);
    });

    it('reports a missing package as npm does, and a refused token (asked again through npm’s fetch layer)', async () => {
      const r = await registry();
      const over1 = await registry({});
      const missing = async (reg: Registry) => {
        try {
          await client.install(params(home(reg), { 'no-such-package': '*' }));
        } catch (err) {
          return (err as Error).message.replaceAll(reg.url, '<registry>');
        }
        assert.fail('installed a package the registry does not have');
      };
      const message = await missing(r);
      assert.match(message, /not found/);
      assert.equal(message, await missing(over1), 'the same error as over HTTP/1.1');
      assert.equal(r.hits.get('no-such-package'), over1.hits.get('no-such-package'), 'asked no more often than over HTTP/1.1');
      const tokenless = home(r);
      writeFileSync(join(tokenless, '.npmrc'), `registry=${r.url}\ncafile=${join(TLS, 'ca.pem')}\n`);
      await assert.rejects(client.install(params(tokenless, { secret: '*' })), /401|auth/i);
      assert.ok((r.versions.get('1.1') ?? 0) >= 1, 'the 401 was asked again over HTTP/1.1');
    });

    for (const fault of ['short', 'status', 'reset'] as const) {
      it(`installs when every HTTP/2 answer is ${fault === 'short' ? 'cut short' : fault === 'status' ? 'an error status' : 'a reset'}: each request made again through npm’s fetch layer`, async () => {
        const r = await registry({ http2: true, http2Fault: fault });
        const result = await client.install(params(home(r)));
        assert.equal(result.installed.mid, '1.0.0');
        assert.ok((r.versions.get('2.0') ?? 0) > 0, 'HTTP/2 was tried');
        assert.ok((r.versions.get('1.1') ?? 0) >= 4, 'and every document came over HTTP/1.1');
      });
    }

    it('installs from a registry that speaks only HTTP/1.1', async () => {
      const r = await registry({});
      assert.equal((await client.install(params(home(r)))).installed.mid, '1.0.0');
      assert.deepEqual([...r.versions.keys()], ['1.1']);
    });
  });

  describe('the requests', () => {
    let captured: IncomingHttpHeaders[] = [];
    let url = '';
    const server = createServer((req, res) => {
      captured.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    before(async () => {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    /** What npm-registry-fetch sends for a GET of `path` with these options, less what HTTP/2 has no use for. */
    const npmSends = async (path: string, opts: Record<string, unknown>, headers: Record<string, string>) => {
      captured = [];
      await (await fetch(`${url}${path}`, { ...opts, headers, cache: undefined } as fetch.Options)).buffer();
      const h = { ...captured[0]! } as Record<string, string>;
      delete h.host;
      delete h.connection;
      return h;
    };
    /** What the HTTP/2 path sends. */
    const weSend = (path: string, opts: Record<string, unknown>, headers: Record<string, string>) => {
      const made = npmRequestHeaders(`${url}${path}`, npmOptions(opts), headers);
      assert.ok(made);
      const h = http2Request(new URL(`${url}${path}`), made);
      delete h[':method'];
      delete h[':path'];
      return h;
    };

    it('carries exactly the headers npm’s fetch layer sends, auth only for the registry it belongs to', async () => {
      const port = new URL(url).port;
      const base = { 'user-agent': 'pacote test', 'pacote-req-type': 'packument', accept: 'application/json' };
      const cases: [string, Record<string, unknown>][] = [
        ['a token for the registry', { registry: url, [`//127.0.0.1:${port}/:_authToken`]: 'tok-1', spec: 'leaf' }],
        ['a token for another registry only', { registry: url, '//example.invalid/:_authToken': 'tok-2', spec: 'leaf' }],
        ['a tarball on another host than the registry', { registry: 'https://example.invalid/', '//example.invalid/:_authToken': 'tok-3', spec: 'leaf' }],
        [
          'username and password',
          { registry: url, [`//127.0.0.1:${port}/:username`]: 'me', [`//127.0.0.1:${port}/:_password`]: Buffer.from('pw').toString('base64') },
        ],
        ['_auth', { registry: url, [`//127.0.0.1:${port}/:_auth`]: Buffer.from('me:pw').toString('base64') }],
        [
          'a scope with its own registry and token',
          { registry: 'https://example.invalid/', '@acme:registry': url, [`//127.0.0.1:${port}/:_authToken`]: 'tok-4', spec: '@acme/leaf' },
        ],
        ['npm session headers and an OTP', { registry: url, npmSession: 's1', npmCommand: 'install', scope: '@acme', authType: 'web', otp: '123456' }],
        ['forceAuth', { registry: url, forceAuth: { token: 'tok-5' } }],
        ['no auth in the config at all', { registry: url, spec: 'leaf' }],
        ['a forceAuth of null beside a token', { registry: url, forceAuth: null, [`//127.0.0.1:${port}/:_authToken`]: 'tok-6' }],
        ['a token for a path under the host', { registry: `${url}sub/`, [`//127.0.0.1:${port}/sub/:_authToken`]: 'tok-7' }],
      ];
      for (const [what, opts] of cases) {
        for (const path of ['leaf', 'leaf/-/leaf-1.0.0.tgz', '@acme%2fleaf']) {
          assert.deepEqual(weSend(path, opts, base), await npmSends(path, opts, base), `${what}: ${path}`);
        }
      }
      const leaked = weSend('leaf', { registry: 'https://example.invalid/', '//example.invalid/:_authToken': 'tok-3' }, base);
      assert.equal(leaked.authorization, undefined, 'no token for a host the config gives none');
    });

    it('finds the auth npm-registry-fetch finds, asking it only when the config holds any', () => {
      const npmGetAuth = (fetch as unknown as { getAuth(u: string, o: Record<string, unknown>): Record<string, unknown> }).getAuth;
      const pick = (a: Record<string, unknown>) => ({ token: a.token, auth: a.auth, cert: a.cert, key: a.key });
      const configs: Record<string, unknown>[] = [
        { registry: 'https://r.example/' },
        { registry: 'https://r.example/', '@s:registry': 'https://s.example/' },
        { registry: 'https://r.example/', '//r.example/:_authToken': 't1' },
        { registry: 'https://r.example/', '//s.example/:_authToken': 't2', '@s:registry': 'https://s.example/' },
        { registry: 'https://r.example/', '//r.example/deep/:_auth': 'YTpi' },
        { registry: 'https://r.example/', forceAuth: { _authToken: 't3' } },
        { registry: 'https://r.example/', forceAuth: undefined, '//r.example/:username': 'u', '//r.example/:_password': 'cA==' },
      ];
      const urls = [
        'https://r.example/leaf',
        'https://r.example/leaf/-/leaf-1.0.0.tgz',
        'https://r.example/deep/x',
        'https://s.example/@s%2fx',
        'https://cdn.example/t.tgz',
      ];
      for (const config of configs) {
        for (const u of urls) {
          for (const spec of [undefined, 'leaf', '@s/x', `leaf@${u}`]) {
            const o = npmOptions({ ...config, ...(spec && { spec }) });
            assert.deepEqual(pick(getAuth(u, o)), pick(npmGetAuth(u, o)), `${JSON.stringify(config)} ${u} ${spec}`);
          }
        }
      }
    });

    it('leaves a registry that wants a client certificate to npm’s fetch layer', () => {
      const port = new URL(url).port;
      const cert = join(TLS, 'server-cert.pem');
      const key = join(TLS, 'server-key.pem');
      assert.equal(
        npmRequestHeaders(`${url}leaf`, npmOptions({ registry: url, [`//127.0.0.1:${port}/:certfile`]: cert, [`//127.0.0.1:${port}/:keyfile`]: key }), {}),
        undefined,
      );
    });
  });

  describe('RegistryHttp2.get', () => {
    let h2: Http2SecureServer;
    let origin = '';
    let answer: (path: string) => { status?: number; headers?: Record<string, string>; body?: Buffer; hang?: boolean } = () => ({});
    let connections = 0;
    const client2 = () =>
      new RegistryHttp2({
        secureContext: createSecureContext({ ca: readFileSync(join(TLS, 'ca.pem'), 'utf8') }),
        rejectUnauthorized: true,
        lookup: installerLookup,
      });
    before(async () => {
      h2 = createSecureServer(tls(), (req, res) => {
        const a = answer(req.url);
        if (a.hang) return;
        res.writeHead(a.status ?? 200, a.headers ?? {}).end(a.body ?? Buffer.from('{}'));
      });
      h2.on('secureConnection', () => connections++);
      await new Promise<void>((r) => h2.listen(0, '127.0.0.1', r));
      origin = `https://127.0.0.1:${(h2.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((r) => h2.close(() => r())));

    it('undoes every coding minipass-fetch undoes, and answers undefined for one it would not', async () => {
      const doc = Buffer.from(JSON.stringify({ name: 'x', versions: { '1.0.0': {} } }));
      const codings: Record<string, Buffer> = {
        gzip: zlib.gzipSync(doc),
        'x-gzip': zlib.gzipSync(doc),
        deflate: zlib.deflateSync(doc),
        br: zlib.brotliCompressSync(doc),
        identity: doc,
      };
      const c = client2();
      try {
        for (const [coding, body] of Object.entries(codings)) {
          answer = () => ({ headers: { 'content-encoding': coding }, body });
          const r = await c.get(`${origin}/x`, {});
          assert.deepEqual(r?.body, doc, coding);
          assert.equal(r?.headers['content-encoding'], coding);
        }
        answer = () => ({ headers: { 'content-encoding': 'deflate' }, body: zlib.deflateRawSync(doc) });
        assert.deepEqual((await c.get(`${origin}/x`, {}))?.body, doc, 'raw deflate');
        answer = () => ({ headers: { 'content-encoding': 'compress' }, body: doc });
        assert.equal(await c.get(`${origin}/x`, {}), undefined);
        answer = () => ({ headers: { 'content-encoding': 'gzip' }, body: Buffer.from('not gzip') });
        assert.equal(await c.get(`${origin}/x`, {}), undefined);
      } finally {
        c.close();
      }
    });

    it('answers undefined for a redirect, an error status, and a request that outlives its timeout', async () => {
      const c = client2();
      try {
        answer = () => ({ status: 302, headers: { location: '/elsewhere' } });
        assert.equal(await c.get(`${origin}/x`, {}), undefined);
        answer = () => ({ status: 500 });
        assert.equal(await c.get(`${origin}/x`, {}), undefined);
        answer = () => ({ status: 404, body: Buffer.from('{"error":"not found"}') });
        const notFound = await c.get(`${origin}/x`, {});
        assert.deepEqual([notFound?.status, notFound?.body.toString()], [404, '{"error":"not found"}']);
        answer = () => ({ hang: true });
        assert.equal(await c.get(`${origin}/x`, {}, 200), undefined);
        answer = () => ({});
        assert.deepEqual((await c.get(`${origin}/x`, {}))?.body, Buffer.from('{}'), 'the connection still serves');
      } finally {
        c.close();
      }
    });

    it('never asks a URL with credentials in it, a plain-HTTP URL, or a host whose handshake failed, again over HTTP/2', async () => {
      const c = client2();
      try {
        answer = () => ({});
        assert.equal(await c.get(`https://me:pw@127.0.0.1:${new URL(origin).port}/x`, {}), undefined);
        assert.equal(await c.get(`http://127.0.0.1:${new URL(origin).port}/x`, {}), undefined);
        const untrusted = new RegistryHttp2({
          secureContext: createSecureContext({ ca: readFileSync(join(TLS, 'other-ca.pem'), 'utf8') }),
          rejectUnauthorized: true,
          lookup: installerLookup,
        });
        const before = connections;
        assert.equal(await untrusted.get(`${origin}/x`, {}), undefined);
        assert.equal(await untrusted.get(`${origin}/x`, {}), undefined);
        assert.equal(untrusted.speaks(`${origin}/x`), false);
        assert.ok(connections - before <= 1, 'one handshake, then the host is left to npm’s fetch layer');
        untrusted.close();
        assert.ok((await c.get(`${origin}/x`, {})) !== undefined);
        assert.equal(c.speaks(`${origin}/y`), true);
      } finally {
        c.close();
      }
    });
  });
});
