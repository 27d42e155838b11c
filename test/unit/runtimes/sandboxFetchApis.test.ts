/**
 * The Sandbox's Headers, Request, Response, Blob, File, FormData and TextDecoder encodings (the prelude's own
 * JavaScript: worker/isolate/prelude/makeFetchApis.ts, makeBlobApis.ts, makeFormCodec.ts, makeTextDecoder.ts) answer as
 * Node 24's own classes do: every snippet runs in a real Sandbox kernel and in the runtime store's Node 24 (the Node
 * the Sandbox's kernel runs on), and the two answers must be equal. Errors are compared by name (the messages are
 * each one's own), except where a snippet reads the message itself. Then fetch: the same cells send Headers,
 * Requests, Blobs, FormData and URLSearchParams bodies to a loopback server from both, and the server must receive
 * the same; and the Response fetch returns is a Response, with immutable Headers.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runtimeBinary } from '../../runtimeBinaries';
import { sandboxStartOptions, skipWithoutSandbox, startSandbox } from '../helpers/sandboxKernel';
import { startKernel, type TestKernel } from '../helpers/testKernel';

/** [name, an async function's source that returns what to compare]. `b(...)` makes a Uint8Array. */
const SNIPPETS: [string, string][] = [
  // Headers
  [
    'headers: names lower-cased, values trimmed and combined, set-cookie apart',
    `async () => { const h = new Headers({ B: '2', a: '1' }); h.append('a', ' 3 '); h.append('Set-Cookie', 'x=1'); h.append('set-cookie', 'y=2');
      return JSON.stringify([[...h], h.get('A'), h.get('set-cookie'), h.getSetCookie(), h.has('B'), h.get('nope')]) }`,
  ],
  ['headers: an invalid name', `async () => new Headers({ 'a b': '1' })`],
  ['headers: a value with a newline', `async () => new Headers({ a: 'x\\ny' }).get('a')`],
  ['headers: a value with NUL', `async () => new Headers([['a', 'x\\0y']])`],
  ['headers: a value outside Latin-1', `async () => new Headers({ a: '€' })`],
  ['headers: a pair of one', `async () => new Headers([['a']])`],
  ['headers: a string init', `async () => new Headers('abc')`],
  [
    'headers: from a Map and from other Headers',
    `async () => JSON.stringify([...new Headers(new Map([['x', '1']]))].concat([...new Headers(new Headers({ y: '2' }))]))`,
  ],
  [
    'headers: set, delete, keys, values, entries',
    `async () => { const h = new Headers([['a', '1'], ['A', '2'], ['c', '3']]); h.set('a', '4'); h.delete('zz'); h.delete('C');
      return JSON.stringify([[...h.entries()], [...h.keys()], [...h.values()]]) }`,
  ],
  [
    'headers: forEach with thisArg, and an iterator over a live list',
    `async () => { const h = new Headers({ b: '2', a: '1' }); const o = []; h.forEach(function (v, k, p) { o.push(k + v + (p === h) + (this === o)) }, o);
      const it = h.keys(); const first = it.next().value; h.append('c', '3'); return o.join() + ' ' + first + [...it].join() + ' ' + Object.prototype.toString.call(it) }`,
  ],
  // Response
  [
    'response: defaults',
    `async () => { const r = new Response('hi'); return [r.status, r.ok, r.statusText, r.type, r.url, r.redirected, r.bodyUsed, r.headers.get('content-type'), r instanceof Response].join('|') }`,
  ],
  [
    'response: status, statusText, headers',
    `async () => { const r = new Response('x', { status: 201, statusText: 'Made é', headers: [['x-a', '1']] }); return [r.status, r.ok, r.statusText, r.headers.get('x-a')].join('|') }`,
  ],
  ['response: status 199', `async () => new Response('x', { status: 199 })`],
  ['response: status 600', `async () => new Response('x', { status: 600 })`],
  ['response: 204 with a body', `async () => new Response('', { status: 204 })`],
  [
    'response: 204 without one',
    `async () => { const r = new Response(null, { status: 204 }); return r.status + ' ' + r.headers.get('content-type') + ' ' + (await r.text()).length }`,
  ],
  ['response: a statusText with a newline', `async () => new Response('x', { statusText: 'a\\nb' })`],
  ['response: read twice', `async () => { const r = new Response('hi'); await r.text(); return r.bodyUsed + ' ' + (await r.text().catch((e) => e.message)) }`],
  ['response: clone after reading', `async () => { const r = new Response('hi'); await r.text(); return r.clone() }`],
  [
    'response: clone',
    `async () => { const r = new Response('hi', { headers: { 'x-a': '1' } }); const c = r.clone(); return (await r.text()) + (await c.text()) + r.bodyUsed + c.bodyUsed + (c.headers !== r.headers) + c.headers.get('x-a') }`,
  ],
  ['response: a null body read twice', `async () => { const r = new Response(null); return (await r.text()) + '|' + (await r.text()) + '|' + r.bodyUsed }`],
  ['response: an object body is its string', `async () => new Response({ a: 1 }).text()`],
  ['response: a number body', `async () => { const r = new Response(42); return r.headers.get('content-type') + ' ' + (await r.text()) }`],
  [
    'response: URLSearchParams, Blob, bytes, ArrayBuffer and DataView bodies',
    `async () => { const t = async (body) => { const r = new Response(body); return r.headers.get('content-type') + ':' + (await r.text()) };
      return JSON.stringify([await t(new URLSearchParams({ a: 'b c', d: 'é' })), await t(new Blob(['ab'], { type: 'Text/Plain' })), await t(new Blob(['ab'])),
        await t(new Uint8Array([104, 105])), await t(new Uint16Array([0x6968]).buffer), await t(new DataView(new Uint8Array([1, 104, 105, 2]).buffer, 1, 2))]) }`,
  ],
  [
    'response: bytes, arrayBuffer, blob',
    `async () => { const by = await new Response('hé').bytes(); const ab = await new Response('hé').arrayBuffer();
      const bl = await new Response('hé', { headers: { 'content-type': 'Text/HTML; Charset="UTF-8"' } }).blob();
      const none = await new Response('x', { headers: { 'content-type': 'nonsense' } }).blob();
      return [by.constructor.name, by.join(), ab.constructor.name, ab.byteLength, bl.constructor.name, bl.size, bl.type, JSON.stringify(none.type)].join('|') }`,
  ],
  ['response: bad JSON', `async () => new Response('{x').json()`],
  ['response: text drops a byte order mark', `async () => new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])).text()`],
  [
    'response: formData of a urlencoded body',
    `async () => JSON.stringify([...(await new Response('a=1&b=x+y&a=%C3%A9&c&=d&e=%FF', { headers: { 'content-type': 'Application/X-WWW-Form-Urlencoded;charset=UTF-8' } }).formData())])`,
  ],
  ['response: formData of text/plain', `async () => new Response('a=1', { headers: { 'content-type': 'text/plain' } }).formData().catch((e) => e.message)`],
  [
    'response: formData of a multipart body',
    `async () => { const f = await new Response('pre\\r\\n--XX\\r\\nContent-Disposition: form-data; name="a"\\r\\n\\r\\n1\\r\\n--X\\r\\n2\\r\\n--XX\\r\\nContent-Disposition: form-data; name="f"; filename="x.txt"\\r\\n\\r\\nhello\\r\\n--XX\\r\\nContent-Disposition: form-data; name="é"; filename*=utf-8\\'\\'%C3%BC.txt\\r\\nContent-Type: Text/Plain\\r\\n\\r\\nq\\r\\n--XX--\\r\\n',
      { headers: { 'content-type': 'multipart/form-data; boundary="XX"' } }).formData();
      return JSON.stringify([...f].map(([k, v]) => [k, typeof v === 'string' ? v : [v.constructor.name, v.name, v.type, v.size]])) }`,
  ],
  [
    'response: malformed multipart bodies',
    `async () => { const mp = (body, ct = 'multipart/form-data; boundary=XX') => new Response(body, { headers: { 'content-type': ct } }).formData().then(() => 'ok', (e) => e.name);
      return [await mp('--XX\\r\\nContent-Disposition: form-data; name="a"\\r\\n\\r\\n1\\r\\n'), await mp('--XX\\r\\nContent-Disposition: form-data\\r\\n\\r\\n1\\r\\n--XX--'),
        await mp('--XX\\nContent-Disposition: form-data; name="a"\\n\\n1\\n--XX--'), await mp('--XX\\r\\n', 'multipart/form-data'), await mp('--XX--\\r\\n')].join() }`,
  ],
  [
    'response: Response.json',
    `async () => { const r = Response.json({ a: [1, 'é'] }, { status: 201, headers: { 'x-a': 'b' } }); const k = Response.json(1, { headers: { 'content-type': 'text/x' } });
      return [r.status, r.headers.get('content-type'), await r.text(), k.headers.get('content-type')].join('|') }`,
  ],
  ['response: Response.json(undefined)', `async () => Response.json(undefined)`],
  ['response: Response.json of a BigInt', `async () => Response.json(1n)`],
  [
    'response: Response.error and Response.redirect (immutable headers)',
    `async () => { const e = Response.error(); const r = Response.redirect('http://x.dev/a b', 301); let set = 'none'; try { r.headers.set('a', '1') } catch (err) { set = err.name }
      return [e.type, e.status, e.ok, e.statusText, e.bodyUsed, e.url, r.status, r.headers.get('location'), r.type, set].join('|') }`,
  ],
  ['response: Response.redirect to a relative URL', `async () => Response.redirect('/a')`],
  ['response: Response.redirect with status 200', `async () => Response.redirect('http://x.dev/', 200)`],
  // Request
  [
    'request: defaults',
    `async () => { const r = new Request('http://x.dev/a b?c#d'); return [r.url, r.method, r.redirect, r.bodyUsed, r.mode, r.credentials, r.cache, r.referrer, r.referrerPolicy,
      r.integrity, r.keepalive, r.destination, r.duplex, r.signal.aborted, r.headers instanceof Headers, r instanceof Request].join('|') }`,
  ],
  ['request: a relative URL', `async () => new Request('/a')`],
  ['request: a URL with credentials', `async () => new Request('http://u:p@x.dev/')`],
  ['request: an object is its string', `async () => new Request({ url: 'http://x.dev/p' })`],
  ['request: a URL object', `async () => new Request(new URL('http://x.dev/p')).url`],
  [
    'request: methods normalised',
    `async () => ['post', 'patch', 'Delete', 'get', 'options', 'head', 'put', 'PROPFIND'].map((method) => new Request('http://x.dev', { method }).method).join()`,
  ],
  ['request: an invalid method', `async () => new Request('http://x.dev', { method: 'a b' })`],
  ['request: CONNECT', `async () => new Request('http://x.dev', { method: 'connect' })`],
  ['request: GET with a body', `async () => new Request('http://x.dev', { body: 'x' })`],
  ['request: HEAD with a body', `async () => new Request('http://x.dev', { method: 'HEAD', body: new Blob(['x']) })`],
  ['request: GET with a null body', `async () => new Request('http://x.dev', { body: null }).method`],
  ['request: redirect mode', `async () => new Request('http://x.dev', { redirect: 'nope' })`],
  ['request: a signal that is not an AbortSignal', `async () => new Request('http://x.dev', { signal: {} })`],
  [
    'request: a POST body and its type',
    `async () => { const r = new Request('http://x.dev', { method: 'POST', body: 'hé', headers: { A: '1' } }); return [r.headers.get('content-type'), r.headers.get('a'), await r.text(), r.bodyUsed].join('|') }`,
  ],
  [
    'request: a Content-Type given is kept',
    `async () => new Request('http://x.dev', { method: 'POST', body: new Blob(['x'], { type: 'x/y' }), headers: { 'Content-Type': 'a/b' } }).headers.get('content-type')`,
  ],
  [
    'request: clone, json',
    `async () => { const r = new Request('http://x.dev', { method: 'POST', body: '{"a":1}' }); const c = r.clone(); return JSON.stringify([await r.json(), await c.text(), c.method, c.headers !== r.headers]) }`,
  ],
  [
    'request: from another request (its body moves)',
    `async () => { const a = new Request('http://x.dev/a', { method: 'POST', body: 'x', headers: { k: 'v' } }); const b = new Request(a); return [b.url, b.method, b.headers.get('k'), a.bodyUsed, b.bodyUsed, await b.text()].join('|') }`,
  ],
  [
    'request: from a used request',
    `async () => { const a = new Request('http://x.dev/a', { method: 'POST', body: 'x' }); await a.text(); return new Request(a) }`,
  ],
  [
    'request: from a request with a new body',
    `async () => { const a = new Request('http://x.dev/a', { method: 'POST', body: 'x', headers: { k: 'v' } }); const b = new Request(a, { method: 'PUT', body: 'y', headers: { z: '1' } });
      return [b.method, b.headers.get('k'), b.headers.get('z'), a.bodyUsed, await b.text()].join('|') }`,
  ],
  ['request: from a POST request as GET', `async () => new Request(new Request('http://x.dev/a', { method: 'POST', body: 'x' }), { method: 'GET' })`],
  [
    'request: its signal follows the one given',
    `async () => { const c = new AbortController(); const r = new Request('http://x.dev', { signal: c.signal }); const before = r.signal.aborted; c.abort('why');
      return [before, r.signal.aborted, r.signal.reason, r.signal === c.signal, new Request(r).signal.aborted].join() }`,
  ],
  ['request: its headers can change', `async () => { const r = new Request('http://x.dev'); r.headers.set('a', '1'); return r.headers.get('a') }`],
  // Blob and File
  [
    'blob: parts, size, type, text',
    `async () => { const b = new Blob(['hé', new Uint8Array([33]), new Blob(['!?']), 5, null], { type: 'Text/Plain' }); return [b.size, b.type, await b.text(), b instanceof Blob].join('|') }`,
  ],
  [
    'blob: types outside printable ASCII',
    `async () => [new Blob([], { type: 'a\\u00e9b' }).type, new Blob([], { type: 'a\\u0001' }).type, new Blob([], { type: 'A/B; C=D' }).type].join('|')`,
  ],
  ['blob: a string as the parts', `async () => new Blob('abc')`],
  ['blob: no parts', `async () => new Blob(undefined).size + ' ' + new Blob().size + ' ' + new Blob(new Set(['a', 'b'])).size`],
  [
    'blob: slice',
    `async () => { const b = new Blob(['abcdef'], { type: 'x/y' }); return [await b.slice(1, 3).text(), b.slice(1, 3).type, await b.slice(-2).text(), await b.slice(2, 1).text(),
      b.slice(0, 2, 'A/B').type, await b.slice(1.5, 3.7).text(), await b.slice(-100, 100).text(), await b.slice(2).slice(1, 2).text()].join('|') }`,
  ],
  ['blob: native line endings', `async () => new Blob(['a\\r\\nb\\nc\\rd'], { endings: 'native' }).text()`],
  ['blob: an unknown endings', `async () => new Blob(['a'], { endings: 'x' })`],
  [
    'blob: arrayBuffer, bytes, a copy of its parts',
    `async () => { const u = new Uint8Array([97]); const b = new Blob([u]); u[0] = 98; const ab = await b.arrayBuffer(); const by = await b.bytes(); by[0] = 99;
      return [ab.constructor.name, ab.byteLength, by.constructor.name, await b.text(), new Blob(['\\ud800']).size, await new Blob([new Uint8Array([0xef, 0xbb, 0xbf, 0x61])]).text()].join('|') }`,
  ],
  ['blob: toStringTag', `async () => Object.prototype.toString.call(new Blob()) + String(new Blob()) + Object.prototype.toString.call(new File([], 'x'))`],
  [
    'blob: structuredClone',
    `async () => { const c = structuredClone(new File(['xy'], 'n.txt', { type: 't/p', lastModified: 7 })); return [c.constructor.name, c.name, c.size, c.type, c.lastModified, await c.text()].join() }`,
  ],
  ['headers: structuredClone', `async () => structuredClone(new Headers())`],
  [
    'file: name, lastModified, a Blob',
    `async () => { const t = Date.now(); const f = new File(['ab'], 'a.txt', { type: 'text/plain', lastModified: 42 }); const g = new File([], 42);
      return [f.name, f.size, f.type, f.lastModified, f instanceof Blob, g.name, g.lastModified >= t && g.lastModified <= Date.now()].join('|') }`,
  ],
  ['file: without a name', `async () => new File(['ab'])`],
  // FormData
  [
    'formdata: append, get, getAll, has, Blob values become Files',
    `async () => { const f = new FormData(); f.append('a', '1'); f.append('b', new Blob(['x'], { type: 't/p' })); f.append('c', new Blob(['y']), 'y.txt'); f.append('a', 2);
      const b = f.get('b'); const c = f.get('c'); return [f.get('a'), f.getAll('a').join(), f.has('a'), f.has('z'), f.get('z'), b.constructor.name, b.name, b.type, c.name, JSON.stringify([...f.keys()])].join('|') }`,
  ],
  [
    'formdata: a File is kept, or renamed',
    `async () => { const f = new FormData(); const file = new File(['x'], 'x.txt'); f.append('f', file); f.append('g', file, 'other.txt'); return [f.get('f') === file, f.get('g') === file, f.get('g').name].join() }`,
  ],
  [
    'formdata: set and delete',
    `async () => { const f = new FormData(); f.append('a', '1'); f.append('b', '2'); f.append('a', '3'); f.set('a', '4'); const g = new FormData(); g.append('a', '1'); g.append('b', '2'); g.append('a', '3'); g.delete('a');
      return JSON.stringify([[...f], [...g], [...f.values()]]) }`,
  ],
  ['formdata: a filename with a string value', `async () => { const f = new FormData(); f.append('a', 'x', 'name') }`],
  ['formdata: a form argument', `async () => new FormData({})`],
  [
    'formdata: forEach and its iterator',
    `async () => { const f = new FormData(); f.append('a', '1'); const o = []; f.forEach((v, k, p) => o.push(k + v + (p === f))); return o.join() + Object.prototype.toString.call(f.entries()) }`,
  ],
  [
    'formdata: a multipart body (escaped names, CRLF values)',
    `async () => { const f = new FormData(); f.append('a\\nb"c', 'x\\ny\\r\\nz\\r'); f.append('f', new File(['q'], 'n"\\n.txt')); f.append('g', new Blob(['w'], { type: 'a/b' }));
      const r = new Response(f); const ct = r.headers.get('content-type'); const bd = ct.split('boundary=')[1]; return ct.replace(bd, 'B') + '\\n' + (await r.text()).split(bd).join('B') }`,
  ],
  [
    'formdata: read back from its body',
    `async () => { const f = new FormData(); f.append('a\\nb"c', 'v\\nw'); f.append('é', 'ü'); f.append('f', new File([new Uint8Array([0, 255])], 'n"\\n.bin', { type: 'application/x-b' }));
      const g = await new Response(f).formData(); return JSON.stringify(await Promise.all([...g].map(async ([k, v]) => [k, typeof v === 'string' ? v : [v.name, v.type, (await v.bytes()).join()]]))) }`,
  ],
  // TextDecoder encodings
  [
    'textdecoder: labels',
    `async () => ['utf-16le', 'UTF-16', ' unicode ', 'ucs-2', 'utf-16be', 'unicodefffe', 'latin1', 'iso-8859-1', 'ascii', 'us-ascii', 'windows-1252', 'cp1252', 'l1', 'x-cp1252', ' UTF8 ']
      .map((l) => new TextDecoder(l).encoding).join()`,
  ],
  ['textdecoder: an unknown label', `async () => new TextDecoder('nope')`],
  [
    'textdecoder: utf-16le and utf-16be, byte order marks',
    `async () => JSON.stringify([new TextDecoder('utf-16le').decode(b(0x68, 0, 0xe9, 0, 0x3d, 0xd8, 0, 0xde)), new TextDecoder('utf-16be').decode(b(0, 0x68, 0, 0xe9, 0xd8, 0x3d, 0xde, 0)),
      new TextDecoder('utf-16le').decode(b(0xff, 0xfe, 0x68, 0)), new TextDecoder('utf-16le', { ignoreBOM: true }).decode(b(0xff, 0xfe, 0x68, 0)), new TextDecoder('utf-16le').decode(b(0xfe, 0xff, 0x68, 0)),
      new TextDecoder('utf-16be').decode(b(0xfe, 0xff, 0, 0x68)), new TextDecoder('utf-16le').decode(new Uint16Array([0x68, 0x69]))])`,
  ],
  [
    'textdecoder: utf-16 errors as U+FFFD',
    `async () => JSON.stringify([b(0x68, 0, 0x69), b(0x3d, 0xd8, 0x68, 0), b(0x68, 0, 0x3d, 0xd8), b(0, 0xde, 0x68, 0), b(0x3d, 0xd8, 0x3d, 0xd8, 0, 0xde)].map((x) => new TextDecoder('utf-16le').decode(x)))`,
  ],
  ['textdecoder: utf-16 fatal, odd length', `async () => new TextDecoder('utf-16le', { fatal: true }).decode(b(0x68, 0, 0x69))`],
  ['textdecoder: utf-16 fatal, lone surrogate', `async () => new TextDecoder('utf-16be', { fatal: true }).decode(b(0xdc, 0, 0, 0x68))`],
  [
    'textdecoder: utf-16 stream',
    `async () => { const d = new TextDecoder('utf-16le'); const parts = [d.decode(b(0xff), { stream: true }), d.decode(b(0xfe, 0x68), { stream: true }), d.decode(b(0, 0x3d), { stream: true }), d.decode(b(0xd8, 0), { stream: true }), d.decode(b(0xde))];
      const again = [d.decode(b(0xff, 0xfe, 0x61, 0)), d.decode(b(0xff, 0xfe, 0x61, 0))]; const f = new TextDecoder('utf-16le', { fatal: true }); f.decode(b(0x61), { stream: true });
      let err = ''; try { f.decode() } catch (e) { err = e.name } return JSON.stringify([parts, again, err, f.decode(b(0x62, 0))]) }`,
  ],
  [
    'textdecoder: windows-1252 (its 0x80-0x9F table), never fatal, no byte order mark',
    `async () => { const all = new TextDecoder('latin1').decode(Uint8Array.from({ length: 256 }, (_, i) => i)); const d = new TextDecoder('iso-8859-1', { fatal: true, ignoreBOM: true });
      return JSON.stringify([[...all].map((c) => c.codePointAt(0).toString(16)).join(' '), d.decode(b(0x81, 0x8d)), new TextDecoder('ascii').decode(b(0xef, 0xbb, 0xbf)).length, d.encoding, d.fatal, d.ignoreBOM,
        new TextDecoder('windows-1252').decode(b(0x80), { stream: true })]) }`,
  ],
];

/** Wraps a snippet so that it answers a string: its value, or `THROWS <name>`. */
const answer = (fn: string) =>
  `(async () => { try { const v = await (${fn})(); return typeof v === 'string' ? v : String(v) } catch (e) { return 'THROWS ' + e.name } })()`;
const PREAMBLE = 'const b = (...a) => new Uint8Array(a);';

/** The answers of Node 24 (the runtime store's) to the snippets, with `base` as BASE (run aside: the server is ours). */
async function nodeAnswers(snippets: string[], base = ''): Promise<string[]> {
  const node = runtimeBinary('node')!;
  const file = join(mkdtempSync(join(tmpdir(), 'coda-fetch-apis-')), 'snippets.mjs');
  writeFileSync(
    file,
    `${PREAMBLE} const BASE = ${JSON.stringify(base)};\nconst out = [];\n${snippets.map((s) => `out.push(await ${answer(s)});`).join('\n')}\nconsole.log(JSON.stringify(out));`,
  );
  const { stdout } = await promisify(execFile)(node, ['--no-warnings', file], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(stdout) as string[];
}

async function sandboxAnswer(k: TestKernel, snippet: string): Promise<string> {
  return k.value(`await ${answer(snippet)}`);
}

describe('the Sandbox: Headers, Request, Response, Blob, File, FormData and TextDecoder encodings answer as Node 24', function () {
  this.timeout(120_000);
  let k: TestKernel;
  before(async function () {
    skipWithoutSandbox(this);
    k = await startSandbox();
    assert.equal(await k.value(`${PREAMBLE} globalThis.b = b; 'ready'`), 'ready');
  });
  after(async () => {
    await k?.kernel.dispose();
  });

  it(`gives Node 24's answers to ${SNIPPETS.length} snippets`, async () => {
    const expected = await nodeAnswers(SNIPPETS.map(([, code]) => code));
    const differences: string[] = [];
    for (let i = 0; i < SNIPPETS.length; i++) {
      const [name, code] = SNIPPETS[i]!;
      const got = await sandboxAnswer(k, code);
      if (got !== expected[i]) differences.push(`${name}:\n    Node 24: ${JSON.stringify(expected[i])}\n    Sandbox: ${JSON.stringify(got)}`);
    }
    assert.deepEqual(differences, [], differences.join('\n'));
    assert.ok(SNIPPETS.length >= 70);
  });

  it('says in words what it does not have: other encodings, a form element, a body stream', async () => {
    const sandboxOnly = async (code: string) =>
      sandboxAnswer(k, `async () => { try { return await (${code})() } catch (e) { return e.name + ': ' + e.message } }`);
    assert.match(
      await sandboxOnly(`async () => new TextDecoder('shift_jis')`),
      /^RangeError: .*"shift_jis" is not supported in the Sandbox \(it has utf-8, utf-16le, utf-16be and windows-1252/,
    );
    assert.match(await sandboxOnly(`async () => new FormData({})`), /^TypeError: .*no HTML form/);
    // no ReadableStream: a response has no body property (the editor's types have none either)
    assert.equal(
      await sandboxOnly(`async () => ['body' in new Response('x'), 'body' in new Request('http://x.dev'), typeof ReadableStream].join()`),
      'false,false,undefined',
    );
  });

  it('previews them from their state', async () => {
    const preview = async (code: string) => {
      const r = await k.run(code);
      assert.equal(r.status, 'ok', JSON.stringify(r));
      return r.status === 'ok' && r.value?.type === 'object' ? r.value.preview : JSON.stringify(r);
    };
    assert.equal(await preview(`new Headers({ b: '2', a: '1' })`), "Headers { b: '2', a: '1' }");
    assert.equal(await preview(`new Blob(['abc'], { type: 'text/plain' })`), "Blob { size: 3, type: 'text/plain' }");
    assert.equal(await preview(`new File(['abc'], 'a.txt', { lastModified: 5 })`), "File { size: 3, type: '', name: 'a.txt', lastModified: 5 }");
    assert.equal(
      await preview(`const fd = new FormData(); fd.append('a', '1'); fd.append('f', new File(['x'], 'x.txt', { lastModified: 1 })); fd`),
      "FormData { a: '1', f: File { size: 1, type: '', name: 'x.txt', lastModified: 1 } }",
    );
    assert.equal(
      await preview(`new Response('x', { headers: { 'x-a': '1' } })`),
      "Response { status: 200, statusText: '', headers: Headers { 'x-a': '1', 'content-type': 'text/plain;charset=UTF-8' }, bodyUsed: false, ok: true, redirected: false, type: 'default', url: '' }",
    );
    assert.equal(await preview(`new TextDecoder('latin1', { fatal: true })`), "TextDecoder { encoding: 'windows-1252', fatal: true, ignoreBOM: false }");
    // a long value is cut (the preview stays small)
    assert.ok((await preview(`new Headers({ a: 'x'.repeat(100000) })`)).length < 2000);
  });

  it("masks the notebook's secrets in their previews, a secret the cut splits too", async () => {
    const secret = 'sk-live-0123456789abcdef';
    const base = sandboxStartOptions()!;
    const masked = await startKernel({ ...base, init: { ...base.init, env: { TOKEN: secret }, maskedValues: [secret] } });
    try {
      for (const code of [
        `new Headers({ authorization: 'Bearer ' + env.TOKEN })`,
        `new Request('https://x.dev/', { headers: { 'x-key': env.TOKEN } })`,
        `const f = new FormData(); f.append(env.TOKEN, env.TOKEN); f.append('n', new File([], env.TOKEN)); f`,
        // the preview cuts a value after 1,000 characters, in the middle of the secret
        `new Headers({ a: 'x'.repeat(990) + env.TOKEN })`,
      ]) {
        const r = await masked.run(code);
        const text = JSON.stringify(r);
        assert.equal(r.status, 'ok', text);
        assert.ok(!text.includes(secret.slice(0, 10)), `${code}: ${text}`);
      }
    } finally {
      await masked.kernel.dispose();
    }
  });
});

interface Received {
  id: string;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('the Sandbox: fetch with Headers, Request, Blob, FormData and URLSearchParams sends what Node 24 sends, and returns a Response', function () {
  this.timeout(120_000);
  let k: TestKernel;
  let server: Server;
  let base = '';
  const log: Received[] = [];

  before(async function () {
    skipWithoutSandbox(this);
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        log.push({
          id: url.searchParams.get('id') ?? '',
          method: req.method ?? '',
          path: url.pathname,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('latin1'),
        });
        if (url.pathname === '/cookies')
          return res
            .writeHead(200, [
              ['Set-Cookie', 'a=1'],
              ['Set-Cookie', 'b=2'],
              ['X-Two', 'x'],
              ['x-two', 'y'],
              ['Content-Type', 'text/plain'],
            ])
            .end('ok');
        if (url.pathname === '/204') return res.writeHead(204).end();
        if (url.pathname === '/form') return res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' }).end('a=1&b=%C3%A9');
        if (url.pathname === '/length') return res.writeHead(200, { 'content-type': 'text/plain' }).end(String(Buffer.concat(chunks).length));
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ path: url.pathname }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    k = await startSandbox({ permissions: { net: ['127.0.0.1'] } });
    assert.equal(await k.value(`globalThis.BASE = ${JSON.stringify(base)}; 'ready'`), 'ready');
  });
  after(async () => {
    await k?.kernel.dispose();
    server?.close();
  });

  /** Cells that fetch `${BASE}/…?id=${ID}`; the request each sends is compared with Node 24's. */
  const SENDS: [string, string][] = [
    [
      'a Request with Headers and a string body',
      `new Request(BASE + '/a?id=' + ID, { method: 'PUT', body: 'hé', headers: new Headers({ 'X-A': '1', 'x-a': '2' }) })`,
    ],
    [
      'init headers as pairs and a URLSearchParams body',
      `BASE + '/b?id=' + ID, { method: 'POST', body: new URLSearchParams({ a: 'b c', d: 'é' }), headers: [['X-B', 'q']] }`,
    ],
    ['a Blob body with its type', `BASE + '/c?id=' + ID, { method: 'POST', body: new Blob(['xy', new Uint8Array([0, 255])], { type: 'Application/X-Y' }) }`],
    ['a File body without a type', `BASE + '/d?id=' + ID, { method: 'POST', body: new File(['q'], 'q.txt') }`],
    ['bytes and an ArrayBuffer', `BASE + '/e?id=' + ID, { method: 'PATCH', body: new Uint16Array([0x4142, 0x4344]).buffer }`],
    [
      'a FormData body (multipart, boundary aside)',
      `BASE + '/f?id=' + ID, { method: 'POST', body: (() => { const f = new FormData(); f.append('a', '1\\n2'); f.append('f', new File(['x'], 'x"y.txt', { type: 'text/plain' })); return f })() }`,
    ],
    [
      'a Request given new init',
      `new Request(new Request(BASE + '/g?id=' + ID, { method: 'POST', body: 'old', headers: { k: 'v' } }), { body: 'new', headers: { z: '1' } })`,
    ],
    ['a Request with its body moved from another', `new Request(new Request(BASE + '/h?id=' + ID, { method: 'DELETE', body: 'moved' }))`],
    [
      'a URL object, a Content-Type of the cell',
      `new URL(BASE + '/i?id=' + ID), { method: 'POST', body: 'x', headers: { 'Content-Type': 'application/json' } }`,
    ],
  ];
  /** What the comparison reads of a request: no header Node's fetch adds on its own varies between the two. */
  const shape = (r: Received | undefined) => {
    if (!r) return 'nothing received';
    const boundary = /boundary=([^;]+)/.exec(String(r.headers['content-type']))?.[1];
    const clean = (s: string | undefined) => (boundary && s ? s.split(boundary).join('B') : s);
    const mine = Object.fromEntries(
      Object.entries(r.headers).filter(([h]) => h.startsWith('x-') || h === 'k' || h === 'z' || h === 'content-type' || h === 'content-length'),
    );
    return JSON.stringify({
      method: r.method,
      path: r.path,
      headers: { ...mine, 'content-type': clean(mine['content-type'] as string), 'content-length': boundary ? '(multipart)' : mine['content-length'] },
      body: clean(r.body),
    });
  };

  it('sends the same requests as Node 24', async () => {
    const differences: string[] = [];
    for (const [name, args] of SENDS) {
      const cell = (id: string) => `async () => { const ID = '${id}'; const r = await fetch(${args}); return r.status + ' ' + (await r.text()) }`;
      const [nodeAnswer] = await nodeAnswers([cell(`n-${name}`)], base);
      const got = await sandboxAnswer(k, cell(`s-${name}`));
      assert.equal(got, nodeAnswer, `${name}: the cell's answers differ`);
      const node = shape(log.find((r) => r.id === `n-${name}`));
      const sandbox = shape(log.find((r) => r.id === `s-${name}`));
      if (node !== sandbox) differences.push(`${name}:\n    Node 24: ${node}\n    Sandbox: ${sandbox}`);
    }
    assert.deepEqual(differences, [], differences.join('\n'));
  });

  it('returns a Response with immutable Headers, as Node 24 does', async () => {
    const cells = [
      `async () => { const r = await fetch(BASE + '/json'); let set = ''; try { r.headers.set('a', '1') } catch (e) { set = e.name }
        return [r instanceof Response, r.headers instanceof Headers, r.type, r.status, r.ok, r.statusText, r.url === BASE + '/json', r.redirected, set, r.headers.get('Content-Type'), JSON.stringify(await r.clone().json()), (await r.blob()).type, r.bodyUsed].join('|') }`,
      `async () => { const r = await fetch(BASE + '/cookies'); return JSON.stringify([r.headers.get('set-cookie'), r.headers.getSetCookie(), [...r.headers].filter(([k]) => k !== 'date' && k !== 'keep-alive' && k !== 'connection' && k !== 'content-length' && k !== 'transfer-encoding'), r.headers.get('x-two')]) }`,
      `async () => { const r = await fetch(BASE + '/204'); return [r.status, await r.text(), r.bodyUsed, r.ok].join() }`,
      `async () => JSON.stringify([...(await (await fetch(BASE + '/form')).formData())])`,
      `async () => { const r = await fetch(new Request(BASE + '/json', { method: 'POST', body: 'x' })); await r.arrayBuffer(); return r.bodyUsed + ' ' + (await r.text().catch((e) => e.name)) + ' ' + (() => { try { r.clone() } catch (e) { return e.name } })() }`,
      `async () => { const q = new Request(BASE + '/json', { method: 'POST', body: 'x' }); await fetch(q); return q.bodyUsed + ' ' + (await fetch(q).catch((e) => e.name)) }`,
      `async () => [await fetch('/relative').catch((e) => e.name), await fetch(BASE, { body: 'x' }).catch((e) => e.name), await fetch('http://u:p@127.0.0.1/').catch((e) => e.name), await fetch(BASE, { method: 'TRACE' }).catch((e) => e.name)].join()`,
    ];
    const expected = await nodeAnswers(cells, base);
    for (let i = 0; i < cells.length; i++) assert.equal(await sandboxAnswer(k, cells[i]!), expected[i], cells[i]);
  });

  it('sends a body near the 10 MB bound whole, and refuses a larger one before sending it', async () => {
    log.length = 0;
    assert.equal(
      await k.value(`await (await fetch(BASE + '/length', { method: 'POST', body: new Blob(['é'.repeat(4 * 1024 * 1024), new Uint8Array(1024)]) })).text()`),
      String(8 * 1024 * 1024 + 1024),
    );
    const refused = await k.run(`await fetch(BASE + '/length', { method: 'POST', body: new Uint8Array(10 * 1024 * 1024 + 1) })`);
    assert.ok(
      refused.status === 'error' && refused.error.name === 'RangeError' && /request body is over 10485760 bytes/.test(refused.error.message),
      JSON.stringify(refused),
    );
    assert.equal(log.length, 1, 'the refused body never reached the server');
  });
});
