/**
 * The servers and child processes of Deno's and Bun's own APIs, for the Pending Work view (their node:http, node:net
 * and node:child_process go through IoTracker's wrappers): `Deno.serve`, `Deno.listen` and `Deno.Command#spawn`,
 * `Bun.serve`, `Bun.listen` and `Bun.spawn`. Cancel shuts a server down (`shutdown()`, `close()`, `stop(true)`), which
 * frees its port, and kills a process (SIGTERM); an item also leaves when the cell's code stops the server itself or
 * the process exits. Absent APIs (Node) are left alone.
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
    const stopped = new StopHooks('close', io);
    wrapCall(deno, 'listen', 'Deno.listen', io, (listener: DenoListener, cell) => {
      stopped.watch(
        listener,
        io.track(
          'server',
          () => `Deno.listen ${where(listener.addr)}`,
          cell,
          () => listener.close(),
        ),
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
        servers.watch(
          server,
          io.track(
            'server',
            () => `${label} ${bunWhere(server)}`,
            cell,
            () => swallow(server.stop(true)),
          ),
        );
      });
    }
  }
}

/** Replaces api[name] with a wrapper that runs it in the cell's origin context and hands the result to `record`. */
function wrapCall<T>(api: Api, name: string, label: string, io: IoRecorder, record: (result: T, cell: CellContext, args: unknown[]) => void): void {
  const real = api[name];
  if (typeof real !== 'function') return;
  const wrapper = function (this: unknown, ...args: unknown[]) {
    const cell = io.begin(label, wrapper);
    if (!cell) return Reflect.apply(real as Fn, this, args);
    const result = io.call(cell, () => Reflect.apply(real as Fn, this, args));
    if (result !== null && typeof result === 'object') record(result as T, cell, args);
    return result;
  };
  Object.defineProperty(wrapper, 'name', { value: name });
  try {
    api[name] = wrapper;
  } catch {
    // a runtime whose namespace is frozen: its servers stay unlisted
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

function bunWhere(server: BunServer): string {
  if (typeof server.port === 'number' && server.port > 0) return `:${server.port}`;
  return typeof server.url?.href === 'string' ? server.url.href : '(address unknown)';
}

/** Waits for a returned promise without letting its rejection go unhandled (the kernel never awaits it otherwise). */
function swallow(value: unknown, then: () => void = () => undefined): void {
  if (value !== null && typeof value === 'object' && value instanceof Promise) Reflect.apply(intrinsicThen, value, [then, then]);
}
