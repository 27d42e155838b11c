/**
 * The I/O a cell started, one item each, for the Pending Work view: servers (net.Server.prototype.listen, which
 * http, https and net servers share), client sockets (net.Socket.prototype.connect), child processes
 * (ChildProcess.prototype.spawn) and fetches (globalThis.fetch). Each item keeps the stack at creation and a way
 * to stop it: close the server (and its connections), destroy the socket, kill the process, abort the fetch.
 * An item leaves when its resource ends by itself ('close', 'exit', the fetch settling).
 */
import childProcess from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { WorkKind } from '../../protocol';
import { intrinsicThen } from '../runtime/createDispatcher';
import { currentCell } from './cellContext';

/** Taken before any cell runs: a cell may replace Error or its captureStackTrace. */
const captureStack = Error.captureStackTrace;

export interface IoEntry {
  /** Stable id for `cancelWork` (`io<n>`). */
  id: string;
  kind: WorkKind;
  description: string;
  cellId: string;
  executionId: number;
  origin: { stack?: string };
  cancel(): void;
}

type Listener = (event: string, fn: () => void) => unknown;

export class IoTracker {
  private readonly entries = new Map<string, IoEntry>();
  private seq = 0;

  /** Wraps the entry points; call after the permission guards so a denied call never becomes an item. */
  install(g: Record<string, unknown>): void {
    this.wrapListen();
    this.wrapConnect();
    this.wrapSpawn();
    this.wrapFetch(g);
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

  /** Records work the running (or attributed) cell started; undefined outside any cell. */
  private track(kind: WorkKind, describe: () => string, origin: { stack?: string }, cancel: () => void): string | undefined {
    const cell = currentCell();
    if (!cell) return undefined;
    const id = `io${++this.seq}`;
    const entry: IoEntry = {
      id,
      kind,
      cellId: cell.cellId,
      executionId: cell.executionId,
      origin,
      cancel,
      get description() {
        return describe();
      },
    };
    this.entries.set(id, entry);
    return id;
  }

  private untrack(id: string | undefined): void {
    if (id !== undefined) this.entries.delete(id);
  }

  private once(emitter: { once?: Listener }, event: string, id: string | undefined): void {
    if (id !== undefined && typeof emitter.once === 'function') emitter.once(event, () => this.untrack(id));
  }

  private wrapListen(): void {
    const proto = net.Server.prototype as { listen: (...a: unknown[]) => unknown };
    const real = proto.listen;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    proto.listen = function listen(this: net.Server, ...args: unknown[]) {
      const origin: { stack?: string } = {};
      captureStack(origin, listen);
      const result = Reflect.apply(real, this, args);
      // the arrow functions below outlive this call
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const server: net.Server = this;
      const kind = server instanceof http.Server ? 'http server' : 'server';
      const id = self.track(
        'server',
        () => `${kind} ${describeAddress(Reflect.apply(serverAddress, server, []) as ReturnType<net.Server['address']>)}`,
        origin,
        () => {
          server.close();
          (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        },
      );
      self.once(server, 'close', id);
      return result;
    };
  }

  private wrapConnect(): void {
    const proto = net.Socket.prototype as { connect: (...a: unknown[]) => unknown };
    const real = proto.connect;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    proto.connect = function connect(this: net.Socket, ...args: unknown[]) {
      const origin: { stack?: string } = {};
      captureStack(origin, connect);
      // the arrow functions below outlive this call
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const socket: net.Socket = this;
      const target = connectTarget(args);
      const id = self.track(
        'socket',
        () => `socket ${target}`,
        origin,
        () => socket.destroy(),
      );
      self.once(socket, 'close', id);
      try {
        return Reflect.apply(real, this, args);
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
    proto.spawn = function spawn(this: childProcess.ChildProcess, ...args: unknown[]) {
      const origin: { stack?: string } = {};
      captureStack(origin, spawn);
      const result = Reflect.apply(real, this, args);
      // the arrow functions below outlive this call
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const child: childProcess.ChildProcess = this;
      if (child.pid !== undefined) {
        const id = self.track(
          'child-process',
          () => `child process ${child.spawnfile} (pid ${child.pid})`,
          origin,
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
      const origin: { stack?: string } = {};
      captureStack(origin, fetch);
      const abort = new AbortController();
      const own = input instanceof Request ? input.signal : undefined;
      const signals = [abort.signal, ...(init?.signal ? [init.signal] : []), ...(own ? [own] : [])];
      const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
      const url = input instanceof Request ? input.url : String(input);
      const id = self.track(
        'fetch',
        () => `fetch ${method} ${url}`,
        origin,
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

/** The intrinsic address(): listing a server never runs a method a cell put on it. */
const serverAddress = net.Server.prototype.address;

function describeAddress(address: ReturnType<net.Server['address']>): string {
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
