/**
 * Issue 11 item 1: a Node kernel with a `net` grant reaches only the granted hosts, decided on the address really
 * connected to. Every attempt aims at loopback ports that count each connection and packet (never any other
 * address); the grant is `example.test` (any port; it does not resolve) and the granted server's port on
 * `localhost` and `127.0.0.1`. Granted connections must keep working, so a fix that blocks everything fails.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { isCodaError } from '../../../../protocol';
import { canonicalIp } from '../../../../worker/node/addressBook';
import type { TestKernel } from '../../helpers/testKernel';
import { attempt, forbiddenTargets, grantedServer, launchKernel, needPermissionedNode, runAttempts, SETTLE_HELPER, type Forbidden } from './nodeNetKit';

/** A caller's DNS answer: every name is 127.0.0.1 (both callback shapes Node uses). */
const LYING_LOOKUP = `((h, o, cb) => { cb = typeof o === 'function' ? o : cb; return o && o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4); })`;
/** undici's Agent class, reached from the global dispatcher fetch installs. */
const UNDICI_AGENT = `globalThis[Symbol.for('undici.globalDispatcher.1')].constructor`;
/** IP literals getaddrinfo reads as 127.0.0.1 (or "this host") that net.isIP does not. */
const NUMERIC_NAMES = ['2130706433', '0x7f.1', '127.1', '017700000001', '0', '0x7f000001'];

/** A TCP port nothing listens on right now (for a server the kernel may start on a granted name). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('canonicalIp: one text per address', () => {
  it('reads IPv4, IPv6, v4-mapped, zone ids and the any-address as net does, and no getaddrinfo-only forms', () => {
    const cases: [string, string | undefined][] = [
      ['127.0.0.1', '127.0.0.1'],
      ['::ffff:127.0.0.1', '127.0.0.1'],
      ['::ffff:7f00:1', '127.0.0.1'],
      ['[::ffff:7f00:1]', '127.0.0.1'],
      ['::1', '0:0:0:0:0:0:0:1'],
      ['[::1]', '0:0:0:0:0:0:0:1'],
      ['0:0:0:0:0:0:0:1', '0:0:0:0:0:0:0:1'],
      ['::1%lo', '0:0:0:0:0:0:0:1'],
      ['FE80::1%eth0', 'fe80:0:0:0:0:0:0:1'],
      ['::', '0.0.0.0'],
      ['0.0.0.0', '0.0.0.0'],
      ['::127.0.0.1', '0:0:0:0:0:0:7f00:1'],
      ['2130706433', undefined],
      ['0x7f.1', undefined],
      ['127.1', undefined],
      ['017700000001', undefined],
      ['127.000.0.1', undefined],
      ['localhost', undefined],
      ['', undefined],
    ];
    for (const [input, expected] of cases) assert.equal(canonicalIp(input), expected, input);
  });
});

describe('adversarial: Node network grants hold by address (issue 11 item 1)', function () {
  this.timeout(180_000);
  let forbidden: Forbidden;
  let granted: Awaited<ReturnType<typeof grantedServer>>;
  let k: TestKernel;
  let grantedSocket: { path: string; server: Server };
  let listenPort: number;
  let grantedV6: Server;

  before(async function () {
    const node = needPermissionedNode(this);
    forbidden = await forbiddenTargets();
    granted = await grantedServer();
    const G = granted.port;
    const path = join(mkdtempSync(join(tmpdir(), 'coda-granted-')), 'granted.sock');
    grantedSocket = { path, server: createServer((c) => c.on('error', () => undefined).end('granted')) };
    await new Promise<void>((r) => grantedSocket.server.listen(path, r));
    listenPort = await freePort();
    grantedV6 = createServer((c) => c.on('error', () => undefined).end('granted v6'));
    await new Promise<void>((r) => grantedV6.listen(0, '::1', r));
    const G6 = (grantedV6.address() as AddressInfo).port;
    k = await launchKernel(node, mkdtempSync(join(tmpdir(), 'coda-net-')), {
      net: ['example.test', `localhost:${G}`, `127.0.0.1:${G}`, `localhost:${listenPort}`, `[::1]:${G6}`, path],
    });
    assert.equal((await k.run(SETTLE_HELPER)).status, 'ok');
    // fetch once, so undici's global dispatcher exists for the dispatcher attacks
    assert.equal(await k.value(`await (await fetch('http://localhost:${G}/')).text()`), 'granted');
  });
  after(async () => {
    await k?.kernel.dispose();
    await forbidden?.close();
    await granted?.close();
    await new Promise((r) => grantedSocket?.server.close(r));
    await new Promise((r) => grantedV6?.close(r));
  });

  it('granted hosts still work: http, fetch (also with a lying dispatcher), net by name and by address, keep-alive', async () => {
    const G = granted.port;
    assert.equal(
      await k.value(
        `await new Promise((resolve, reject) => require('http').get('http://localhost:${G}/', (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve(b)); }).on('error', reject))`,
      ),
      'granted',
    );
    assert.equal(await k.value(`await (await fetch('http://127.0.0.1:${G}/')).text()`), 'granted');
    // the caller's lookup is replaced, not obeyed and not an error: the real address of a granted name is used
    assert.equal(
      await k.value(`await (await fetch('http://localhost:${G}/', { dispatcher: new (${UNDICI_AGENT})({ connect: { lookup: ${LYING_LOOKUP} } }) })).text()`),
      'granted',
    );
    assert.equal(await k.value(`await __settle(require('net').connect(${G}, 'localhost'))`), 'CONNECTED');
    assert.equal(await k.value(`await __settle(require('net').connect(${G}, '::ffff:127.0.0.1'))`), 'CONNECTED');
    assert.equal(await k.value(`await __settle(require('net').connect({ host: 'localhost', port: '${G}', autoSelectFamily: true }))`), 'CONNECTED');
    const before = granted.hits();
    assert.equal(
      await k.value(`const agent = new (require('http').Agent)({ keepAlive: true, maxSockets: 1 });
        const get = () => new Promise((resolve, reject) => require('http').get({ host: 'localhost', port: ${G}, agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); }).on('error', reject));
        const codes = [await get(), await get(), await get()]; agent.destroy(); codes.join(',')`),
      '200,200,200',
    );
    assert.equal(granted.hits() - before, 3);
    // a unix socket granted by path; a server on a granted name (its address comes from the lookup Node makes)
    assert.equal(
      await k.value(
        `await new Promise((resolve, reject) => { let b = ''; require('net').connect(${JSON.stringify(grantedSocket.path)}).on('data', (d) => (b += d)).on('end', () => resolve(b)).on('error', reject); })`,
      ),
      'granted',
    );
    assert.equal(
      await k.value(
        `await new Promise((resolve, reject) => { const s = require('net').createServer().listen(${listenPort}, 'localhost', () => { resolve(s.address().address); s.close(); }).on('error', reject); })`,
      ),
      '127.0.0.1',
    );
    // an IPv6 grant, whichever way the address is written
    const G6 = (grantedV6.address() as AddressInfo).port;
    for (const host of ['::1', '0:0:0:0:0:0:0:1', '::0:1']) {
      assert.equal(
        await k.value(
          `await new Promise((resolve, reject) => { let b = ''; require('net').connect(${G6}, '${host}').on('data', (d) => (b += d)).on('end', () => resolve(b)).on('error', reject); })`,
        ),
        'granted v6',
        host,
      );
    }
    // dns.lookup answers as before (also promisified)
    assert.equal(
      await k.value(`JSON.stringify(await require('util').promisify(require('dns').lookup)('localhost', { family: 4 }))`),
      '{"address":"127.0.0.1","family":4}',
    );
  });

  it('a denied host is a PermissionDenied naming it, as before', async () => {
    const r = await k.run(`require('net').connect(${forbidden.tcp}, '127.0.0.1')`);
    assert.equal(r.status, 'error');
    assert.equal(r.status === 'error' && r.error.name, 'PermissionDenied');
    assert.ok(r.status === 'error' && isCodaError(r.error, 'PermissionDenied'), 'the code crossed from the kernel, through the secret masker');
    assert.deepEqual(r.status === 'error' && r.error.props, { capability: 'net', target: '127.0.0.1' });
  });

  it('no caller-supplied lookup, address form, option trick or raw handle reaches a forbidden port', async () => {
    const F = forbidden.tcp;
    const G = granted.port;
    /** [what, how to poison it, the expression it is restored to, also before a named connection]. */
    const poisoned: [string, string, string, boolean][] = [
      ['Array.prototype.some', 'Array.prototype.some = () => true', 'Array.prototype.some', true],
      ['Map.prototype.get', "Map.prototype.get = () => new Set(['example.test'])", 'Map.prototype.get', true],
      ['String.prototype.toLowerCase', "String.prototype.toLowerCase = () => 'example.test'", 'String.prototype.toLowerCase', true],
      ['the global String', `globalThis.String = () => '${G}'`, 'globalThis.String', true],
      // an IP literal then read as a name (and a name as an address) by the host check
      ['net.isIP', "require('net').isIP = () => 0", "require('net').isIP", true],
      ['net.isIP (every host an address)', "require('net').isIP = () => 4", "require('net').isIP", true],
      // these would also hang the cell's own code (a global replace never ends): only around the raw handle call
      [
        'RegExp.prototype.exec',
        `RegExp.prototype.exec = () => Object.assign(['example.test', 'example.test', undefined], { index: 0 })`,
        'RegExp.prototype.exec',
        false,
      ],
      [
        'Array.prototype[Symbol.iterator]',
        "Array.prototype[Symbol.iterator] = function* () { yield 'example.test'; }",
        'Array.prototype[Symbol.iterator]',
        false,
      ],
      ['Set.prototype[Symbol.iterator]', "Set.prototype[Symbol.iterator] = function* () { yield 'example.test'; }", 'Set.prototype[Symbol.iterator]', false],
    ];
    const tries: { name: string; code: string }[] = [
      // the example: the name is granted, the caller's lookup sends the socket to loopback
      {
        name: 'http.get with a lookup option',
        code: `return __settle(require('http').get({ host: 'example.test', port: ${F}, lookup: ${LYING_LOOKUP} }), 'response')`,
      },
      {
        name: 'https.get with a lookup option',
        code: `return __settle(require('https').get({ host: 'example.test', port: ${F}, rejectUnauthorized: false, lookup: ${LYING_LOOKUP} }), 'response')`,
      },
      {
        name: 'net.connect with a lookup option',
        code: `return __settle(require('net').connect({ host: 'example.test', port: ${F}, lookup: ${LYING_LOOKUP} }))`,
      },
      {
        name: 'tls.connect with a lookup option',
        code: `return __settle(require('tls').connect({ host: 'example.test', port: ${F}, rejectUnauthorized: false, lookup: ${LYING_LOOKUP} }), 'secureConnect')`,
      },
      {
        name: 'http.Agent with a lookup option',
        code: `return __settle(require('http').get({ host: 'example.test', port: ${F}, agent: new (require('http').Agent)({ lookup: ${LYING_LOOKUP} }) }), 'response')`,
      },
      {
        name: 'http2.connect with a lookup option',
        code: `const s = require('http2').connect('http://example.test:${F}', { lookup: ${LYING_LOOKUP} }); return __settle(s)`,
      },
      {
        name: 'http2.connect with a createConnection of its own',
        code: `const s = require('http2').connect('http://example.test:${F}', { createConnection: () => require('net').connect({ host: 'example.test', port: ${F}, lookup: ${LYING_LOOKUP} }) }); return __settle(s)`,
      },
      {
        name: 'tls.connect over a socket the cell made',
        code: `return __settle(require('tls').connect({ socket: require('net').connect({ host: 'example.test', port: ${F}, lookup: ${LYING_LOOKUP} }), servername: 'example.test', rejectUnauthorized: false }), 'secureConnect')`,
      },
      {
        name: 'a blockList option that blocks nothing, with a lying lookup',
        code: `return __settle(require('net').connect({ host: 'example.test', port: ${F}, blockList: new (require('net').BlockList)(), lookup: ${LYING_LOOKUP} }))`,
      },
      {
        name: 'fetch with an undici dispatcher whose connect.lookup lies',
        code: `return fetch('http://example.test:${F}/', { dispatcher: new (${UNDICI_AGENT})({ connect: { lookup: ${LYING_LOOKUP} } }) }).then(() => 'CONNECTED', (e) => 'error ' + (e.cause?.code || e.name))`,
      },
      {
        name: 'fetch redirected by a granted host to a name the dispatcher lookup maps to loopback',
        code: `return fetch('http://localhost:${G}/?to=' + encodeURIComponent('http://example.test:${F}/'), { dispatcher: new (${UNDICI_AGENT})({ connect: { lookup: ${LYING_LOOKUP} } }) }).then(() => 'CONNECTED', (e) => 'error ' + (e.cause?.code || e.name))`,
      },
      {
        name: 'fetch redirected by a granted host to a loopback address',
        code: `return fetch('http://localhost:${G}/?to=' + encodeURIComponent('http://127.0.0.1:${F}/')).then(() => 'CONNECTED', (e) => 'error ' + (e.cause?.code || e.name))`,
      },
      {
        name: 'autoSelectFamily with a lookup answering a list',
        code: `return __settle(require('net').connect({ host: 'example.test', port: ${F}, autoSelectFamily: true, lookup: ${LYING_LOOKUP} }))`,
      },
      {
        name: 'localAddress with a lookup option',
        code: `return __settle(require('net').connect({ host: 'example.test', port: ${F}, localAddress: '127.0.0.1', lookup: ${LYING_LOOKUP} }))`,
      },
      {
        name: 'a port given as a hex string with a lying lookup',
        code: `return __settle(require('net').connect({ host: 'example.test', port: '0x${F.toString(16)}', lookup: ${LYING_LOOKUP} }))`,
      },
      // options read twice: the check and Node must see the same thing
      {
        name: 'hostname (checked) instead of host (used: localhost)',
        code: `return __settle(require('net').connect({ hostname: 'example.test', port: ${F} }))`,
      },
      {
        name: 'a host getter that answers the check and Node differently',
        code: `return __settle(require('net').connect({ get host() { return new Error().stack.includes('lookupAndConnect') ? '127.0.0.1' : 'example.test'; }, port: ${F} }))`,
      },
      {
        name: 'a host object whose toString answers differently',
        code: `let n = 0; return __settle(require('net').connect({ host: { toString: () => (n++ ? '127.0.0.1' : 'example.test') }, port: ${F}, lookup: ${LYING_LOOKUP} }))`,
      },
      { name: 'options inherited from a prototype', code: `return __settle(require('net').connect(Object.create({ host: '127.0.0.1', port: ${F} })))` },
      {
        name: 'tls servername differing from host',
        code: `return __settle(require('tls').connect({ host: '127.0.0.1', port: ${F}, servername: 'example.test', rejectUnauthorized: false }), 'secureConnect')`,
      },
      {
        name: 'the same socket reconnected elsewhere',
        code: `const net = require('net'); const s = net.connect(${G}, '127.0.0.1'); await new Promise((r) => s.once('connect', r)); s.destroy(); await new Promise((r) => s.once('close', r)); return __settle(s.connect({ host: 'example.test', port: ${F}, lookup: ${LYING_LOOKUP} }))`,
      },
      // address forms
      { name: 'a v4-mapped IPv6 literal', code: `return __settle(require('net').connect(${F}, '::ffff:127.0.0.1'))` },
      { name: 'an IPv6 loopback with a zone id', code: `return __settle(require('net').connect(${forbidden.tcp6}, '::1%lo'))` },
      ...NUMERIC_NAMES.map((host) => ({ name: `the numeric name ${host}`, code: `return __settle(require('net').connect(${F}, '${host}'))` })),
      // below net.Socket: the native handles
      {
        name: 'a raw TCP handle and a connect request caught with async_hooks',
        code: `const net = require('net'); let Req; const hook = require('async_hooks').createHook({ init(id, type, t, res) { if (type === 'TCPCONNECTWRAP') Req = res.constructor; } }).enable();
          const s = net.connect(${G}, '127.0.0.1'); await new Promise((r) => s.once('connect', r)); hook.disable();
          const TCP = s._handle.constructor; s.destroy(); const h = new TCP(0); const req = new Req();
          return new Promise((resolve) => { req.oncomplete = (status) => resolve(status === 0 ? 'CONNECTED' : 'error ' + status); const err = h.connect(req, '127.0.0.1', ${F}); if (err) resolve('error ' + err); })`,
      },
      {
        name: 'a raw TCP handle listening on a port that is not granted',
        code: `const s = require('net').connect(${G}, '127.0.0.1'); await new Promise((r) => s.once('connect', r)); const TCP = s._handle.constructor; s.destroy();
          const h = new TCP(1); const b = h.bind('127.0.0.1', 0); const l = h.listen(1); h.close(); return b === 0 && l === 0 ? 'CROSSED: listening' : 'error ' + l`,
      },
      {
        name: 'a raw UDP handle from a dgram socket',
        code: `const d = require('dgram').createSocket('udp4'); const st = d[Object.getOwnPropertySymbols(d).find((s) => s.description === 'state symbol')]; st.handle.bind('127.0.0.1', 0, 0); return 'sent ' + st.handle.send({}, [Buffer.from('leak')], 1, ${forbidden.udp}, '127.0.0.1', false)`,
      },
      { name: 'dgram send', code: `require('dgram').createSocket('udp4').send('leak', ${forbidden.udp}, '127.0.0.1'); return 'sent'` },
      {
        name: 'DNS queries to a resolver the cell chose',
        code: `const r = new (require('dns').Resolver)(); r.setServers(['127.0.0.1:${forbidden.udp}']); r.resolve4('leak.example', () => {}); await new Promise((x) => setTimeout(x, 300)); return 'queried'`,
      },
      {
        name: "DNS servers set on the resolver's own handle",
        code: `const r = new (require('dns').Resolver)(); r._handle.setServers([[4, '127.0.0.1', ${forbidden.udp}]]); r.resolve4('leak.example', () => {}); await new Promise((x) => setTimeout(x, 300)); return 'queried'`,
      },
      {
        name: 'dns.promises.setServers then a query',
        code: `const dns = require('dns').promises; dns.setServers(['127.0.0.1:${forbidden.udp}']); dns.resolve4('leak.example').catch(() => {}); await new Promise((x) => setTimeout(x, 300)); return 'queried'`,
      },
      { name: 'a unix socket that is not granted', code: `return __settle(require('net').connect(${JSON.stringify(forbidden.unix)}))` },
      {
        name: 'a raw Pipe handle from a granted unix socket, connected elsewhere',
        code: `const net = require('net'); let Req; const hook = require('async_hooks').createHook({ init(id, type, t, res) { if (type === 'PIPECONNECTWRAP') Req = res.constructor; } }).enable();
          const s = net.connect(${JSON.stringify(grantedSocket.path)}); await new Promise((r) => s.once('connect', r)); hook.disable();
          const Pipe = s._handle.constructor; s.destroy(); const h = new Pipe(0); const req = new Req();
          return new Promise((resolve) => { req.oncomplete = (status) => resolve(status === 0 ? 'CONNECTED' : 'error ' + status); const err = h.connect(req, ${JSON.stringify(forbidden.unix)}); if (err) resolve('error ' + err); })`,
      },
      {
        name: 'DNS servers whose port getter answers the check and c-ares differently',
        code: `let n = 0; const server = [4, '127.0.0.1', 0]; Object.defineProperty(server, 2, { get: () => (n++ ? ${forbidden.udp} : ${G}) }); const r = new (require('dns').Resolver)(); r._handle.setServers([server]); r.resolve4('leak.example', () => {}); await new Promise((x) => setTimeout(x, 300)); return 'queried'`,
      },
      {
        name: 'a socket adopting a raw TCP handle',
        code: `const s = require('net').connect(${G}, '127.0.0.1'); await new Promise((r) => s.once('connect', r)); const TCP = s._handle.constructor; s.destroy(); return __settle(new (require('net').Socket)({ handle: new TCP(0) }).connect({ host: 'example.test', port: ${F}, lookup: ${LYING_LOOKUP} }))`,
      },
      {
        name: 'a socket adopting a net.BoundSocket',
        code: `const net = require('net'); if (typeof net.BoundSocket !== 'function') return 'no BoundSocket'; return __settle(new net.Socket({ handle: new net.BoundSocket({ host: '127.0.0.1' }) }).connect({ host: 'example.test', port: ${F}, lookup: ${LYING_LOOKUP} }))`,
      },
      {
        name: "a socket on a granted connection's fd, connected again elsewhere",
        code: `const net = require('net'); const s = net.connect(${G}, '127.0.0.1'); await new Promise((r) => s.once('connect', r)); const t = new net.Socket({ fd: s._handle.fd }); return __settle(t.connect({ host: 'example.test', port: ${F}, lookup: ${LYING_LOOKUP} }))`,
      },
      {
        name: 'a port string with a host in it',
        code: `return __settle(require('net').connect({ host: 'example.test', port: '${F} 127.0.0.1', lookup: ${LYING_LOOKUP} }))`,
      },
      {
        name: 'a URL whose user info names a granted host',
        code: `return __settle(require('http').get('http://example.test:80@127.0.0.1:${F}/'), 'response')`,
      },
      // built-ins the checks could use, replaced by the cell (each restored afterwards)
      ...poisoned
        .filter((p) => p[3])
        .map(([what, poison, restore]) => ({
          name: `${what} replaced, then a connection to the forbidden port`,
          code: `const saved = ${restore}; try { ${poison}; const s = require('net').connect(${F}, '127.0.0.1'); return await __settle(s); } catch (e) { return 'error ' + (e.code || e.name); } finally { ${restore} = saved; }`,
        })),
      ...poisoned.map(([what, poison, restore]) => ({
        name: `${what} replaced, then a raw TCP handle to the forbidden port`,
        code: `const net = require('net'); let Req; const hook = require('async_hooks').createHook({ init(id, type, t, res) { if (type === 'TCPCONNECTWRAP') Req = res.constructor; } }).enable();
          const s = net.connect(${G}, '127.0.0.1'); await new Promise((r) => s.once('connect', r)); hook.disable(); const TCP = s._handle.constructor; s.destroy();
          const saved = ${restore}; let err; const req = new Req(); const done = new Promise((resolve) => { req.oncomplete = (status) => resolve(status === 0 ? 'CONNECTED' : 'error ' + status); });
          try { ${poison}; err = new TCP(0).connect(req, '127.0.0.1', ${F}); } finally { ${restore} = saved; }
          return err ? 'error ' + err : done`,
      })),
      {
        name: 'Function.prototype.call replaced to steal the native connect from the guard',
        code: `const net = require('net'); let Req; const hook = require('async_hooks').createHook({ init(id, type, t, res) { if (type === 'TCPCONNECTWRAP') Req = res.constructor; } }).enable();
          const call = Function.prototype.call, apply = Function.prototype.apply; let stolen;
          Function.prototype.call = function (self, ...args) { if (this.name === 'connect' && !stolen) stolen = this; return Reflect.apply(this, self, args); };
          Function.prototype.apply = function (self, args) { if (this.name === 'connect' && !stolen) stolen = this; return Reflect.apply(this, self, args ?? []); };
          let s; try { s = net.connect(${G}, '127.0.0.1'); await new Promise((r) => s.once('connect', r)); } finally { Function.prototype.call = call; Function.prototype.apply = apply; hook.disable(); }
          const TCP = s._handle.constructor; s.destroy(); const h = new TCP(0); const req = new Req();
          if (!stolen || stolen === TCP.prototype.connect) return 'nothing stolen';
          return new Promise((resolve) => { req.oncomplete = (status) => resolve(status === 0 ? 'CONNECTED' : 'error ' + status); const err = Reflect.apply(stolen, h, [req, '127.0.0.1', ${F}]); if (err) resolve('error ' + err); })`,
      },
      {
        name: 'Array.prototype.includes replaced, then a unix socket that is not granted',
        code: `const saved = Array.prototype.includes; try { Array.prototype.includes = () => true; return await __settle(require('net').connect(${JSON.stringify(forbidden.unix)})); } catch (e) { return 'error ' + (e.code || e.name); } finally { Array.prototype.includes = saved; }`,
      },
      {
        name: "process.binding('tcp_wrap')",
        code: `const { TCP } = process.binding('tcp_wrap'); return typeof TCP === 'function' ? 'CROSSED: tcp_wrap binding' : 'no TCP'`,
      },
    ];
    await runAttempts(
      'node net',
      tries.map((t) => ({ name: t.name, run: () => attempt(k, forbidden, t.code) })),
    );
  });
});
