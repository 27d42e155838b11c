/**
 * Attacks on the Sandbox's Headers, Request, Response, Blob, File and FormData (the prelude's own classes,
 * worker/isolate/prelude/makeFetchApis.ts and makeBlobApis.ts), which add no message to the host: fetch still sends
 * the host only plain data, checked there as any fetch is.
 * - Tampering: a cell replaces built-ins (Array.prototype methods and iterators, setters on array indexes,
 *   String.prototype methods, Map and WeakMap methods, Promise, Object, Reflect, JSON, RegExp, typed arrays, the
 *   classes' own prototypes, the globals the prelude captured…) and never undoes it. Another cell's fetch, built with
 *   those classes, must still send exactly what it sent on a clean kernel, and still settle.
 * - Posing: objects that look like a Request, Headers, Blob or FormData (look-alikes, subclasses with lying getters,
 *   proxies, a toString or a getter that answers differently the second time, line breaks in headers) must send nothing
 *   a plain fetch of the same cell could not: never an ungranted host, never a header with a line break, never a body
 *   over the bound.
 * - The host's check of the request the prelude sends (checkFetchRequest): a URL or body too long is refused
 *   before it is decoded, never cut short.
 */
import { strict as assert } from 'node:assert';
import type { Server } from 'node:http';
import { inspect } from 'node:util';
import { createMasker } from '../../../../protocol/maskSecrets';
import { MAX_FETCH_REQUEST_BYTES, MAX_FETCH_URL_CHARS, checkFetchRequest } from '../../../../worker/isolate/sandboxFetch';
import { listen, recorder as recordingServer, type Received } from '../../helpers/recordingServer';
import { sandboxStartOptions, skipWithoutSandbox, startSandbox } from '../../helpers/sandboxKernel';
import { allStrings, startKernel, type TestKernel } from '../../helpers/testKernel';
import { outcome, within } from './thenAttacks';

/** A server that records what it receives (bodies as Latin-1) and answers `{"ok":true}`; `/slow` answers after 3 s, unless the client goes first (an aborted fetch). */
const recorder = (name: 'A' | 'B', log: Received[]): Server =>
  recordingServer(
    name,
    log,
    (url, req, res) => {
      if (url.pathname === '/slow') {
        const timer = setTimeout(() => res.end('slow'), 3000);
        req.socket.once('close', () => clearTimeout(timer));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    },
    'latin1',
  );

/**
 * The victim: it fetches with every class (a Request with Headers and a Blob body, a FormData with a File,
 * URLSearchParams with header pairs, a plain GET whose answer it reads).
 * `prepare` builds its objects (before or after the attack), `send` fetches with them.
 */
const prepare = (id: string) => `globalThis.victimParts = (() => {
  const ID = ${JSON.stringify(id)};
  const fd = new FormData(); fd.append('f', new File(['file-bytes'], 'f.txt', { type: 'text/plain' })); fd.append('s', 'v\\nw');
  const h = new Headers({ 'X-Victim': 'yes' }); h.append('x-victim', 'again'); h.set('x-set', ' trimmed ');
  return {
    request: new Request(BASE + '/v1?id=' + ID, { method: 'POST', headers: h, body: new Blob(['blob-', 'A'], { type: 'application/x-victim' }) }),
    formTo: BASE + '/v2?id=' + ID, formInit: { method: 'PUT', body: fd },
    queryTo: BASE + '/v3?id=' + ID, queryInit: { method: 'POST', body: new URLSearchParams({ q: 'a b', r: 'é' }), headers: [['x-pairs', '1']] },
    getTo: BASE + '/v4?id=' + ID,
  };
})(); 'prepared'`;
const send = `const v = victimParts; await fetch(v.request); await fetch(v.formTo, v.formInit); await fetch(v.queryTo, v.queryInit);
'sent ' + (await (await fetch(v.getTo)).text())`;
const SENT = 'sent {"ok":true}';

/** Each attack replaces built-ins and leaves them replaced. */
const TAMPERING: { name: string; code: string; victimBuildsFirst?: boolean }[] = [
  {
    name: 'Array.prototype methods throw',
    code: `for (const m of ['push', 'pop', 'shift', 'unshift', 'map', 'filter', 'forEach', 'join', 'slice', 'splice', 'concat', 'indexOf', 'includes', 'find', 'findIndex', 'some', 'every', 'sort', 'reduce', 'fill', 'keys', 'values', 'entries', 'flat', 'at', 'reverse'])
      Array.prototype[m] = function () { throw new Error('tampered Array ' + m) }; 'done'`,
  },
  {
    name: 'the array iterator answers something else',
    code: `const AIP = Object.getPrototypeOf([][Symbol.iterator]()); AIP.next = function () { return { done: false, value: ['x-evil', 'injected'] } };
      Array.prototype[Symbol.iterator] = function* () { yield ['x-evil', 'injected']; yield 'evil' }; 'done'`,
  },
  {
    name: 'setters and getters on array indexes',
    code: `for (let i = 0; i < 16; i++) Object.defineProperty(Array.prototype, i, { get() { return 'x-evil' }, set(v) { globalThis.stolen = v }, configurable: true }); 'done'`,
  },
  {
    name: 'String.prototype methods lie',
    code: `for (const m of ['toLowerCase', 'toUpperCase', 'trim', 'trimStart', 'trimEnd', 'slice', 'substring', 'substr', 'split', 'replace', 'replaceAll', 'indexOf', 'lastIndexOf', 'includes', 'startsWith', 'endsWith', 'padStart', 'padEnd', 'charAt', 'at', 'concat', 'normalize', 'repeat', 'charCodeAt', 'codePointAt', 'toString', 'valueOf'])
      String.prototype[m] = function () { return 'x-evil' }; String.fromCharCode = () => 'x'; String.fromCodePoint = () => 'x'; String.prototype[Symbol.iterator] = function* () { yield 'x' }; 'done'`,
  },
  {
    name: 'Map, Set and WeakMap methods lie',
    code: `const MIP = Object.getPrototypeOf(new Map().entries()); MIP.next = () => ({ done: true });
      for (const C of [Map, Set, WeakMap, WeakSet]) for (const m of ['get', 'set', 'has', 'delete', 'add', 'entries', 'keys', 'values', 'forEach', 'clear']) if (m in C.prototype) C.prototype[m] = function () { return undefined };
      Map.prototype[Symbol.iterator] = function* () {}; 'done'`,
  },
  {
    name: "Promise's methods replaced",
    code: `Promise.prototype.then = function () { return this }; Promise.prototype.catch = function () { return this }; Promise.prototype.finally = function () { return this };
      Promise.resolve = () => new Promise(() => {}); Promise.reject = () => new Promise(() => {}); Promise.all = Promise.race = Promise.allSettled = () => new Promise(() => {}); 'done'`,
  },
  {
    // (with both replaced, a cell's own await of any promise never ends, in every runtime)
    name: "Promise's species and constructor replaced",
    code: `Object.defineProperty(Promise, Symbol.species, { get() { return function (ex) { ex(() => {}, () => {}) } }, configurable: true });
      Promise.prototype.constructor = function () {}; 'done'`,
  },
  {
    name: 'Object and Reflect statics replaced',
    code: `const noop = () => { throw new Error('tampered') };
      for (const m of ['defineProperty', 'defineProperties', 'create', 'keys', 'entries', 'values', 'assign', 'freeze', 'getOwnPropertyDescriptor', 'getOwnPropertyNames', 'getPrototypeOf', 'setPrototypeOf', 'hasOwn', 'fromEntries', 'is']) Object[m] = noop;
      for (const m of ['apply', 'construct', 'ownKeys', 'get', 'set', 'defineProperty', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'has']) Reflect[m] = noop; 'done'`,
  },
  {
    name: 'JSON, Math and RegExp replaced',
    code: `JSON.parse = () => ({ t: 'console', entries: [] }); JSON.stringify = () => '{"t":"forged"}'; Math.random = () => 0; Math.floor = () => 0; Math.min = Math.max = () => 0;
      RegExp.prototype.exec = () => null; RegExp.prototype.test = () => true; RegExp.prototype[Symbol.replace] = () => 'x-evil'; RegExp.prototype[Symbol.split] = () => ['x-evil']; 'done'`,
  },
  {
    name: 'typed arrays and ArrayBuffer replaced',
    code: `const TA = Object.getPrototypeOf(Uint8Array.prototype);
      for (const m of ['set', 'subarray', 'slice', 'fill', 'map', 'join', 'indexOf']) TA[m] = function () { throw new Error('tampered ' + m) };
      for (const g of ['length', 'byteLength', 'byteOffset', 'buffer']) Object.defineProperty(TA, g, { get() { return 3 }, configurable: true });
      Object.defineProperty(ArrayBuffer.prototype, 'byteLength', { get() { return 0 }, configurable: true }); ArrayBuffer.prototype.slice = () => new ArrayBuffer(1);
      ArrayBuffer.isView = () => false; Uint8Array.prototype.constructor = function () {}; Uint8Array.from = Uint8Array.of = () => new Uint8Array(0); 'done'`,
  },
  {
    // (the victim's own calls of them would answer the attacker's: its objects are built before the attack)
    victimBuildsFirst: true,
    name: "the classes' own prototypes lie",
    code: `const lie = (C, names) => { for (const n of names) Object.defineProperty(C.prototype, n, { get() { return () => 'x-evil' }, configurable: true }) };
      lie(Headers, ['append', 'set', 'get', 'has', 'delete', 'forEach', 'entries', 'keys', 'values', Symbol.iterator, 'getSetCookie']);
      lie(Request, ['url', 'method', 'headers', 'redirect', 'signal', 'text', 'arrayBuffer', 'bytes', 'blob', 'clone', 'bodyUsed']);
      lie(Blob, ['text', 'arrayBuffer', 'bytes', 'size', 'type', 'slice']); lie(File, ['name', 'lastModified']);
      lie(FormData, ['append', 'get', 'getAll', 'entries', 'forEach', Symbol.iterator, 'keys', 'values']);
      lie(URLSearchParams, ['toString', 'entries', 'forEach', Symbol.iterator]); lie(URL, ['href', 'toString']);
      lie(AbortSignal, ['aborted', 'reason']); lie(TextEncoder, ['encode']); 'done'`,
  },
  {
    name: 'the globals the prelude captured are replaced',
    code: `for (const g of ['Uint8Array', 'ArrayBuffer', 'DataView', 'TextEncoder', 'TextDecoder', 'JSON', 'Map', 'Set', 'WeakMap', 'Array', 'Object', 'Reflect', 'Promise', 'Error', 'TypeError', 'RangeError', 'Math', 'Symbol', 'Date', 'URL', 'AbortController', 'AbortSignal'])
      globalThis[g] = function evil() { throw new Error('evil ' + g) }; 'done'`,
  },
  {
    name: 'Function.prototype and stack traces',
    code: `Function.prototype.call = Function.prototype.apply = Function.prototype.bind = function () { throw new Error('tampered') };
      Error.prepareStackTrace = () => { throw new Error('no stacks') }; Error.stackTraceLimit = 0; 'done'`,
  },
  {
    name: "Object.prototype keys of the bridge's messages",
    code: `for (const k of ['t', 'id', 'cellId', 'executionId', 'request', 'base64', 'text', 'url', 'bodyBase64', 'status', 'statusText', 'redirected', 'error', 'stack', 'response', 'props', 'name', 'message', 'list', 'guard', 'bytes', 'used', 'type'])
      Object.defineProperty(Object.prototype, k, { get() { return 'x-evil' }, set(v) { throw new Error('forged ' + k) }, configurable: true }); 'done'`,
  },
  {
    // found by an attack review: a \`body\` getter read another cell's bodyless fetch and sent it elsewhere; and an init
    // the cell left out was read from Object.prototype (the cell's own inits are its business, as in Node)
    name: "Object.prototype getters for a request's keys that answer for the prelude's own objects and for an empty init",
    code: `const evil = { url: OTHER + '/evil', method: 'DELETE', headers: [['x-evil', '1']], body: new TextEncoder().encode('evil'), redirect: 'manual',
        signal: AbortSignal.abort(), cache: 'no-store', credentials: 'omit', mode: 'same-origin', keepalive: true, integrity: 'x', referrer: '',
        referrerPolicy: 'no-referrer', duplex: 'x', status: 299, statusText: 'Evil', type: 'text/evil', stop: () => {} };
      // an ordinary object with no key of its own (an init the prelude made up), or one shaped like its request or records
      const prelude = (o) => typeof o === 'object' && o !== null && Object.getPrototypeOf(o) === Object.prototype &&
        (Object.keys(o).length === 0 || (Object.hasOwn(o, 'url') && Object.hasOwn(o, 'headers')) || Object.hasOwn(o, 'resolve'));
      for (const [k, v] of Object.entries(evil))
        Object.defineProperty(Object.prototype, k, { configurable: true, get() { if (prelude(this)) { (globalThis.stolen ??= []).push(k); return v } } }); 'done'`,
  },
  {
    name: 'Object.prototype getters for the fields of property descriptors (get, set, value…), which read what a descriptor defines',
    code: `for (const k of ['get', 'set', 'value', 'writable', 'enumerable', 'configurable'])
        Object.defineProperty(Object.prototype, k, { __proto__: null, configurable: true, get() { (globalThis.stolen ??= []).push(this); return undefined } }); 'done'`,
  },
];

/** What is compared of a request: the parts the cell chose (a multipart boundary read as B). */
const shape = (r: Received) => {
  const boundary = /boundary=([^;]+)/.exec(String(r.headers['content-type']))?.[1];
  const clean = (s: unknown) => (boundary && typeof s === 'string' ? s.split(boundary).join('B') : s);
  return {
    server: r.server,
    method: r.method,
    path: r.path,
    contentType: clean(r.headers['content-type']),
    custom: Object.entries(r.headers)
      .filter(([h]) => h.startsWith('x-') || h === 'authorization')
      .sort(),
    body: clean(r.body),
  };
};

describe('adversarial: the Sandbox fetch classes (Headers, Request, Response, Blob, FormData)', function () {
  this.timeout(300_000);
  const log: Received[] = [];
  let a: Server;
  let b: Server;
  let A = '';
  let B = '';
  before(async function () {
    skipWithoutSandbox(this);
    a = recorder('A', log);
    b = recorder('B', log);
    A = await listen(a, '127.0.0.1');
    // the same loopback, by a name the notebook was not granted
    B = await listen(b, 'localhost');
  });
  after(() => {
    a?.close();
    b?.close();
  });

  const sandbox = async () => {
    const k = await startSandbox({ permissions: { net: ['127.0.0.1'] } });
    assert.equal(outcome(await within(k, `globalThis.BASE = ${JSON.stringify(A)}; globalThis.OTHER = ${JSON.stringify(B)}; 'ready'`)), 'ready');
    return k;
  };
  const requestsOf = (id: string) => log.filter((r) => r.id === id).map(shape);

  describe('a cell that replaced built-ins', () => {
    let baseline: ReturnType<typeof shape>[] = [];
    const crossings: string[] = [];
    after(() => console.log(`      sandbox fetch classes, tampering: ${TAMPERING.length} attacks, ${crossings.length} crossings`));

    it('a clean kernel sends what the victim asked for (the baseline)', async () => {
      const k = await sandbox();
      try {
        assert.equal(outcome(await within(k, prepare('baseline'))), 'prepared');
        assert.equal(outcome(await within(k, send)), SENT);
        baseline = requestsOf('baseline');
        assert.deepEqual(
          baseline.map((r) => [r.method, r.path, r.contentType]),
          [
            ['POST', '/v1', 'application/x-victim'],
            ['PUT', '/v2', 'multipart/form-data; boundary=B'],
            ['POST', '/v3', 'application/x-www-form-urlencoded;charset=UTF-8'],
            ['GET', '/v4', undefined],
          ],
        );
        assert.deepEqual(baseline[0]!.custom, [
          ['x-set', 'trimmed'],
          ['x-victim', 'yes, again'],
        ]);
        assert.equal(baseline[0]!.body, 'blob-A');
        assert.equal(baseline[2]!.body, 'q=a+b&r=%C3%A9');
        assert.match(
          String(baseline[1]!.body),
          /name="f"; filename="f.txt"\r\nContent-Type: text\/plain\r\n\r\nfile-bytes\r\n--B\r\nContent-Disposition: form-data; name="s"\r\n\r\nv\r\nw\r\n--B--/,
        );
      } finally {
        await k.kernel.dispose();
      }
    });

    for (const attack of TAMPERING) {
      for (const first of attack.victimBuildsFirst ? [true] : [true, false]) {
        it(`${attack.name} (the victim's objects built ${first ? 'before' : 'after'} it): another cell's fetch still sends the same, and settles`, async () => {
          const k = await sandbox();
          try {
            const id = `t-${attack.name}-${first}`;
            if (first) assert.equal(outcome(await within(k, prepare(id))), 'prepared');
            assert.equal(outcome(await within(k, attack.code)), 'done', `${attack.name}: the attack did not run`);
            // the victim is another cell (each run is a cell of its own)
            if (!first) assert.equal(outcome(await within(k, prepare(id))), 'prepared', `${attack.name}: the victim could not build its objects`);
            const result = outcome(await within(k, send));
            const sent = requestsOf(id);
            if (result !== SENT || JSON.stringify(sent) !== JSON.stringify(baseline)) crossings.push(`${attack.name}: ${result}`);
            assert.equal(result, SENT, `${attack.name}: the victim's fetches did not all settle, or its response could not be read`);
            assert.deepEqual(sent, baseline, `${attack.name}: the victim's requests changed`);
            assert.ok(!log.some((r) => r.server === 'B'), 'the ungranted host was reached');
          } finally {
            await k.kernel.dispose();
          }
        });
      }
    }
  });

  it("a cell that replaced EventTarget's methods, performance.now and array methods does not stop another cell's abort", async () => {
    const k = await sandbox();
    try {
      const attack = `for (const m of ['dispatchEvent', 'addEventListener', 'removeEventListener']) EventTarget.prototype[m] = () => { throw new Error('tampered ' + m) };
        performance.now = () => { throw new Error('tampered now') }; Array.prototype[Symbol.iterator] = function* () {}; Array.prototype.push = Array.prototype.some = Array.prototype.find = () => { throw new Error('tampered') }; 'done'`;
      assert.equal(outcome(await within(k, attack)), 'done');
      const t = Date.now();
      const aborted = await within(
        k,
        `const c = new AbortController(); const p = fetch(new Request(BASE + '/slow?id=abort', { signal: AbortSignal.any([c.signal]) })); setTimeout(() => c.abort(), 50);
        [await p.catch((e) => e.name), await fetch(BASE + '/slow?id=timeout', { signal: AbortSignal.timeout(50) }).catch((e) => e.name)].join()`,
      );
      assert.equal(outcome(aborted), 'AbortError,TimeoutError');
      assert.ok(Date.now() - t < 2500, 'the aborted fetches waited for their answers');
    } finally {
      await k.kernel.dispose();
    }
  });

  describe('objects that pose as the classes', () => {
    let k: TestKernel;
    before(async () => {
      k = await sandbox();
    });
    after(async () => {
      await k?.kernel.dispose();
    });
    /** The cell's outcome, and what the servers received for its id. */
    const attempt = async (id: string, code: string) => {
      const result = outcome(await within(k, `const ID = ${JSON.stringify(id)};\n${code}`));
      return { result, sent: requestsOf(id) };
    };

    it('a look-alike, a proxy or an object with the prototype of a Request is no Request: nothing is sent', async () => {
      for (const [name, code] of [
        ['a look-alike', `await fetch({ url: OTHER + '/x?id=' + ID, method: 'POST', headers: { authorization: 'x' }, body: 'b' })`],
        ['a proxy', `await fetch(new Proxy(new Request(BASE + '/p?id=' + ID), {}))`],
        ['a borrowed prototype', `await fetch(Object.setPrototypeOf({ url: OTHER + '/x?id=' + ID }, Request.prototype))`],
        ['a borrowed method', `Request.prototype.clone.call({ url: OTHER })`],
        ['a Headers method on another object', `Headers.prototype.append.call({}, 'authorization', 'x')`],
        ['a Blob method on another object', `await Blob.prototype.text.call({ size: 1 })`],
      ]) {
        const { result, sent } = await attempt(`pose-${name}`, code!);
        assert.match(result, /^TypeError: /, `${name}: ${result}`);
        assert.deepEqual(sent, [], `${name}: something was sent`);
      }
    });

    it("fetch reads a Request's own state, never a subclass's lying getters", async () => {
      const { result, sent } = await attempt(
        'subclass',
        `class Evil extends Request { get url() { return OTHER + '/evil?id=' + ID } get method() { return 'DELETE' } get headers() { return new Headers({ authorization: 'stolen' }) } get body() { return 'evil' } }
        class EvilHeaders extends Headers { forEach(fn) { fn('stolen', 'authorization') } entries() { return [['authorization', 'stolen']][Symbol.iterator]() } get() { return 'stolen' } }
        class EvilBlob extends Blob { get size() { return 1e9 } text() { return 'evil' } arrayBuffer() { return new ArrayBuffer(8) } }
        (await fetch(new Evil(BASE + '/real?id=' + ID, { method: 'POST', headers: new EvilHeaders({ 'x-real': '1' }), body: new EvilBlob(['real']) }))).status`,
      );
      assert.equal(result, '200');
      assert.deepEqual(
        sent.map((r) => [r.server, r.method, r.path, r.custom, r.body]),
        [['A', 'POST', '/real', [['x-real', '1']], 'real']],
      );
    });

    it('a URL, a header or a body is read once: a second answer that differs is never used', async () => {
      const { result, sent } = await attempt(
        'once',
        `let n = 0; let m = 0; let h = 0;
        const url = { toString() { return n++ ? OTHER + '/second?id=' + ID : BASE + '/first?id=' + ID } };
        const init = { method: 'POST', get body() { return m++ ? 'x'.repeat(11 * 1024 * 1024) : 'small' }, headers: { get 'x-once'() { return h++ ? 'second\\r\\nauthorization: x' : 'first' } } };
        (await fetch(url, init)).status + ' ' + [n, m, h].join()`,
      );
      assert.equal(result, '200 1,1,1');
      assert.deepEqual(
        sent.map((r) => [r.server, r.path, r.custom, r.body]),
        [['A', '/first', [['x-once', 'first']], 'small']],
      );
    });

    it('line breaks in header names or values are refused before anything is sent', async () => {
      for (const code of [
        `await fetch(BASE + '/h?id=' + ID, { headers: { 'x-a': 'v\\r\\nauthorization: injected' } })`,
        `await fetch(BASE + '/h?id=' + ID, { headers: [['x-a\\r\\nauthorization', 'v']] })`,
        `await fetch(BASE + '/h?id=' + ID, { headers: { 'x-a': 'v\\nHost: localhost' } })`,
        `await fetch(BASE + '/h?id=' + ID, { headers: { 'x-a': 'v\\0' } })`,
        `await fetch(BASE + '/h?id=' + ID, { headers: { 'x-é': 'v' } })`,
        `const hh = new Headers(); hh.append('x-a', 'v\\r\\nx-b: injected')`,
        `await fetch(BASE + '/h?id=' + ID, { method: 'GET\\r\\nX-Evil: 1' })`,
      ]) {
        const { result, sent } = await attempt('inject', code);
        assert.match(result, /^TypeError: /, `${code}: ${result}`);
        assert.deepEqual(sent, [], `${code}: something was sent`);
      }
    });

    it("a FormData's names and filenames cannot add a part header to its multipart body", async () => {
      const { result } = await attempt(
        'multipart',
        `const fd = new FormData(); fd.append('a"\\r\\nContent-Type: evil', new File(['x'], 'n"\\r\\nX-Evil: 1')); fd.append('b', 'v\\r\\n--' + 'x\\r\\nX-Evil: 2');
        const t = await new Response(fd).text(); const bd = t.slice(2, t.indexOf('\\r\\n'));
        [t.includes('\\r\\nX-Evil: 1') || t.includes('\\r\\nContent-Type: evil') ? 'INJECTED' : 'escaped', t.split('--' + bd).length - 1].join()`,
      );
      // three delimiters (two parts and the end): the value's own line break and dashes are not one
      assert.equal(result, 'escaped,3');
    });

    it('an ungranted host or credentials stay refused whatever carries the URL', async () => {
      for (const code of [
        `await fetch(new Request(OTHER + '/r?id=' + ID))`,
        `await fetch(new Request(new Request(OTHER + '/r?id=' + ID, { method: 'POST', body: new Blob(['x']) })))`,
        `await fetch(new URL(OTHER + '/r?id=' + ID), { body: new FormData(), method: 'POST' })`,
        `await fetch(Response.redirect(OTHER + '/r?id=' + ID).headers.get('location'))`,
        `await fetch(new Request(BASE.replace('http://', 'http://user:pass@') + '/r?id=' + ID))`,
        `await fetch(BASE + '/r?id=' + ID, { redirect: 'evil' })`,
        `await fetch(BASE + '/r?id=' + ID, { signal: { aborted: false, addEventListener() {} } })`,
      ]) {
        const { result, sent } = await attempt('host', code);
        assert.match(result, /^(PermissionDenied|TypeError): /, `${code}: ${result}`);
        assert.deepEqual(sent, [], `${code}: something was sent`);
      }
    });

    it('bodies over the 10 MB bound are refused inside, whatever builds them', async () => {
      for (const code of [
        `await fetch(BASE + '/big?id=' + ID, { method: 'POST', body: new Blob([new Uint8Array(6 * 1024 * 1024), new Uint8Array(6 * 1024 * 1024)]) })`,
        `const f = new FormData(); const part = new File([new Uint8Array(6 * 1024 * 1024)], 'p'); f.append('a', part); f.append('b', part); await fetch(BASE + '/big?id=' + ID, { method: 'POST', body: f })`,
        `await fetch(new Request(BASE + '/big?id=' + ID, { method: 'PUT', body: 'é'.repeat(5 * 1024 * 1024 + 1) }))`,
        `await fetch(BASE + '/big?id=' + ID, { method: 'POST', body: new URLSearchParams({ a: 'x'.repeat(10 * 1024 * 1024) }) })`,
      ]) {
        const { result, sent } = await attempt('big', code);
        assert.match(result, /^RangeError: fetch: the request body is over 10485760 bytes/, `${code.slice(0, 80)}: ${result}`);
        assert.deepEqual(sent, [], 'something was sent');
      }
      // and the kernel goes on
      assert.equal((await attempt('after', `(await fetch(BASE + '/after?id=' + ID)).status`)).result, '200');
    });
  });

  describe("the host's check of the request the prelude sends", () => {
    const permissions = { net: ['127.0.0.1'] };
    it('refuses a URL over the bound instead of cutting it', () => {
      const long = `http://127.0.0.1/${'a'.repeat(MAX_FETCH_URL_CHARS)}`;
      const r = checkFetchRequest({ url: long, method: 'GET', headers: [] }, permissions);
      assert.ok('name' in r && /URL is over 65536 characters/.test(r.message), JSON.stringify(r).slice(0, 200));
    });
    it('refuses a body over the bound before decoding it, as base64 or as text, instead of cutting it', () => {
      const overB64 = 'A'.repeat(Math.ceil(MAX_FETCH_REQUEST_BYTES / 3) * 4 + 8);
      const overText = 'x'.repeat(MAX_FETCH_REQUEST_BYTES + 1);
      for (const body of [{ base64: overB64 }, { text: overText }]) {
        const r = checkFetchRequest({ url: 'http://127.0.0.1/', method: 'POST', headers: [], body }, permissions);
        assert.ok('name' in r && r.name === 'RangeError' && /request body is over/.test(r.message), JSON.stringify(r).slice(0, 200));
      }
      // within the bound: whole
      const ok = checkFetchRequest({ url: 'http://127.0.0.1/', method: 'POST', headers: [], body: { text: 'x'.repeat(2_000_000) } }, permissions);
      assert.ok(!('name' in ok) && ok.body?.length === 2_000_000, 'a text body of 2 MB was cut');
    });
  });
});

/**
 * Secrets in the previews of the classes (found by an attack review): a secret with both quotes was shown as
 * `'Pa\'ss\"word'`, a form no masker knew, and one in a URL as `hunter%20two…`. Previews now quote strings as the
 * Sandbox inspector does (makeWebApis.ts quote), and the scanner (protocol/makeSecretScanner.ts) knows the
 * percent-encoded forms. Every secret below is given to the kernel as a masked secret and read from `env`; no
 * 8-character piece of it, in any form Node itself writes it in (JSON, util.inspect's quotings, encodeURIComponent,
 * URLSearchParams, the URL parser's query, path, fragment and password), may reach the host.
 */
describe('adversarial: secrets in the previews of the Sandbox fetch classes, URL and URLSearchParams', function () {
  this.timeout(120_000);
  const SECRETS: Record<string, string> = {
    // the review's
    PW: `Pa'ss"word-2024-xyz`,
    SPACES: 'hunter two secret 99',
    SINGLE: "it's-a-secret-5f1e2d",
    DOUBLE: 'say "cheese"-5f1e2d3c',
    BACKSLASH: 'back\\slash\\-5f1e2d3c',
    QUOTES: 'all\'"`-quotes-5f1e2d',
    NEWLINE: 'new\nline\ttab-secret-5f1e2d',
    LATIN1: 'ünïcødé-sécret-5f1e2d',
    WIDE: '中文密码-secret-🔑-5f1e2d',
    PERCENT: 'fifty%20percent+plus&amp=5f1e2d',
  };
  const PIECE = 8;
  /** Every 8-character piece of each form Node writes a secret in. */
  const piecesOf = (s: string): string[] => {
    const json = (t: string) => JSON.stringify(t).slice(1, -1);
    const shown = (t: string) => inspect(t, { breakLength: Infinity });
    const url = (prefix: string, part: (u: URL) => string) => {
      try {
        return [part(new URL(prefix + s))];
      } catch {
        return [];
      }
    };
    const password = new URL('http://h/');
    password.password = s;
    const forms = [
      s,
      json(s),
      json(json(s)),
      shown(s).slice(1, -1),
      shown(`${s}'"\``).slice(1, -5),
      shown(`"${s}`).slice(2, -1),
      encodeURIComponent(s),
      new URLSearchParams({ a: s }).toString().slice(2),
      ...url('http://h/?', (u) => u.search.slice(1)),
      ...url('http://h/', (u) => u.pathname.slice(1)),
      ...url('http://h/#', (u) => u.hash.slice(1)),
      password.password,
    ];
    const out = new Set<string>();
    for (const f of forms) for (let i = 0; i + PIECE <= f.length; i++) out.add(f.slice(i, i + PIECE));
    return [...out];
  };
  /** Each preview, its error if it throws (a header value with a line break: the error quotes it). */
  const EXPRESSIONS = (v: string) => [
    `new Headers({ authorization: ${v}, [${v}]: 'x' })`,
    `new Request('http://127.0.0.1/', { headers: { 'x-pw': ${v} } })`,
    `new Request('http://127.0.0.1/?pw=' + ${v})`,
    `new Request('http://127.0.0.1/?pw=' + encodeURIComponent(${v}))`,
    `(() => { const f = new FormData(); f.append('pw', ${v}); f.append(${v}, 'x'); f.append('file', new File(['x'], ${v})); return f })()`,
    `new File(['x'], ${v})`,
    `new URLSearchParams({ pw: ${v}, [${v}]: 'x' })`,
    `new URLSearchParams({ pw: ${v} }).toString()`,
    `new URL('http://127.0.0.1/?pw=' + ${v})`,
    `new URL('http://127.0.0.1/p/' + encodeURIComponent(${v}))`,
    `new URL('http://127.0.0.1/#' + ${v})`,
    `(() => { const u = new URL('http://127.0.0.1/'); u.password = ${v}; return u })()`,
    `new Response('x', { statusText: ${v}, headers: { 'x-pw': ${v} } })`,
  ];
  const guarded = (e: string) => `(() => { try { return ${e} } catch (err) { return err } })()`;
  let k: TestKernel;
  before(async function () {
    skipWithoutSandbox(this);
    const base = sandboxStartOptions()!;
    k = await startKernel({ ...base, init: { ...base.init, env: SECRETS, maskedValues: Object.values(SECRETS) } });
  });
  after(async () => {
    await k?.kernel.dispose();
  });

  for (const [name, secret] of Object.entries(SECRETS)) {
    it(`${JSON.stringify(secret)}: no piece of it shows in a preview, a result or a console line`, async () => {
      const pieces = piecesOf(secret);
      const seen: string[] = [];
      const before = k.console.length;
      for (const e of EXPRESSIONS(`env.${name}`)) {
        const r = await k.run(guarded(e));
        seen.push(...allStrings(r).map((s) => `${e}: ${s}`));
      }
      await k.run(`console.log(${EXPRESSIONS(`env.${name}`).map(guarded).join(', ')}); 1`);
      await k.run(`for (const x of [${EXPRESSIONS(`env.${name}`).map(guarded).join(', ')}]) console.log(x); 1`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const logged = k.console.slice(before);
      assert.ok(logged.length >= EXPRESSIONS('').length + 1, 'the console lines did not arrive');
      seen.push(...allStrings(logged).map((s) => `console: ${s}`));
      for (const text of seen) {
        const found = pieces.find((p) => text.includes(p));
        assert.equal(found, undefined, `${JSON.stringify(found)} of the secret shows: ${text.slice(0, 300)}`);
      }
    });
  }

  it("the host's masker knows the quoted and percent-encoded forms (encodeURIComponent, URLSearchParams, the URL parser's)", () => {
    const m = createMasker(Object.values(SECRETS));
    for (const secret of Object.values(SECRETS)) {
      const search = new URL(`http://h/?pw=${secret}`).search;
      const path = new URL(`http://h/${encodeURIComponent(secret)}`).pathname;
      const password = new URL('http://h/');
      password.password = secret;
      for (const text of [
        `Headers { a: ${inspect(secret)} }`,
        `'${encodeURIComponent(secret)}'`,
        `"${new URLSearchParams({ pw: secret })}"`,
        `URL { href: '${search}' }`,
        `"${path}"`,
        `${password.href}`,
        JSON.stringify({ url: `http://h/${search}` }),
      ]) {
        const masked = m.text(text);
        assert.ok(!piecesOf(secret).some((p) => masked.includes(p)), `${JSON.stringify(secret)} shows in ${masked}`);
      }
    }
    // text that is not a secret stays
    assert.equal(m.text('hunter%20two and fifty percent'), 'hunter%20two and fifty percent');
  });
});
