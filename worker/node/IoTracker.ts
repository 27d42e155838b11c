/**
 * The I/O a cell started, one item each, for the Pending Work view: servers (the listen methods of net, http and
 * https servers: Node's share net.Server's, Bun's http.Server has its own), client sockets (net.Socket.prototype.connect),
 * child processes (ChildProcess.prototype.spawn), fetches (globalThis.fetch), and the servers and processes of Deno's
 * and Bun's own APIs (RuntimeApis.ts). Each item keeps its origin (the stack at creation, for its cell line) and a way to stop
 * it: close the server (and its connections), destroy the socket, kill the process, abort the fetch. The real call
 * runs in a context with that origin, so the resource's callbacks and events inherit it (an error thrown there shows
 * where the resource was created). An item leaves when its resource ends by itself ('close', 'exit', the fetch
 * settling).
 */
import type { ChildProcess } from 'node:child_process';
import type http from 'node:http';
import type https from 'node:https';
import type { Server, Socket } from 'node:net';
import type { WorkKind } from '../../protocol';
import { intrinsicThen } from '../runtime/createDispatcher';
import { getBuiltin } from '../runtime/getBuiltin';
import { currentCell, originContext, runInCell, type AsyncOrigin, type CellContext } from './cellContext';
import { installRuntimeApis } from './RuntimeApis';

// (a Node kernel's IPC channel has loaded both already)
const childProcess = getBuiltin('node:child_process') as typeof import('node:child_process');
const net = getBuiltin('node:net') as typeof import('node:net');

/** Taken before any cell runs: a cell may replace Error or its captureStackTrace. */
const captureStack = Error.captureStackTrace;

/**
 * Node's http and https servers inherit net.Server's listen and address (test/unit/inspector/pendingWork.test.ts checks
 * it on each Node the suite runs), so Node loads http and https (7 ms with tls) only when a cell does. Bun's and Deno's
 * server classes have their own methods: they are read at once there.
 */
const OWN_SERVER_METHODS = typeof process.versions.bun === 'string' || typeof process.versions.deno === 'string';
const protoOf = Reflect.getPrototypeOf;
const httpServer = () => (getBuiltin('node:http') as typeof http).Server;
const httpsServer = () => (getBuiltin('node:https') as typeof https).Server;
/** The server classes whose methods are wrapped and read: net.Server's first. */
const SERVER_PROTOS: object[] = OWN_SERVER_METHODS ? [net.Server.prototype, httpServer().prototype, httpsServer().prototype] : [net.Server.prototype];

/**
 * 'http server', 'https server' or 'server'. On Node, a server whose class is net.Server itself is a server without
 * loading anything; http is loaded (if no cell has) for any other, https only for one that is not an http server.
 */
function serverKind(server: Server): string {
  try {
    if (!OWN_SERVER_METHODS && protoOf(server) === net.Server.prototype) return 'server';
    if (server instanceof httpServer()) return 'http server';
    return server instanceof httpsServer() ? 'https server' : 'server';
  } catch {
    // (a class that throws from Symbol.hasInstance)
    return 'server';
  }
}

export interface IoEntry {
  /** Stable id for `cancelWork` (`io<n>`). */
  id: string;
  kind: WorkKind;
  description: string;
  cellId: string;
  executionId: number;
  origin: AsyncOrigin;
  cancel(): void;
}

type Listener = (event: string, fn: () => void) => unknown;

export class IoTracker {
  private readonly entries = new Map<string, IoEntry>();
  private seq = 0;
  /** Wrapped calls running now: what they call is their implementation (Bun's http.Server.listen calls Bun.serve). */
  private depth = 0;

  /** Wraps the entry points; call after the permission guards so a denied call never becomes an item. */
  install(g: Record<string, unknown>): void {
    this.wrapListen();
    this.wrapConnect();
    this.wrapSpawn();
    this.wrapFetch(g);
    installRuntimeApis(g, this);
  }

  list(): IoEntry[] {
    return [...this.entries.values()];
  }

  cancel(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    this.entries.delete(id);
    e.cancel();
    return true;
  }

  /**
   * The context a wrapped call runs in: the attributed cell with the call as the last link of its origin (`api`
   * names it, the stack starts at the caller of `fn`); undefined outside any cell.
   */
  begin(api: string, fn: (...a: never[]) => unknown): CellContext | undefined {
    const creator = currentCell();
    if (!creator || this.depth > 0) return undefined;
    const stack: { stack?: string } = {};
    captureStack(stack, fn);
    return originContext(creator, { api, stack });
  }

  /** Runs a wrapped entry point's real function in the context begin() made (nothing it calls is listed again). */
  call<T>(cell: CellContext | undefined, fn: () => T): T {
    if (!cell) return fn();
    this.depth++;
    try {
      return runInCell(cell, fn);
    } finally {
      this.depth--;
    }
  }

  /** Records work a cell started (`cell` from begin()); undefined outside any cell. */
  track(kind: WorkKind, describe: () => string, cell: CellContext | undefined, cancel: () => void): string | undefined {
    if (!cell?.origin) return undefined;
    const id = `io${++this.seq}`;
    const entry: IoEntry = {
      id,
      kind,
      cellId: cell.cellId,
      executionId: cell.executionId,
      origin: cell.origin,
      cancel,
      get description() {
        return describe();
      },
    };
    this.entries.set(id, entry);
    return id;
  }

  untrack(id: string | undefined): void {
    if (id !== undefined) this.entries.delete(id);
  }

  private once(emitter: { once?: Listener }, event: string, id: string | undefined): void {
    if (id !== undefined && typeof emitter.once === 'function') emitter.once(event, () => this.untrack(id));
  }

  private wrapListen(): void {
    // one wrapper per distinct method (Node's http and https servers inherit net.Server's; Bun's http.Server has its
    // own, Deno's calls net.Server's from its own): a server is listed once, by the outermost call
    const protos = SERVER_PROTOS as { listen: (...a: unknown[]) => unknown }[];
    const listed = new WeakSet<object>();
    for (const proto of protos.filter((p, i) => Object.hasOwn(p, 'listen') && protos.indexOf(p) === i)) {
      const real = proto.listen;
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const self = this;
      proto.listen = function listen(this: Server, ...args: unknown[]) {
        if (listed.has(this)) return Reflect.apply(real, this, args);
        const cell = self.begin('listen', listen);
        if (!cell) return Reflect.apply(real, this, args);
        // the arrow functions below outlive this call
        // eslint-disable-next-line @typescript-eslint/no-this-alias
        const server: Server = this;
        listed.add(server);
        let result: unknown;
        try {
          result = self.call(cell, () => Reflect.apply(real, server, args));
        } catch (err) {
          listed.delete(server);
          throw err;
        }
        const kind = serverKind(server);
        const id = self.track(
          'server',
          () => `${kind} ${describeAddress(server)}`,
          cell,
          () => {
            server.close();
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          },
        );
        server.once('close', () => {
          listed.delete(server);
          self.untrack(id);
        });
        return result;
      };
    }
  }

  private wrapConnect(): void {
    const proto = net.Socket.prototype as { connect: (...a: unknown[]) => unknown };
    const real = proto.connect;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    proto.connect = function connect(this: Socket, ...args: unknown[]) {
      const cell = self.begin('connect', connect);
      // the arrow functions below outlive this call
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const socket: Socket = this;
      const target = connectTarget(args);
      const id = self.track(
        'socket',
        () => `socket ${target}`,
        cell,
        () => socket.destroy(),
      );
      self.once(socket, 'close', id);
      try {
        return self.call(cell, () => Reflect.apply(real, this, args));
      } catch (err) {
        self.untrack(id); // refused before it started (a permission denial): nothing to wait for
        throw err;
      }
    };
  }

  private wrapSpawn(): void {
    const proto = childProcess.ChildProcess?.prototype as { spawn?: (...a: unknown[]) => unknown } | undefined;
    const real = proto?.spawn;
    if (!proto || typeof real !== 'function') return; // a runtime whose ChildProcess has no spawn method
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    proto.spawn = function spawn(this: ChildProcess, ...args: unknown[]) {
      const cell = self.begin('spawn', spawn);
      const result = self.call(cell, () => Reflect.apply(real, this, args));
      // the arrow functions below outlive this call
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const child: ChildProcess = this;
      if (child.pid !== undefined) {
        const id = self.track(
          'child-process',
          () => `child process ${child.spawnfile} (pid ${child.pid})`,
          cell,
          () => child.kill(),
        );
        self.once(child, 'exit', id);
      }
      return result;
    };
  }

  private wrapFetch(g: Record<string, unknown>): void {
    const real = g.fetch;
    if (typeof real !== 'function') return;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    g.fetch = function fetch(this: unknown, input: unknown, init?: RequestInit) {
      const cell = self.begin('fetch', fetch);
      const abort = new AbortController();
      const own = input instanceof Request ? input.signal : undefined;
      const signals = [abort.signal, ...(init?.signal ? [init.signal] : []), ...(own ? [own] : [])];
      const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
      const url = input instanceof Request ? input.url : String(input);
      const id = self.track(
        'fetch',
        () => `fetch ${method} ${url}`,
        cell,
        () => abort.abort(),
      );
      let reply: Promise<unknown>;
      try {
        reply = Reflect.apply(real, this, [input, { ...init, signal: signals.length > 1 ? AbortSignal.any(signals) : abort.signal }]) as Promise<unknown>;
      } catch (err) {
        self.untrack(id);
        throw err;
      }
      const done = () => self.untrack(id);
      Reflect.apply(intrinsicThen, reply, [done, done]);
      return reply;
    };
  }
}

/** The intrinsic address() of each server class: listing a server never runs a method a cell put on it. */
const serverAddress = new Map<object, Server['address']>(SERVER_PROTOS.map((p) => [p, (p as Server).address]));

function describeAddress(server: Server): string {
  let address: ReturnType<Server['address']> = null;
  for (let p: object | null = Object.getPrototypeOf(server); p; p = Object.getPrototypeOf(p)) {
    const method = serverAddress.get(p);
    if (!method) continue;
    address = Reflect.apply(method, server, []) as ReturnType<Server['address']>;
    break;
  }
  if (address === null) return '(not listening yet)';
  if (typeof address === 'string') return address;
  return `:${address.port}`;
}

function connectTarget(args: unknown[]): string {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
  if (first !== null && typeof first === 'object') {
    const o = first as { host?: unknown; port?: unknown; path?: unknown };
    if (typeof o.path === 'string') return o.path;
    return `${typeof o.host === 'string' ? o.host : 'localhost'}:${String(o.port)}`;
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return first;
  return `${typeof args[1] === 'string' ? args[1] : 'localhost'}:${String(first)}`;
}
