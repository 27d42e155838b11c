/**
 * The network seat belt: Node's permission model has no network control, so every outgoing connection is
 * checked against the notebook's `net` grant (allowsHost) where all of Node's clients meet:
 * net.Socket.prototype.connect (net, tls, http, https, http2, and fetch/WebSocket underneath). fetch and
 * WebSocket are also checked up front, so a denial is the error the cell sees (not undici's "fetch failed").
 * Listening (net.Server.prototype.listen) is checked against the address listened on (`0.0.0.0` when none is
 * given). UDP (dgram) and inspector.open (a listening debugger port) need `net: ["*"]`.
 */
import dgram from 'node:dgram';
import inspector from 'node:inspector';
import net from 'node:net';
import { ANY, allowsHost, type Permissions } from '../../protocol';
import { guardConstructor } from './guardConstructor';
import { permissionError } from './permissionError';

/** The host a server listens on when none is given. */
export const ANY_ADDRESS = '0.0.0.0';
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

export function guardNetwork(permissions: Permissions): void {
  const check = (host: string, port?: number | string) => {
    if (!allowsHost(permissions, host, port)) throw permissionError('net', host);
  };
  const anyHost = (permissions.net ?? []).includes(ANY);
  if (anyHost) return;

  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const target = connectTarget(args);
    if (target.path !== undefined) {
      if (!(permissions.net ?? []).includes(target.path)) throw permissionError('net', target.path);
    } else check(target.host, target.port);
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof connect;

  // servers too (http.createServer().listen, net.createServer): the address they listen on is the host
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]) {
    const target = listenTarget(args);
    if (target.path !== undefined) {
      if (!(permissions.net ?? []).includes(target.path)) throw permissionError('net', target.path);
    } else check(target.host, target.port);
    return (listen as (...a: unknown[]) => net.Server).apply(this, args);
  } as typeof listen;

  const denyUdp = () => {
    throw permissionError('net', ANY);
  };
  for (const method of ['bind', 'connect', 'send'] as const) dgram.Socket.prototype[method] = denyUdp as never;

  // a debugger port anyone on the machine could attach to
  inspector.open = (() => {
    throw permissionError('net', ANY);
  }) as typeof inspector.open;

  const g = globalThis as Record<string, unknown>;
  const urlCheck = (input: unknown) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : (input as { url?: unknown } | null)?.url;
    if (typeof href !== 'string') return;
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      return; // the original reports a bad URL itself
    }
    if (url.protocol in DEFAULT_PORTS) check(url.hostname, url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port));
  };
  if (typeof g.fetch === 'function') {
    const realFetch = g.fetch as (...args: unknown[]) => Promise<unknown>;
    g.fetch = function fetch(input: unknown, init?: unknown) {
      try {
        urlCheck(input);
      } catch (err) {
        return Promise.reject(err);
      }
      return realFetch(input, init);
    };
  }
  if (typeof g.WebSocket === 'function') {
    g.WebSocket = guardConstructor(g.WebSocket as new (...a: never[]) => unknown, (args) => urlCheck(args[0]));
  }
}

/** What Socket.prototype.connect was asked for: (options | [options, cb] | port, host | path). */
function connectTarget(args: unknown[]): { host: string; port?: number | string; path?: string } {
  let first = args[0];
  // net.connect passes its normalized arguments as one array
  if (Array.isArray(first)) first = first[0];
  if (first !== null && typeof first === 'object') {
    const o = first as { host?: unknown; hostname?: unknown; port?: unknown; path?: unknown };
    if (typeof o.path === 'string' && o.path) return { host: '', path: o.path };
    const host = typeof o.host === 'string' && o.host ? o.host : typeof o.hostname === 'string' && o.hostname ? o.hostname : 'localhost';
    return { host, port: typeof o.port === 'number' || typeof o.port === 'string' ? o.port : undefined };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { host: '', path: first };
  return { host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first as number | string | undefined };
}

/** What Server.prototype.listen was asked for: (port, host?, ...) | options | path | a handle (treated as any host). */
function listenTarget(args: unknown[]): { host: string; port?: number | string; path?: string } {
  const first = args[0];
  if (first !== null && typeof first === 'object') {
    const o = first as { host?: unknown; port?: unknown; path?: unknown; fd?: unknown; _handle?: unknown };
    if (typeof o.path === 'string' && o.path) return { host: '', path: o.path };
    if (o.port === undefined && (o.fd !== undefined || o._handle !== undefined)) return { host: '*' };
    return { host: typeof o.host === 'string' && o.host ? o.host : ANY_ADDRESS, port: typeof o.port === 'number' || typeof o.port === 'string' ? o.port : 0 };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { host: '', path: first };
  const port = typeof first === 'number' || typeof first === 'string' ? first : 0;
  return { host: typeof args[1] === 'string' ? args[1] : ANY_ADDRESS, port };
}
