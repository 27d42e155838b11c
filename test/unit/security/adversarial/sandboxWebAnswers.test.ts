/**
 * The host's two answers to the Sandbox's web APIs (worker/isolate/webAnswers.ts), fed what a cell can make the
 * prelude's bridge send: sizes of every wrong kind, URLs too long or not strings, setters that are not URL setters
 * (`__proto__`, `constructor`, `searchParams`), and objects where strings belong. Each gets nothing, or `ok: false`;
 * what comes back is only plain strings.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import {
  CLOCK_STEP_MS,
  digestAnswer,
  MAX_DIGEST_BYTES,
  MAX_RANDOM_BYTES,
  MAX_URL_CHARS,
  nowAnswer,
  randomAnswer,
  urlAnswer,
} from '../../../../worker/isolate/webAnswers';

describe("the Sandbox's web API answers (random bytes, URL parses, digests) under hostile requests", () => {
  it('gives the time in steps of 0.1 ms, never going back', () => {
    let last = nowAnswer().ms;
    for (let i = 0; i < 1000; i++) {
      const { ms } = nowAnswer();
      assert.ok(ms >= last, `${ms} after ${last}`);
      assert.ok(Math.abs(ms / CLOCK_STEP_MS - Math.round(ms / CLOCK_STEP_MS)) < 1e-6, `${ms} is not a whole step`);
      last = ms;
    }
  });

  it('gives random bytes only for a size from 1 to the Web Crypto quota', () => {
    assert.equal(Buffer.from(randomAnswer(16).b64!, 'base64').length, 16);
    assert.equal(Buffer.from(randomAnswer(MAX_RANDOM_BYTES).b64!, 'base64').length, MAX_RANDOM_BYTES);
    assert.notEqual(randomAnswer(32).b64, randomAnswer(32).b64);
    for (const n of [0, -1, MAX_RANDOM_BYTES + 1, 1e12, 1.5, Number.NaN, Infinity, '16', { valueOf: () => 16 }, [16], null, undefined, 2 ** 53]) {
      assert.deepEqual(randomAnswer(n), {}, `size ${String(n)}`);
    }
  });

  it('parses a URL (and applies a setter) as Node does, answering only plain strings', () => {
    const r = urlAnswer({ input: '../b?x=1#h', base: 'https://u:p@example.com:8080/a/c' });
    assert.deepEqual(r, {
      ok: true,
      href: 'https://u:p@example.com:8080/b?x=1#h',
      origin: 'https://example.com:8080',
      protocol: 'https:',
      username: 'u',
      password: 'p',
      host: 'example.com:8080',
      hostname: 'example.com',
      port: '8080',
      pathname: '/b',
      search: '?x=1',
      hash: '#h',
    });
    assert.equal(urlAnswer({ input: 'https://x.dev/a', key: 'pathname', value: '/b c' }).href, 'https://x.dev/b%20c');
    // a setter given a value it rejects leaves the URL as it was, as the setter does
    assert.equal(urlAnswer({ input: 'https://x.dev/a', key: 'port', value: 'not a port' }).href, 'https://x.dev/a');
    assert.deepEqual(urlAnswer({ input: 'https://x.dev/', key: 'href', value: 'not a url' }), { ok: false });
  });

  it('refuses what is not a URL request: wrong types, oversized text, setters that are not URL setters', () => {
    const long = `https://x.dev/${'a'.repeat(MAX_URL_CHARS)}`;
    const refused = [
      undefined,
      null,
      'https://x.dev',
      [],
      { input: 42 },
      { input: { toString: () => 'https://x.dev' } },
      { input: 'https://x.dev', base: 7 },
      { input: long },
      { input: '/a', base: long },
      { input: 'nope' },
      { input: 'https://x.dev', key: '__proto__', value: 'x' },
      { input: 'https://x.dev', key: 'constructor', value: 'x' },
      { input: 'https://x.dev', key: 'searchParams', value: 'x' },
      { input: 'https://x.dev', key: 'toString', value: 'x' },
      { input: 'https://x.dev', key: 'origin', value: 'https://evil.dev' },
      { input: 'https://x.dev', key: 'pathname', value: { toString: () => '/x' } },
      { input: 'https://x.dev', key: 'pathname', value: long },
      JSON.parse('{"__proto__": {"input": "https://x.dev"}}'),
    ];
    for (const msg of refused) assert.deepEqual(urlAnswer(msg), { ok: false }, JSON.stringify(msg)?.slice(0, 80));
    // nothing of a request's prototype is read, and the answer has only the host's own keys
    const polluted = Object.create({ key: 'pathname', value: '/polluted' }) as Record<string, unknown>;
    polluted.input = 'https://x.dev/kept';
    const answer = urlAnswer(polluted);
    assert.equal(answer.href, 'https://x.dev/kept');
    assert.deepEqual(Object.keys(answer).sort(), [
      'hash',
      'host',
      'hostname',
      'href',
      'ok',
      'origin',
      'password',
      'pathname',
      'port',
      'protocol',
      'search',
      'username',
    ]);
  });

  it('digests base64 bytes with the four Web Crypto digests only, refusing every other request', () => {
    const data = Buffer.from('the sandbox asks');
    for (const [algorithm, node] of [
      ['SHA-1', 'sha1'],
      ['SHA-256', 'sha256'],
      ['SHA-384', 'sha384'],
      ['SHA-512', 'sha512'],
    ]) {
      assert.equal(digestAnswer({ algorithm, b64: data.toString('base64') }).b64, createHash(node!).update(data).digest('base64'), algorithm);
    }
    assert.equal(digestAnswer({ algorithm: 'SHA-256', b64: '' }).b64, createHash('sha256').digest('base64'));
    const most = Buffer.alloc(MAX_DIGEST_BYTES, 7).toString('base64');
    assert.equal(digestAnswer({ algorithm: 'SHA-256', b64: most }).b64, createHash('sha256').update(Buffer.alloc(MAX_DIGEST_BYTES, 7)).digest('base64'));
    const b64 = data.toString('base64');
    const refused = [
      undefined,
      null,
      'SHA-256',
      [],
      { algorithm: 'MD5', b64 },
      { algorithm: 'sha256', b64 },
      { algorithm: 'sha-256', b64 },
      { algorithm: '__proto__', b64 },
      { algorithm: 'constructor', b64 },
      { algorithm: { toString: () => 'SHA-256' }, b64 },
      { algorithm: ['SHA-256'], b64 },
      { algorithm: 'SHA-256' },
      { algorithm: 'SHA-256', b64: 42 },
      { algorithm: 'SHA-256', b64: { toString: () => b64 } },
      { algorithm: 'SHA-256', b64: [b64] },
      // not base64: other characters, a length no base64 has, padding inside
      { algorithm: 'SHA-256', b64: 'not base64!' },
      { algorithm: 'SHA-256', b64: 'abc' },
      { algorithm: 'SHA-256', b64: 'ab=c' },
      { algorithm: 'SHA-256', b64: 'YQ==YQ==' },
      { algorithm: 'SHA-256', b64: 'YWJj\n' },
      // more bytes than the bound
      { algorithm: 'SHA-256', b64: Buffer.alloc(MAX_DIGEST_BYTES + 3).toString('base64') },
      JSON.parse(`{"__proto__": {"algorithm": "SHA-256", "b64": "${b64}"}}`),
      Object.create({ algorithm: 'SHA-256', b64 }),
    ];
    for (const msg of refused) assert.deepEqual(digestAnswer(msg), {}, JSON.stringify(msg)?.slice(0, 80));
    // the answer is one plain string
    assert.deepEqual(Object.keys(digestAnswer({ algorithm: 'SHA-1', b64 })), ['b64']);
  });
});
