/**
 * The network seat belt's last line: the native handles every socket ends in. A cell can reach their classes
 * (`socket._handle.constructor` is the TCP class; a dgram socket and a dns.Resolver hold theirs) and call
 * connect/listen/send on them without passing net.Socket.prototype.connect. So the prototypes' own methods check
 * the address the operating system is asked for:
 * - TCP connect/connect6: the resolved address and port (allowsAddress: granted IP literals, or what the system
 *   resolver answered for a granted name); listen: the address and port actually bound (getsockname);
 * - Pipe connect/bind: the path, which must be granted as written;
 * - UDP: nothing (UDP needs `net: ["*"]`);
 * - c-ares (dns.Resolver / dns.setServers): only granted servers, else a cell sends queries anywhere.
 * A refused TCP or pipe connect returns EACCES as the operating system would, so Node's clients fail that
 * socket with an error instead of throwing from inside their callbacks.
 */
import type dgramModule from 'node:dgram';
import type dnsModule from 'node:dns';
import type netModule from 'node:net';
import type osModule from 'node:os';
import { getBuiltin } from '../runtime/getBuiltin';
import { ANY_ADDRESS_CANONICAL, allowsAddress, type AddressBook, type NetRules } from './addressBook';
import { emptyArray, ReflectApply } from './primordials';
import { permissionError } from './permissionError';

/** The port c-ares uses when a server gives none. */
const DNS_PORT = 53;
const ArrayIsArray = Array.isArray;

type Method = (this: unknown, ...args: unknown[]) => unknown;
type Proto = Record<string, Method>;

/**
 * Each wrapper passes exactly the arguments Node's net passes, with ReflectApply (a `.call` a cell replaced would be
 * handed the original), and decides with allowsAddress, which uses no built-in a cell can replace.
 */
export function guardHandles(rules: NetRules, book: AddressBook, connect: typeof netModule.Socket.prototype.connect): void {
  /** What a native call returns when the operating system refuses access (libuv's UV_EACCES). */
  const UV_EACCES = -(getBuiltin('node:os') as typeof osModule).constants.errno.EACCES;
  const { tcp, pipe } = socketHandleClasses(connect);
  const pathAllowed = (path: unknown) => typeof path === 'string' && rules.paths[path] === true;

  for (const name of ['connect', 'connect6']) {
    wrap(
      tcp,
      name,
      (original) =>
        function (this: unknown, req: unknown, address: unknown, port: unknown) {
          if (typeof address !== 'string' || typeof port !== 'number' || !allowsAddress(rules, book, address, port)) return UV_EACCES;
          return ReflectApply(original, this, [req, address, port]);
        },
    );
  }
  const getsockname = tcp.getsockname!;
  wrap(
    tcp,
    'listen',
    (original) =>
      function (this: unknown, backlog: unknown) {
        // where the handle is bound, asked of the original getsockname (never the handle's own property), into a
        // record no Object.prototype setter can intercept
        const bound = { __proto__: null } as { address?: unknown; port?: unknown };
        const err = ReflectApply(getsockname, this, [bound]);
        const address = err === 0 && typeof bound.address === 'string' ? bound.address : ANY_ADDRESS_CANONICAL;
        const port = typeof bound.port === 'number' ? bound.port : undefined;
        // `0.0.0.0` and `::` are one canonical address: listening on either needs one of them granted
        if (!allowsAddress(rules, book, address, port)) return UV_EACCES;
        return ReflectApply(original, this, [backlog]);
      },
  );
  wrap(
    pipe,
    'connect',
    (original) =>
      function (this: unknown, req: unknown, path: unknown) {
        if (!pathAllowed(path)) return UV_EACCES;
        return ReflectApply(original, this, [req, path]);
      },
  );
  wrap(
    pipe,
    'bind',
    (original) =>
      function (this: unknown, path: unknown) {
        if (!pathAllowed(path)) return UV_EACCES;
        return ReflectApply(original, this, [path]);
      },
  );

  const udp = udpHandleClass();
  for (const name of ['bind', 'bind6', 'connect', 'connect6', 'send', 'send6', 'open']) {
    wrap(
      udp,
      name,
      () =>
        function () {
          throw permissionError('net', '*');
        },
    );
  }

  const dns = getBuiltin('node:dns') as typeof dnsModule;
  const channel = (new dns.Resolver() as unknown as { _handle?: object })._handle;
  if (!channel) throw missingHandles('dns.Resolver');
  wrap(
    Object.getPrototypeOf(channel) as Proto,
    'setServers',
    (original) =>
      function (this: unknown, servers: unknown) {
        // a copy of plain values, each read once, checked and then passed on: a getter cannot answer the check and
        // c-ares differently
        const copy = emptyArray<[number, string, number]>();
        const length = ArrayIsArray(servers) ? (servers as unknown[]).length : 0;
        for (let i = 0; i < length; i++) {
          const server = (servers as unknown[])[i];
          const tuple = ArrayIsArray(server) ? (server as unknown[]) : [];
          const family = +(tuple[0] as number);
          const address = `${tuple[1] as string}`;
          const port = +(tuple[2] as number) || DNS_PORT;
          if (!allowsAddress(rules, book, address, port)) throw permissionError('net', `${address}:${port}`);
          copy[i] = [family, address, port];
        }
        return ReflectApply(original, this, [copy]);
      },
  );
}

function wrap(proto: Proto, name: string, make: (original: Method) => Method): void {
  const original = proto[name];
  if (typeof original !== 'function') return;
  Object.defineProperty(proto, name, { value: make(original), writable: false, configurable: false, enumerable: true });
}

/**
 * The TCP and Pipe classes, taken from sockets that never connect: net creates the handle before it looks a
 * host up (a lookup that never answers), and before it checks a path's type (a path that is not a string).
 */
function socketHandleClasses(connect: typeof netModule.Socket.prototype.connect): { tcp: Proto; pipe: Proto } {
  const net = getBuiltin('node:net') as typeof netModule;
  const classOf = (options: object) => {
    const socket = new net.Socket();
    try {
      ReflectApply(connect, socket, [options]);
    } catch {
      // the invalid path throws after the handle exists
    }
    const handle = (socket as unknown as { _handle?: object })._handle;
    socket.destroy();
    if (!handle) throw missingHandles('net.Socket');
    return Object.getPrototypeOf(handle) as Proto;
  };
  return {
    tcp: classOf({ host: 'coda.invalid', port: 9, lookup: () => undefined }),
    pipe: classOf({ path: 1 }),
  };
}

function udpHandleClass(): Proto {
  const socket = (getBuiltin('node:dgram') as typeof dgramModule).createSocket('udp4');
  try {
    const state = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'state symbol');
    const handle = state && (socket as unknown as Record<symbol, { handle?: object } | undefined>)[state]?.handle;
    if (!handle) throw missingHandles('dgram.Socket');
    return Object.getPrototypeOf(handle) as Proto;
  } finally {
    socket.close();
  }
}

/** This Node keeps a handle where CodaJS cannot find it: refuse to start rather than leave that path unguarded. */
function missingHandles(where: string): Error {
  return new Error(
    `CodaJS could not find the native handle of ${where} on Node.js ${process.version}: the notebook's network permissions cannot be enforced on it. Use the Node.js CodaJS downloads (coda runtimes fetch node).`,
  );
}
