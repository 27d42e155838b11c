/**
 * One Sandbox cell must never observe or alter another cell's requests or data through what it plants on the shared
 * prototypes: getters and setters on Object.prototype (which every ordinary object inherits, a missing key included),
 * getters on its indexes (which a string read past its end reaches), setters on array indexes, replaced Map, Array and
 * Number methods. The prelude's own objects (worker/isolate/prelude/*.ts: the request fetch hands the host, an init
 * the cell left out, the classes' internal states, records, property descriptors) have no prototype and hold all their
 * keys from the start, and its bookkeeping calls only what it captured, so such a plant reads and answers none of
 * them. Found by an attack review:
 * - a getter for `body` on Object.prototype read another cell's bodyless fetch (its URL and Authorization header) and
 *   sent it as `POST /exfil` with the attacker's body;
 * - `fetch(url)`, `new Request(url)` and `new Response(body)` without an init read `method`, `headers`, `status`… from
 *   Object.prototype (a later cell's plain fetch went out as PUT with an `x-evil` header);
 * - a TextDecoder's state was written through setters planted on Object.prototype (a spy recorded each decoded byte);
 * - URLSearchParams.prototype.sort ran the array iterator and Array.prototype.sort of the moment.
 * An init the cell gives is its own object: it is read as WebIDL reads a dictionary, inherited members too (as Node's
 * fetch does), so the victims below either pass none or list theirs (`mine(…)`) for the spies to leave alone.
 */
import { strict as assert } from 'node:assert';
import type { Server } from 'node:http';
import { listen, recorder, type Received } from '../../helpers/recordingServer';
import { skipWithoutSandbox, startSandbox } from '../../helpers/sandboxKernel';
import { outcome, within } from './thenAttacks';

/** The keys of the prelude's own objects (states, records, requests, descriptors) and of the inits a cell may leave out. */
const INTERNAL_KEYS = [
  // a request, as fetch reads it and as it crosses to the host
  ...['url', 'method', 'headers', 'body', 'redirect', 'signal', 'base64', 'text'],
  // Request and Response inits and states
  ...['cache', 'credentials', 'duplex', 'integrity', 'keepalive', 'mode', 'referrer', 'referrerPolicy', 'window', 'status', 'statusText'],
  ...['headersState', 'type', 'redirected', 'list', 'guard', 'bytes', 'used', 'essence', 'params', 'end', 'name', 'filename'],
  // Blob, File, TextDecoder, URLSearchParams, URL, Event, AbortSignal
  ...['endings', 'lastModified', 'native', 'encoding', 'fatal', 'ignoreBOM', 'stream', 'bomSeen', 'utf8', 'utf16', 'leadByte', 'leadSurrogate'],
  ...['cp', 'needed', 'seen', 'lower', 'upper', 'parts', 'searchParams', 'bubbles', 'cancelable', 'defaultPrevented', 'target', 'stopped'],
  ...['timeStamp', 'callback', 'once', 'removed', 'aborted', 'reason', 'followers', 'kind', 'index', 'transfer'],
  // the prelude's bookkeeping: timers, pending fetches, messages and answers
  ...['fn', 'args', 'repeat', 'meta', 'resolve', 'reject', 'stop', 'onAbort', 'cellId', 'executionId', 'instrument', 'b64', 'ms', 'ok', 'error'],
];
/** The fields ToPropertyDescriptor reads (through the prototype of an ordinary descriptor object). */
const DESCRIPTOR_KEYS = ['get', 'set', 'value', 'writable', 'enumerable', 'configurable'];

/**
 * A spy on Object.prototype for each key: its getter records the object it is read on and answers undefined (as a
 * missing key does), its setter records the value and writes it on the object as its own (as a missing key does).
 * Objects the victim listed with `mine(…)` (its own inits) are left alone.
 */
const spyOn = (keys: string[]) => `globalThis.spied = []; globalThis.victimOwn = new WeakSet(); globalThis.mine = (o) => (victimOwn.add(o), o);
  const keys = ${JSON.stringify(keys)}; let inside = false;
  const note = (what, self, v) => {
    if (inside || victimOwn.has(self)) return;
    inside = true;
    try { spied.push(what + ' ' + Object.prototype.toString.call(self) + ' ' + (v === undefined ? '' : String(v).slice(0, 80))) } finally { inside = false }
  };
  for (const key of keys)
    Object.defineProperty(Object.prototype, key, { __proto__: null, configurable: true,
      get() { note('read ' + key, this); return undefined },
      set(v) { note('wrote ' + key, this, v); Object.defineProperty(this, key, { __proto__: null, value: v, writable: true, enumerable: true, configurable: true }) } });
  'planted'`;

describe('adversarial: a Sandbox cell cannot reach another cell through shared prototypes', function () {
  this.timeout(300_000);
  const log: Received[] = [];
  let server: Server;
  let BASE = '';
  before(async function () {
    skipWithoutSandbox(this);
    server = recorder('A', log, (_url, _req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), 'latin1');
    BASE = await listen(server);
  });
  after(() => server?.close());

  const sandbox = async () => {
    const k = await startSandbox({ permissions: { net: ['127.0.0.1'] } });
    assert.equal(outcome(await within(k, `globalThis.BASE = ${JSON.stringify(BASE)}; 'ready'`)), 'ready');
    return k;
  };
  /** Runs `cells` one after the other on a fresh kernel; answers each cell's outcome. */
  const cells = async (...codes: string[]): Promise<string[]> => {
    const k = await sandbox();
    try {
      const out: string[] = [];
      for (const code of codes) out.push(outcome(await within(k, code)));
      return out;
    } finally {
      await k.kernel.dispose();
    }
  };
  /** What the server received for an id: method, path, chosen headers, body. */
  const sent = (id: string) =>
    log
      .filter((r) => r.id === id)
      .map((r) => [
        r.method,
        r.path,
        Object.entries(r.headers)
          .filter(([h]) => h.startsWith('x-') || h === 'authorization' || h === 'content-type')
          .map(([h, v]) => `${h}: ${String(v).replace(/boundary=[^;]+/, 'boundary=B')}`)
          .sort(),
        r.body.replace(/-+formdata-coda-\d+/g, 'B'),
      ]);

  describe('getters on Object.prototype for the keys of a request', () => {
    const victim = (id: string) =>
      `const r = await fetch(BASE + '/victim?id=${id}&token=abc', { headers: { authorization: 'Bearer victim-secret' } }); r.status + ' ' + await r.text()`;

    const attacks = [
      [
        // the review's attack, as it was found
        'a `body` getter that rewrites the request it is read on (the review)',
        `globalThis.spied = []; Object.defineProperty(Object.prototype, 'body', { configurable: true, get() {
          if (this && typeof this.url === 'string' && Array.isArray(this.headers)) {
            spied.push(JSON.stringify({ url: this.url, method: this.method, headers: this.headers }));
            this.url = BASE + '/exfil?id=ID'; this.method = 'POST'; this.headers.push(['x-injected', 'by-attacker']);
            return new TextEncoder().encode('stolen-body');
          } } }); 'planted'`,
      ],
      [
        'a `body` getter for any object with a URL, and a setter',
        `globalThis.spied = []; Object.defineProperty(Object.prototype, 'body', { configurable: true,
          get() { if (this && 'url' in this) { spied.push(String(this.url)); return 'stolen-body' } },
          set(v) { spied.push('set ' + String(v)) } }); 'planted'`,
      ],
      [
        'getters for every key of a request that answer for objects with a URL of their own',
        `globalThis.spied = []; const c = new AbortController(); c.abort(new Error('aborted by the attacker'));
          const answers = { url: BASE + '/exfil?id=ID', method: 'PUT', headers: [['x-evil', '1']], body: new TextEncoder().encode('stolen'), redirect: 'manual', signal: c.signal };
          for (const [key, value] of Object.entries(answers)) Object.defineProperty(Object.prototype, key, { configurable: true, get() {
            if (this && Object.hasOwn(this, 'url')) { spied.push(key + ' of ' + JSON.stringify(this)); return value } } });
          'planted'`,
      ],
    ] as const;
    attacks.forEach(([name, attack], n) => {
      it(`${name}: another cell's bodyless fetch goes out unread and unchanged`, async () => {
        const id = `body-${n}`;
        const [planted, result, spied] = await cells(attack.replace(/ID/g, id), victim(id), `spied.join(' | ') || 'nothing'`);
        assert.equal(planted, 'planted');
        assert.equal(result, '200 {"ok":true}');
        assert.equal(spied, 'nothing', 'the attacker saw the request');
        assert.deepEqual(sent(id), [['GET', '/victim', ['authorization: Bearer victim-secret'], '']]);
        assert.deepEqual(
          log.filter((r) => r.path === '/exfil' || (r.id === id && r.path !== '/victim')),
          [],
          'the request was sent elsewhere',
        );
      });
    });
  });

  it('the init a cell leaves out is never read from Object.prototype (fetch, Request, Response, Blob, File, TextDecoder, Event)', async () => {
    const victim = `const r = await fetch(BASE + '/defaults?id=ID'); await r.text();
      const q = new Request(BASE + '/x'); const rs = new Response('x'); const rj = Response.json({ a: 1 }); const re = Response.redirect(BASE + '/r');
      const b = new Blob(['x']); const f = new File(['y'], 'n.txt'); const td = new TextDecoder(); const text = td.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]));
      const ev = new Event('x'); const e2 = new Event('y', null);
      JSON.stringify([r.status, r.statusText, q.method, [...q.headers], q.redirect, q.cache, q.credentials, q.mode, q.integrity, q.keepalive, q.referrer,
        q.referrerPolicy, q.signal.aborted, q.bodyUsed, rs.status, rs.statusText, [...rs.headers], await rs.text(), rj.status, [...rj.headers], re.status,
        [...re.headers], b.type, b.size, f.type, f.name, typeof f.lastModified, td.encoding, td.fatal, td.ignoreBOM, text, ev.bubbles, ev.cancelable,
        e2.bubbles, structuredClone([1]).length])`;
    // a clean kernel's answer first
    const [expected] = await cells(victim.replace('ID', 'defaults-clean'));
    const evil = `const c = new AbortController(); c.abort();
      const plant = { method: 'PUT', headers: { 'x-evil': '1' }, redirect: 'manual', signal: c.signal, body: 'evil-body', status: 299, statusText: 'Evil',
        cache: 'no-store', credentials: 'omit', mode: 'same-origin', integrity: 'sha256-evil', keepalive: true, referrer: '', referrerPolicy: 'no-referrer',
        duplex: 'evil', window: 1, type: 'text/evil', endings: 'native', lastModified: 'evil', fatal: true, ignoreBOM: true, stream: true,
        bubbles: true, cancelable: true, transfer: [1] };
      for (const [key, value] of Object.entries(plant)) Object.defineProperty(Object.prototype, key, { configurable: true, get() { return value } }); 'planted'`;
    const [planted, got] = await cells(evil, victim.replace('ID', 'defaults-polluted'));
    assert.equal(planted, 'planted');
    assert.equal(got, expected);
    assert.deepEqual(sent('defaults-polluted'), [['GET', '/defaults', [], '']]);
    assert.deepEqual(JSON.parse(expected!).slice(0, 4), [200, 'OK', 'GET', []]);
  });

  it("a TextDecoder's state is never read or written through Object.prototype: a spy sees no byte of another cell's decode", async () => {
    const victim = `const out = [];
      for (const [label, bytes] of [['utf-16le', [0xff, 0xfe, 0x53, 0, 0x45, 0, 0x3d, 0xd8, 0x11, 0xdd]], ['utf-16be', [0, 0x43, 0, 0x52]],
        ['utf-8', [0xef, 0xbb, 0xbf, 0x45, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x94, 0x91]], ['windows-1252', [0x80, 0x54, 0x9f]]]) {
        const d = new TextDecoder(label);
        out.push(d.decode(new Uint8Array(bytes.slice(0, 3)), mine({ stream: true })) + d.decode(new Uint8Array(bytes.slice(3))));
        out.push(new TextDecoder(label, mine({ fatal: false })).decode(new Uint8Array(bytes)));
      }
      JSON.stringify(out)`;
    const mineless = `globalThis.mine = (o) => o; ${victim}`;
    const [expected] = await cells(mineless);
    // the review's spy (an object answered for \`utf16\`, whose setters record each lead byte), then setters and
    // getters for every key of the states
    const reviewSpy = `globalThis.seen = []; const spy = { set leadByte(b) { if (b !== -1) seen.push(b); this._l = b }, get leadByte() { return this._l ?? -1 }, leadSurrogate: -1 };
      Object.defineProperty(Object.prototype, 'utf16', { configurable: true, get() { return spy }, set(v) {} }); 'planted'`;
    const [planted1, got1, seen] = await cells(reviewSpy, mineless, `seen.length ? String.fromCharCode(...seen) : 'nothing'`);
    assert.equal(planted1, 'planted');
    assert.equal(got1, expected);
    assert.equal(seen, 'nothing');
    const [planted2, got2, spied] = await cells(spyOn(INTERNAL_KEYS), victim, `spied.join(' | ') || 'nothing'`);
    assert.equal(planted2, 'planted');
    assert.equal(got2, expected);
    assert.equal(spied, 'nothing');
  });

  it("a spy on every key of the prelude's objects, and on the fields of property descriptors, records nothing of another cell", async () => {
    // the victim: every class, a fetch of each kind, what it reads back; its own inits listed with mine()
    const victim = (id: string) => `const h = new Headers(mine({ 'X-Victim': 'victim-header' })); h.append('x-victim', 'again'); h.set('x-set', ' trimmed ');
      const fd = new FormData(); fd.append('f', new File(['file-secret'], 'secret.txt', mine({ type: 'text/plain' }))); fd.append('s', 'form\\nsecret');
      const q = new URLSearchParams(mine({ z: 'query-secret', a: 'b' })); q.append('a', 'c'); q.sort();
      const r1 = await fetch(new Request(BASE + '/v1?id=${id}', mine({ method: 'POST', headers: h, body: new Blob(['blob-', 'secret'], mine({ type: 'application/x-victim' })) })));
      const r2 = await fetch(BASE + '/v2?id=${id}', mine({ method: 'PUT', body: fd }));
      const r3 = await fetch(BASE + '/v3?id=${id}', mine({ method: 'POST', body: q, headers: mine([mine(['x-pairs', '1'])]) }));
      const r4 = await fetch(BASE + '/v4?id=${id}');
      const back = await new Response(fd).formData(); const u = new URL(BASE + '/u?y=url-secret'); u.searchParams.append('z', '1');
      const c = new AbortController(); let heard = 0; c.signal.addEventListener('abort', () => heard++, mine({ once: true })); c.abort();
      const clone = structuredClone(mine({ a: mine(['clone-secret']), m: new Map([['k', 'map-secret']]) }));
      JSON.stringify([(await r1.json()).ok, r2.status, r3.headers.get('content-type'), await r4.text(), back.get('s'), (await back.get('f').text()), back.get('f').name,
        String(u), q.toString(), heard, c.signal.aborted, clone.a[0], clone.m.get('k'), atob(btoa('atob-secret')), new TextDecoder().decode(new TextEncoder().encode('é-secret')),
        (await new Response(new Blob(['x'], mine({ type: 'Text/Plain;charset=UTF-8' }))).blob()).type])`;
    const [expected] = await cells(`globalThis.mine = (o) => o; ${victim('spy-clean')}`);
    const baseline = sent('spy-clean');
    assert.equal(baseline.length, 4);
    for (const [name, keys] of [
      ['the keys of states, records and inits', INTERNAL_KEYS],
      ['the fields of property descriptors', DESCRIPTOR_KEYS],
    ] as const) {
      const id = `spy-${name.length}`;
      const [planted, got, spied] = await cells(spyOn([...keys]), victim(id), `spied.join(' | ') || 'nothing'`);
      assert.equal(planted, 'planted');
      assert.equal(spied, 'nothing', `${name}: the spy saw another cell's objects`);
      assert.equal(got, expected, `${name}: the victim's results changed`);
      assert.deepEqual(sent(id), baseline, `${name}: the victim's requests changed`);
    }
  });

  it("getters on Object.prototype's indexes see no character of another cell's Content-Type, form names or bodies", async () => {
    const victim = `const fd = new FormData(); fd.append('name\\r', 'value\\r'); fd.append('f', new File(['x'], 'secret-name\\r'));
      const res = new Response(fd); const ct = res.headers.get('content-type'); const back = await res.formData();
      const typed = await new Response('x', mine({ headers: mine({ 'content-type': 'text/plain; charset="secret-charset";q=' }) })).blob();
      const parsed = await new Response('a=1', mine({ headers: mine({ 'content-type': 'application/x-www-form-urlencoded,' }) })).formData();
      JSON.stringify([ct.startsWith('multipart/form-data; boundary='), [...back.keys()], back.get('f').name, typed.type, parsed.get('a')])`;
    const [expected] = await cells(`globalThis.mine = (o) => o; ${victim}`);
    const indexes = `globalThis.spied = []; globalThis.mine = (o) => o;
      for (let i = 0; i < 256; i++) Object.defineProperty(Object.prototype, i, { configurable: true, get() { 'use strict'; if (typeof this === 'string') spied.push(this) } }); 'planted'`;
    const [planted, got, spied] = await cells(indexes, victim, `spied.join(' | ') || 'nothing'`);
    assert.equal(planted, 'planted');
    assert.equal(spied, 'nothing');
    assert.equal(got, expected);
  });

  it('replaced Map methods, setters on array indexes and Number.prototype.toString see no timer argument, console line, UUID or decoded byte of another cell', async () => {
    // (the victim's Map is made before the attack: its own calls of a replaced method are its own business)
    const prepare = `globalThis.victimMap = new Map([['k', 'map-secret']]); 'prepared'`;
    const attack = `globalThis.spied = [];
      const text = (x) => { try { return Array.isArray(x) ? x.join() : String(x) } catch { return '?' } };
      let inside = false;
      const note = (v) => {
        if (inside) return;
        inside = true;
        try { spied.push(typeof v === 'object' && v !== null ? Object.values(v).map(text).join() : text(v)) } finally { inside = false }
      };
      const set = Map.prototype.set; Map.prototype.set = function (k, v) { note(v); return Reflect.apply(set, this, [k, v]) };
      const get = Map.prototype.get; Map.prototype.get = function (k) { const v = Reflect.apply(get, this, [k]); note(v); return v };
      const MIP = Object.getPrototypeOf(new Map().entries()); const next = MIP.next; MIP.next = function () { const r = Reflect.apply(next, this, []); if (!r.done) note(r.value[1]); return r };
      for (let i = 0; i < 64; i++) Object.defineProperty(Array.prototype, i, { configurable: true, set(v) { note(v); Object.defineProperty(this, i, { value: v, writable: true, enumerable: true, configurable: true }) } });
      const toString = Number.prototype.toString; Number.prototype.toString = function (r) { note('n' + Reflect.apply(toString, this, [10])); return Reflect.apply(toString, this, [r]) };
      'planted'`;
    const victim = `const fired = await new Promise((resolve) => setTimeout((a, b) => resolve(a + b), 1, 'timer-', 'secret'));
      console.log('console-secret'); const uuid = crypto.randomUUID(); const clone = structuredClone(victimMap);
      const size = Object.getOwnPropertyDescriptor(Map.prototype, 'size').get;
      JSON.stringify([fired, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid), clone !== victimMap && Reflect.apply(size, clone, []), atob(btoa('atob-secret'))])`;
    const k = await sandbox();
    try {
      assert.equal(outcome(await within(k, prepare)), 'prepared');
      assert.equal(outcome(await within(k, attack)), 'planted');
      const before = k.console.length;
      assert.equal(outcome(await within(k, victim)), '["timer-secret",true,1,"atob-secret"]');
      assert.deepEqual(
        k.console.slice(before).map((e) => e.text),
        ['console-secret'],
      );
      // (a number's toString called by the prelude would be a byte of the UUID)
      const spied = outcome(await within(k, `spied.filter((s) => /secret|^n\\d/.test(s)).join(' | ') || 'nothing'`));
      assert.equal(spied, 'nothing');
    } finally {
      await k.kernel.dispose();
    }
  });

  it("URLSearchParams.prototype.sort is the URL standard's (stable, by UTF-16 code units) whatever a cell did to Array's sort and iterator", async () => {
    const query = 'z=1&a=2&z=0&b=&a=1&%C3%A9=x&~=y&A=z&%F0%9F%98%80=astral&%EF%BF%BD=replacement&a=0';
    const expected = new URLSearchParams(query);
    expected.sort();
    const [planted, got] = await cells(
      `Object.getPrototypeOf([][Symbol.iterator]()).next = () => ({ done: true }); Array.prototype[Symbol.iterator] = function* () { yield ['x-evil', 'evil'] };
        Array.prototype.sort = function () { throw new Error('tampered sort') }; 'planted'`,
      `const p = new URLSearchParams(${JSON.stringify(query)}); p.sort(); const u = new URL('http://h/?' + ${JSON.stringify(query)}); u.searchParams.sort(); p.toString() + ' ' + u.search`,
    );
    assert.equal(planted, 'planted');
    assert.equal(got, `${expected.toString()} ?${expected.toString()}`);
  });
});
