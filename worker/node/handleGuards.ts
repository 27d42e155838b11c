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
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import { constants } from 'node:os';
import type { Permissions } from '../../protocol';
import { ANY_ADDRESS_CANONICAL, allowsAddress, type AddressBook } from './addressBook';
import { permissionError } from './permissionError';

/** What a native call returns when the operating system refuses access (libuv's UV_EACCES). */
export const UV_EACCES = -constants.errno.EACCES;
/** The port c-ares uses when a server gives none. */
const DNS_PORT = 53;

type Method = (this: unknown, ...args: unknown[]) => unknown;
type Proto = Record<string, Method>;

export function guardHandles(permissions: Permissions, book: AddressBook, connect: typeof net.Socket.prototype.connect): void {
  const { tcp, pipe } = socketHandleClasses(connect);
  const pathAllowed = (path: unknown) => typeof path === 'string' && (permissions.net ?? []).includes(path);

  for (const name of ['connect', 'connect6']) {
    wrap(tcp, name, (original) => function (this: unknown, req: unknown, address: unknown, port: unknown, ...rest: unknown[]) {
      if (typeof address !== 'string' || typeof port !== 'number' || !allowsAddress(permissions, book, address, port)) return UV_EACCES;
      return original.call(this, req, address, port, ...rest);
    });
  }
  wrap(tcp, 'listen', (original) => function (this: unknown, ...args: unknown[]) {
    const bound: { address?: string; port?: number } = {};
    const self = this as { getsockname(out: object): number };
    const err = self.getsockname(bound);
    const address = err === 0 && bound.address ? bound.address : ANY_ADDRESS_CANONICAL;
    // `0.0.0.0` and `::` are one canonical address: listening on either needs one of them granted
    if (!allowsAddress(permissions, book, address, bound.port)) return UV_EACCES;
    return original.apply(this, args);
  });
  wrap(pipe, 'connect', (original) => function (this: unknown, req: unknown, path: unknown, ...rest: unknown[]) {
    if (!pathAllowed(path)) return UV_EACCES;
    return original.call(this, req, path, ...rest);
  });
  wrap(pipe, 'bind', (original) => function (this: unknown, path: unknown, ...rest: unknown[]) {
    if (!pathAllowed(path)) return UV_EACCES;
    return original.call(this, path, ...rest);
  });

  const udp = udpHandleClass();
  for (const name of ['bind', 'bind6', 'connect', 'connect6', 'send', 'send6', 'open']) {
    wrap(udp, name, () => function () {
      throw permissionError('net', '*');
    });
  }

  const channel = (new dns.Resolver() as unknown as { _handle?: object })._handle;
  if (!channel) throw missingHandles('dns.Resolver');
  wrap(Object.getPrototypeOf(channel) as Proto, 'setServers', (original) => function (this: unknown, servers: unknown, ...rest: unknown[]) {
    // a copy of plain values, checked and then passed on: a getter cannot answer the check and c-ares differently
    const copy = (Array.isArray(servers) ? [...(servers as unknown[])] : []).map((server) => {
      const [family, address, port] = Array.isArray(server) ? [...(server as unknown[])] : [];
      return [Number(family), String(address), Number(port) || DNS_PORT] as const;
    });
    for (const [, address, port] of copy) {
      if (!allowsAddress(permissions, book, address, port)) throw permissionError('net', `${address}:${port}`);
    }
    return original.call(this, copy.map((s) => [...s]), ...rest);
  });
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
function socketHandleClasses(connect: typeof net.Socket.prototype.connect): { tcp: Proto; pipe: Proto } {
  const classOf = (options: object) => {
    const socket = new net.Socket();
    try {
      (connect as (this: net.Socket, o: object) => net.Socket).call(socket, options);
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
  const socket = dgram.createSocket('udp4');
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
  return new Error(`CodaJS could not find the native handle of ${where} on Node.js ${process.version}: the notebook's network permissions cannot be enforced on it. Use the Node.js CodaJS downloads (coda runtimes fetch node).`);
}
