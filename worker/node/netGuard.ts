/**
 * The network seat belt: Node's permission model has no network control, so every connection is checked against
 * the notebook's `net` grant, on the address it really goes to:
 * - net.Socket.prototype.connect (where net, tls, http, https, http2, fetch and WebSocket meet) reads its
 *   arguments once (connectOptions.ts), checks the host by name as written (a denial the cell sees), and always
 *   resolves names with the system resolver (checkedLookup.ts): a caller's `lookup` is never used;
 * - the native handles under it (handleGuards.ts) check the resolved address itself, on every connection
 *   (reconnects, redirects, keep-alive pools, happy-eyeballs attempts, a handle a cell made by hand).
 * fetch and WebSocket are also checked up front, so a denial is the error the cell sees (not undici's "fetch
 * failed"). Listening (net.Server.prototype.listen) is checked against the address listened on (`0.0.0.0` when
 * none is given). UDP (dgram), other DNS servers and inspector.open (a listening debugger port) need `net: ["*"]`.
 */
import type dgramModule from 'node:dgram';
import type dnsModule from 'node:dns';
import type inspectorModule from 'node:inspector';
import type netModule from 'node:net';
import { ANY, allowsHost, type Permissions } from '../../protocol';
import { getBuiltin } from '../runtime/getBuiltin';
import { AddressBook, allowsAddress, compileRules } from './addressBook';
import { checkedLookup, type Lookup } from './checkedLookup';
import { connectHost, connectRequest } from './connectOptions';
import { guardConstructor } from './guardConstructor';
import { guardHandles } from './handleGuards';
import { isIP, ReflectApply } from './primordials';
import { permissionError } from './permissionError';

/** The host a server listens on when none is given. */
export const ANY_ADDRESS = '0.0.0.0';
const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'ws:': 80, 'wss:': 443 };

export function guardNetwork(permissions: Permissions): void {
  const anyHost = (permissions.net ?? []).includes(ANY);
  if (anyHost) return;
  // loaded now, before any cell runs, rather than as every kernel starts (node:dns serves only the seat belts)
  const dgram = getBuiltin('node:dgram') as typeof dgramModule;
  const dns = getBuiltin('node:dns') as typeof dnsModule;
  const inspector = getBuiltin('node:inspector') as typeof inspectorModule;
  const net = getBuiltin('node:net') as typeof netModule;
  const rules = compileRules(permissions);
  // an IP literal is compared as an address (`::ffff:127.0.0.1` is 127.0.0.1); a name as written
  // (`localhost` and `127.0.0.1` stay different hosts)
  const hostAllowed = (host: string, port?: number) =>
    isIP(host.replace(/^\[|\]$/g, '')) ? allowsAddress(rules, undefined, host, port) : allowsHost(permissions, host, port);
  const check = (host: string, port?: number) => {
    if (!hostAllowed(host, port)) throw permissionError('net', host);
  };
  const checkPath = (path: string) => {
    if (rules.paths[path] !== true) throw permissionError('net', path);
  };

  const book = new AddressBook();
  const realLookup = dns.lookup as unknown as Lookup;
  const lookup = checkedLookup(book, realLookup);
  // servers listening on a name look it up through the module's export: answers recorded there count too
  (dns as unknown as { lookup: Lookup }).lookup = lookup;

  const connect = net.Socket.prototype.connect;
  guardHandles(rules, book, connect);
  net.Socket.prototype.connect = function (this: netModule.Socket, ...args: unknown[]) {
    const { options, callback } = connectRequest(args);
    if (options.path) {
      if (typeof options.path === 'string') checkPath(options.path);
    } else if (options.port !== undefined) check(connectHost(options), options.port as number);
    // (neither: Node refuses the call itself, ERR_MISSING_ARGS, before any connection)
    options.lookup = lookup;
    return ReflectApply(connect, this, callback ? [options, callback] : [options]) as netModule.Socket;
  } as typeof connect;

  // servers too (http.createServer().listen, net.createServer): the address they listen on is the host
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (this: netModule.Server, ...args: unknown[]) {
    const target = listenTarget(args);
    if (target.path !== undefined) checkPath(target.path);
    else check(target.host, target.port === undefined ? undefined : +target.port);
    return ReflectApply(listen, this, args) as netModule.Server;
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
