/**
 * The registry's GETs over HTTP/2, one connection per registry host, for the packuments and tarballs the installer
 * fetches itself (fetchPackument.ts, fetchTarball.ts) when its own agents serve the config (registryAgents.ts: no
 * proxy). npm's fetch layer speaks HTTP/1.1 over at most 12 connections per host: a cold install asks for ~90
 * packuments and ~100 tarballs, so requests waited for a free connection and each new connection cost a TLS handshake
 * (measured on the mirror these machines use: 168 requests in 1.1 s over 12 connections, 0.45 s over one HTTP/2
 * connection, with less CPU).
 *
 * It answers only a whole 200 or 404 response; anything else (a host that does not speak HTTP/2, a redirect, another
 * status, a reset, a short body, a timeout) answers `undefined` and the caller makes the request through npm's fetch
 * layer as before, which retries and reports npm's own errors. The request carries the headers npm's fetch layer would send
 * (requestHeaders: the config's auth for that URL's registry only), and the connection checks certificates as the
 * agents do (the same TLS context: the config's `ca`, `cert`, `key`, `strict-ssl`).
 */
import http2, { type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import type { LookupFunction } from 'node:net';
import type { SecureContext } from 'node:tls';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import fetch from 'npm-registry-fetch';
import defaultOpts from 'npm-registry-fetch/lib/default-opts.js';

/** A connection without requests is closed after this long. */
export const SESSION_IDLE_MS = 15_000;

type Auth = { token: string | null; auth: string | null; cert: string | null; key: string | null };
/** npm-registry-fetch's own auth lookup (exported by it, not in its types). */
const npmGetAuth = (fetch as unknown as { getAuth(url: string, opts: Record<string, unknown>): Auth }).getAuth;
const NO_AUTH: Auth = Object.freeze({ token: null, auth: null, cert: null, key: null });

/**
 * npm-registry-fetch's auth for `url` under these options. Its lookup reads only the config keys that start with `//`
 * (`//host/path/:_authToken`, `:_auth`, `:username` and `:_password`, `:certfile` and `:keyfile`) and `forceAuth`: with
 * none of them it finds nothing for any URL, so it is not asked (it parses the URL and the package spec each time: ~40
 * ms of a cold install's main thread, asked once per packument and tarball).
 */
export function getAuth(url: string, opts: Record<string, unknown>): Auth {
  if (!opts.forceAuth) {
    let any = false;
    for (const key in opts) {
      if (key.startsWith('//')) {
        any = true;
        break;
      }
    }
    if (!any) return NO_AUTH;
  }
  return npmGetAuth(url, opts);
}

/** Flow-control windows: per response, and for the whole connection. */
const STREAM_WINDOW = 8 * 1024 * 1024;
const CONNECTION_WINDOW = 32 * 1024 * 1024;

/** `opts` over npm-registry-fetch's own defaults (its registry, user agent, timeout), as it reads them for a request. */
export function npmOptions(opts: Record<string, unknown>): Record<string, unknown> {
  return { ...defaultOpts, ...opts };
}

export interface RegistryResponse {
  url: string;
  /** 404 too: npm's fetch layer neither retries nor follows it, so its error is made from this answer (registryAgents.ts). */
  status: 200 | 404;
  /** As received (lower-case names, repeated values joined), without HTTP/2's pseudo-headers. */
  headers: Record<string, string>;
  /** Decoded (content-encoding undone). */
  body: Buffer;
}

export interface Http2Tls {
  secureContext: SecureContext;
  rejectUnauthorized: boolean;
  lookup: LookupFunction;
  localAddress?: string;
}

/** Headers a request over HTTP/2 may not carry (connection-specific, RFC 9113 8.2.2). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'host', 'te']);

/** Decoded in the thread pool, a megabyte at a time (zlib's 16 KB default costs the main thread a callback per chunk). */
const DECODE = { chunkSize: 1 << 20 };
const gunzip = promisify(zlib.gunzip);
const brotli = promisify(zlib.brotliDecompress);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const decoders: Record<string, (b: Buffer) => Promise<Buffer>> = {
  gzip: (b) => gunzip(b, DECODE),
  'x-gzip': (b) => gunzip(b, DECODE),
  br: (b) => brotli(b, DECODE),
  // zlib-wrapped, or the raw stream some servers send (minipass-fetch tells them apart the same way)
  deflate: (b) => (b.length && (b[0]! & 0x0f) === 0x08 ? inflate : inflateRaw)(b, DECODE),
};
decoders['x-deflate'] = decoders.deflate!;

/** The body as minipass-fetch would hand it over, or undefined for a coding it would not undo either. */
async function decode(body: Buffer, coding: string | undefined): Promise<Buffer | undefined> {
  if (!coding || coding === 'identity') return body;
  return Object.hasOwn(decoders, coding) ? decoders[coding]!(body) : undefined;
}

/**
 * The headers npm-registry-fetch sends with a GET of `url` (its getHeaders: the user agent, the config's headers,
 * npm's session headers and the auth the config has for that URL's registry), or undefined when the registry wants a
 * client certificate of its own (`certfile`/`keyfile`), which only npm's fetch layer presents. `o`: npmOptions.
 */
export function npmRequestHeaders(url: string, o: Record<string, unknown>, headers: Record<string, string>): Record<string, string> | undefined {
  const auth = getAuth(url, o);
  if (auth.cert || auth.key) return undefined;
  const out: Record<string, string> = {};
  const set = (name: string, value: unknown) => {
    if (value !== undefined && value !== null && value !== '') out[name.toLowerCase()] = String(value);
  };
  set('user-agent', o.userAgent);
  for (const [k, v] of Object.entries(headers)) set(k, v);
  set('npm-auth-type', o.authType);
  set('npm-scope', o.scope);
  set('npm-session', o.npmSession);
  set('npm-command', o.npmCommand);
  if (auth.token) out.authorization = `Bearer ${auth.token}`;
  else if (auth.auth) out.authorization = `Basic ${auth.auth}`;
  set('npm-otp', o.otp);
  return out;
}

/**
 * The HTTP/2 request for a GET of `url` with these headers: minipass-fetch's defaults (`accept`, `accept-encoding`)
 * where they are missing, and no connection-specific header.
 */
export function http2Request(url: URL, headers: Record<string, string>): Record<string, string> {
  const request: Record<string, string> = { ':method': 'GET', ':path': `${url.pathname}${url.search}` };
  for (const [k, v] of Object.entries(headers)) if (!HOP_BY_HOP.has(k.toLowerCase())) request[k.toLowerCase()] = v;
  request.accept ??= '*/*';
  request['accept-encoding'] ??= 'gzip,deflate';
  return request;
}

export class RegistryHttp2 {
  private readonly sessions = new Map<string, ClientHttp2Session>();
  /** Hosts whose connection failed before it spoke HTTP/2 (an HTTP/1.1 server, a refused certificate): npm's layer serves them. */
  private readonly refused = new Set<string>();
  private readonly active = new Map<ClientHttp2Session, number>();
  /** Hosts a connection spoke HTTP/2 with. */
  private readonly spoken = new Set<string>();

  constructor(private readonly tls: Http2Tls) {}

  /**
   * GETs `url` with `headers` (as npmRequestHeaders made them): the response when it is a whole 200 or 404 over
   * HTTP/2, else undefined. Never rejects.
   */
  get(url: string, headers: Record<string, string>, timeoutMs: number = defaultOpts.timeout): Promise<RegistryResponse | undefined> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return Promise.resolve(undefined);
    }
    if (u.protocol !== 'https:' || u.username || u.password || this.refused.has(u.origin)) return Promise.resolve(undefined);
    const session = this.session(u.origin);
    if (!session) return Promise.resolve(undefined);
    const request = http2Request(u, headers);
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: RegistryResponse | undefined) => {
        if (settled) return;
        settled = true;
        this.release(session);
        resolve(r);
      };
      this.hold(session);
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request(request, { endStream: true });
      } catch {
        done(undefined);
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      let answer: IncomingHttpHeaders | undefined;
      const give = () => stream.close(http2.constants.NGHTTP2_CANCEL);
      stream.setTimeout(timeoutMs, () => {
        give();
        done(undefined);
      });
      stream.once('response', (h) => {
        if (h[':status'] !== 200 && h[':status'] !== 404) {
          give();
          done(undefined);
          return;
        }
        answer = h;
      });
      stream.on('data', (c: Buffer) => {
        chunks.push(c);
        received += c.length;
      });
      let ended = false;
      stream.once('end', () => {
        ended = true;
        if (!answer) return done(undefined);
        const length = answer['content-length'];
        // a body shorter (or longer) than the length it announced is not the document
        if (length !== undefined && Number(length) !== received) return done(undefined);
        const plain: Record<string, string> = {};
        for (const [k, v] of Object.entries(answer)) if (!k.startsWith(':') && v !== undefined) plain[k] = Array.isArray(v) ? v.join(', ') : String(v);
        decode(Buffer.concat(chunks, received), plain['content-encoding']?.trim().toLowerCase()).then(
          (body) => done(body && { url: u.href, status: Number(answer![':status']) === 404 ? 404 : 200, headers: plain, body }),
          () => done(undefined),
        );
      });
      stream.once('error', () => done(undefined));
      // closed before its end (reset, cancelled, the connection lost)
      stream.once('close', () => {
        if (!ended) done(undefined);
      });
    });
  }

  /** A connection to this URL's host has spoken HTTP/2 (and none has failed to since). */
  speaks(url: string): boolean {
    try {
      return this.spoken.has(new URL(url).origin);
    } catch {
      return false;
    }
  }

  /** Closes every connection (requests still running answer undefined). */
  close(): void {
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
  }

  private session(origin: string): ClientHttp2Session | undefined {
    const open = this.sessions.get(origin);
    if (open && !open.closed && !open.destroyed) return open;
    let s: ClientHttp2Session;
    try {
      s = http2.connect(origin, {
        secureContext: this.tls.secureContext,
        rejectUnauthorized: this.tls.rejectUnauthorized,
        lookup: this.tls.lookup,
        ...(this.tls.localAddress ? { localAddress: this.tls.localAddress } : {}),
        // HTTP/2's default flow-control windows (64 KB) let a 50 ms round trip carry ~1.3 MB/s over the whole
        // connection: a 3 MB packument took 680 ms; with these, the bandwidth's
        settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
      });
    } catch {
      this.refused.add(origin);
      return undefined;
    }
    let spoke = false;
    s.once('connect', () => {
      spoke = true;
      s.setLocalWindowSize(CONNECTION_WINDOW);
      this.spoken.add(origin);
    });
    const drop = () => {
      if (this.sessions.get(origin) === s) this.sessions.delete(origin);
    };
    s.on('error', () => {
      // never connected: the host does not speak HTTP/2 here (or refused the handshake); npm's layer serves it from now on
      if (!spoke) {
        this.refused.add(origin);
        this.spoken.delete(origin);
      }
      drop();
    });
    s.once('goaway', drop);
    s.once('close', drop);
    s.setTimeout(SESSION_IDLE_MS, () => {
      if (!this.active.get(s)) s.close();
    });
    s.unref();
    this.sessions.set(origin, s);
    return s;
  }

  /** A connection with requests keeps the process alive; an idle one does not. */
  private hold(s: ClientHttp2Session): void {
    const n = (this.active.get(s) ?? 0) + 1;
    this.active.set(s, n);
    if (n === 1) s.ref();
  }

  private release(s: ClientHttp2Session): void {
    const n = (this.active.get(s) ?? 1) - 1;
    if (n > 0) {
      this.active.set(s, n);
      return;
    }
    this.active.delete(s);
    if (!s.destroyed) s.unref();
  }
}
