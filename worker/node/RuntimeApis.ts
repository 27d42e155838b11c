/**
 * The servers, sockets and child processes of Deno's and Bun's own APIs, for the Pending Work view (their node:http,
 * node:net and node:child_process go through IoTracker's wrappers): `Deno.serve`, `Deno.listen`, `Deno.listenTls`,
 * `Deno.connect`, `Deno.connectTls`, `Deno.listenDatagram` and `Deno.Command#spawn`; `Bun.serve`, `Bun.listen`,
 * `Bun.connect`, `Bun.udpSocket` and `Bun.spawn`; and their `WebSocket`. Cancel shuts a server down (`shutdown()`,
 * `close()`, `stop(true)`), which frees its port, closes a socket or WebSocket, and kills a process (SIGTERM); an item
 * also leaves when the cell's code closes it itself, its peer closes it (Bun's sockets, WebSockets) or the process
 * exits. Absent APIs (Node) are left alone.
 */
import type { WorkKind } from '../../protocol';
import { intrinsicThen } from '../runtime/createDispatcher';
import type { CellContext } from './cellContext';

/** What installRuntimeApis needs of IoTracker. */
export interface IoRecorder {
  begin(api: string, fn: (...a: never[]) => unknown): CellContext | undefined;
  call<T>(cell: CellContext | undefined, fn: () => T): T;
  track(kind: WorkKind, describe: () => string, cell: CellContext | undefined, cancel: () => void): string | undefined;
  untrack(id: string | undefined): void;
}

type Fn = (...a: unknown[]) => unknown;
type Api = Record<string, unknown>;

interface DenoServer {
  addr?: { port?: number; path?: string };
  finished?: Promise<void>;
  shutdown(): Promise<void>;
}

interface DenoListener {
  addr?: { port?: number; path?: string };
  close(): void;
}

interface DenoConn {
  remoteAddr?: { hostname?: string; port?: number; path?: string };
  close(): void;
}

interface BunSocket {
  end(): unknown;
}

interface SocketLike {
  close(code?: number): void;
  addEventListener?(type: string, listener: () => void, options?: { once?: boolean }): void;
}

interface RuntimeChild {
  pid?: number;
  kill(): void;
  /** Deno's settles when the process ends. */
  status?: Promise<unknown>;
  /** Bun's settles when the process ends. */
  exited?: Promise<unknown>;
}

interface BunServer {
  port?: number;
  url?: { href?: string };
  stop(closeActiveConnections?: boolean): unknown;
}

export function installRuntimeApis(g: Record<string, unknown>, io: IoRecorder): void {
  const deno = g.Deno as Api | undefined;
  if (deno && typeof deno === 'object') {
    const command = (deno.Command as { prototype?: Api } | undefined)?.prototype;
    if (command) {
      wrapCall(command, 'spawn', 'Deno.Command', io, (child: RuntimeChild, cell) => {
        const id = io.track(
          'child-process',
          () => `Deno.Command (pid ${child.pid})`,
          cell,
          () => child.kill(),
        );
        swallow(child.status, () => io.untrack(id));
      });
    }
    wrapCall(deno, 'serve', 'Deno.serve', io, (server: DenoServer, cell) => {
      const id = io.track(
        'server',
        () => `Deno.serve ${where(server.addr)}`,
        cell,
        () => swallow(server.shutdown()),
      );
      if (server.finished) swallow(server.finished, () => io.untrack(id));
    });
    for (const [method, label] of [
      ['listen', 'Deno.listen'],
      ['listenTls', 'Deno.listenTls'],
    ] as const) {
      const stopped = new StopHooks('close', io);
      wrapCall(deno, method, label, io, (listener: DenoListener, cell) => {
        stopped.list(
          listener,
          'server',
          () => `${label} ${where(listener.addr)}`,
          cell,
          () => listener.close(),
        );
      });
    }
    for (const [method, label] of [
      ['connect', 'Deno.connect'],
      ['connectTls', 'Deno.connectTls'],
    ] as const) {
      const closed = new StopHooks('close', io);
      wrapAsync(deno, method, label, io, (conn: DenoConn, cell) => {
        closed.list(
          conn,
          'socket',
          () => `${label} ${remote(conn.remoteAddr)}`,
          cell,
          () => conn.close(),
        );
      });
    }
    const datagrams = new StopHooks('close', io);
    wrapCall(deno, 'listenDatagram', 'Deno.listenDatagram', io, (socket: DenoListener, cell) => {
      datagrams.list(
        socket,
        'socket',
        () => `Deno.listenDatagram ${where(socket.addr)}`,
        cell,
        () => socket.close(),
      );
    });
  }
  const bun = g.Bun as Api | undefined;
  if (bun && typeof bun === 'object') {
    wrapCall(bun, 'spawn', 'Bun.spawn', io, (child: RuntimeChild, cell, args) => {
      const first = args[0] as unknown;
      const cmd = Array.isArray(first) ? first : (first as { cmd?: unknown } | undefined)?.cmd;
      const program = Array.isArray(cmd) ? String(cmd[0]) : '?';
      const id = io.track(
        'child-process',
        () => `Bun.spawn ${program} (pid ${child.pid})`,
        cell,
        () => child.kill(),
      );
      swallow(child.exited, () => io.untrack(id));
    });
    for (const [method, label] of [
      ['serve', 'Bun.serve'],
      ['listen', 'Bun.listen'],
    ] as const) {
      const servers = new StopHooks('stop', io);
      wrapCall(bun, method, label, io, (server: BunServer, cell) => {
        servers.list(
          server,
          'server',
          () => `${label} ${bunWhere(server)}`,
          cell,
          () => swallow(server.stop(true)),
        );
      });
    }
    // a socket leaves when the cell ends it or its peer closes it (the handler the cell gave is still called)
    const sockets = new StopHooks('end', io);
    const socketIds = new WeakMap<object, string>();
    wrapAsync(
      bun,
      'connect',
      'Bun.connect',
      io,
      (socket: BunSocket, cell, args) => {
        const opts = args[0] as { hostname?: unknown; port?: unknown; unix?: unknown } | undefined;
        const target = typeof opts?.unix === 'string' ? opts.unix : `${String(opts?.hostname ?? '?')}:${String(opts?.port ?? '?')}`;
        const id = io.track(
          'socket',
          () => `Bun.connect ${target}`,
          cell,
          () => swallow(socket.end()),
        );
        if (id !== undefined) socketIds.set(socket, id);
        sockets.watch(socket, id);
      },
      (args) => onPeerClose(args[0], 'socket', (socket) => io.untrack(socketIds.get(socket))),
    );
    const udp = new StopHooks('close', io);
    wrapAsync(bun, 'udpSocket', 'Bun.udpSocket', io, (socket: SocketLike & { port?: number }, cell) => {
      udp.list(
        socket,
        'socket',
        () => `Bun.udpSocket ${typeof socket.port === 'number' ? `:${socket.port}` : '(address unknown)'}`,
        cell,
        () => socket.close(),
      );
    });
  }
  // Deno's and Bun's own WebSocket (Node's runs on undici's sockets, which IoTracker sees)
  if ((deno && typeof deno === 'object') || (bun && typeof bun === 'object')) wrapWebSocket(g, io);
}

/** `new WebSocket(url)` in a cell: listed until it closes (either side), Cancel closes it. */
function wrapWebSocket(g: Record<string, unknown>, io: IoRecorder): void {
  const Real = g.WebSocket;
  if (typeof Real !== 'function') return;
  const trap = function (target: Fn, args: unknown[], newTarget: Fn): object {
    const cell = io.begin('WebSocket', trap);
    const ws = io.call(cell, () => Reflect.construct(target, args, newTarget) as SocketLike & { url?: string });
    const id = io.track(
      'socket',
      () => `WebSocket ${typeof ws.url === 'string' ? ws.url : String(args[0])}`,
      cell,
      () => ws.close(),
    );
    if (id !== undefined) ws.addEventListener?.('close', () => io.untrack(id), { once: true });
    return ws;
  };
  try {
    g.WebSocket = new Proxy(Real as Fn, { construct: trap as never });
  } catch {
    // not writable: WebSockets stay unlisted
  }
}

/**
 * Calls `onClose` with the socket when the peer closes it, by wrapping the `close` handler the cell passed in
 * `options[handlers]` (Bun's socket handlers); the cell's own handler still runs.
 */
function onPeerClose(options: unknown, handlers: string, onClose: (socket: object) => void): void {
  const group = options !== null && typeof options === 'object' ? (options as Record<string, unknown>)[handlers] : undefined;
  if (group === null || typeof group !== 'object') return;
  const own = (group as Record<string, unknown>).close;
  try {
    (group as Record<string, unknown>).close = function (this: unknown, socket: object, ...rest: unknown[]) {
      onClose(socket);
      return typeof own === 'function' ? Reflect.apply(own, this, [socket, ...rest]) : undefined;
    };
  } catch {
    // frozen handlers: the item stays until the cell ends it or it is cancelled
  }
}

/** Like wrapCall for an API that returns a promise: the value it resolves to is recorded; the cell gets the same value. */
function wrapAsync<T>(
  api: Api,
  name: string,
  label: string,
  io: IoRecorder,
  record: (result: T, cell: CellContext, args: unknown[]) => void,
  prepare?: (args: unknown[]) => void,
): void {
  replaceCall(
    api,
    name,
    label,
    io,
    (result, cell, args) =>
      result instanceof Promise
        ? // a rejection reaches the cell as before: the promise it gets is this one's continuation, without a handler
          (Reflect.apply(intrinsicThen, result, [
            (value: unknown) => {
              if (value !== null && typeof value === 'object') record(value as T, cell, args);
              return value;
            },
          ]) as unknown)
        : result,
    prepare,
  );
}

/** Replaces api[name] with a wrapper that runs it in the cell's origin context and hands the result to `record`. */
function wrapCall<T>(api: Api, name: string, label: string, io: IoRecorder, record: (result: T, cell: CellContext, args: unknown[]) => void): void {
  replaceCall(api, name, label, io, (result, cell, args) => {
    if (result !== null && typeof result === 'object') record(result as T, cell, args);
    return result;
  });
}

/**
 * Replaces api[name] with a wrapper that, in a cell, runs it in the cell's origin context (after `prepare` sees its
 * arguments) and returns what `handle` makes of its result; outside any cell the real function runs as it is.
 */
function replaceCall(
  api: Api,
  name: string,
  label: string,
  io: IoRecorder,
  handle: (result: unknown, cell: CellContext, args: unknown[]) => unknown,
  prepare?: (args: unknown[]) => void,
): void {
  const real = api[name];
  if (typeof real !== 'function') return;
  const wrapper = function (this: unknown, ...args: unknown[]) {
    const cell = io.begin(label, wrapper);
    if (!cell) return Reflect.apply(real as Fn, this, args);
    prepare?.(args);
    return handle(
      io.call(cell, () => Reflect.apply(real as Fn, this, args)),
      cell,
      args,
    );
  };
  Object.defineProperty(wrapper, 'name', { value: name });
  try {
    api[name] = wrapper;
  } catch {
    // a runtime whose namespace is frozen: what it starts stays unlisted
  }
}

/**
 * An item leaves when the cell's code stops the resource itself: the resource class's stop method (shared by every
 * instance, found on the first one) is wrapped once to forget the resource.
 */
class StopHooks {
  private readonly ids = new WeakMap<object, string>();
  private readonly wrapped = new WeakSet<object>();

  constructor(
    private readonly method: string,
    private readonly io: IoRecorder,
  ) {}

  /** Lists `resource` (io.track's arguments) until it is cancelled or its stop method ends it. */
  list(resource: object, kind: WorkKind, describe: () => string, cell: CellContext | undefined, cancel: () => void): void {
    this.watch(resource, this.io.track(kind, describe, cell, cancel));
  }

  watch(resource: object, id: string | undefined): void {
    if (id === undefined) return;
    this.ids.set(resource, id);
    const proto = Object.getPrototypeOf(resource) as Record<string, unknown> | null;
    const owner = proto && typeof proto[this.method] === 'function' ? proto : (resource as Record<string, unknown>);
    if (this.wrapped.has(owner)) return;
    const real = owner[this.method] as Fn;
    const { ids, io } = this;
    try {
      owner[this.method] = function (this: object, ...args: unknown[]) {
        io.untrack(ids.get(this));
        return Reflect.apply(real, this, args);
      };
      this.wrapped.add(owner);
    } catch {
      // not writable: the item stays until it is cancelled
    }
  }
}

function where(addr: { port?: number; path?: string } | undefined): string {
  if (typeof addr?.port === 'number') return `:${addr.port}`;
  return typeof addr?.path === 'string' ? addr.path : '(address unknown)';
}

function remote(addr: { hostname?: string; port?: number; path?: string } | undefined): string {
  if (typeof addr?.port === 'number') return `${addr.hostname ?? '?'}:${addr.port}`;
  return typeof addr?.path === 'string' ? addr.path : '(address unknown)';
}

function bunWhere(server: BunServer): string {
  if (typeof server.port === 'number' && server.port > 0) return `:${server.port}`;
  return typeof server.url?.href === 'string' ? server.url.href : '(address unknown)';
}

/** Waits for a returned promise without letting its rejection go unhandled (the kernel never awaits it otherwise). */
function swallow(value: unknown, then: () => void = () => undefined): void {
  if (value !== null && typeof value === 'object' && value instanceof Promise) Reflect.apply(intrinsicThen, value, [then, then]);
}
