/**
 * A typed request/response channel written once over any message transport.
 * Every pending request fails (naming its method) when the other side goes away,
 * so nothing waits forever on a dead process.
 */
import { CodaError, codaError, isCodaErrorCode } from './codaErrors';
import type { SerializedError } from './errors';
import type { HostRequests, ResponseFrame, WorkerEvents } from './messages';

/** A request map: method -> { params, result }. */
export type RequestMap<R> = { [M in keyof R]: { params: unknown; result: unknown } };

export type RequestFrameOf<R extends RequestMap<R>> = {
  [M in keyof R & string]: { kind: 'request'; id: number; method: M; params: R[M]['params'] };
}[keyof R & string];

export type EventFrameOf<E> = { [K in keyof E & string]: { kind: 'event'; event: K; body: E[K] } }[keyof E & string];

/** The smallest transport a channel needs. */
export interface Transport<Out, In> {
  send(frame: Out): void;
  onMessage(listener: (frame: In) => void): () => void;
  onClose(listener: (reason: string) => void): () => void;
}

/** Error a failed request rejects with; `data` is the worker's plain error. */
export class RequestError extends Error {
  constructor(
    readonly method: string,
    readonly data: SerializedError,
  ) {
    super(`${method} failed: ${data.message}`);
    this.name = 'RequestError';
  }

  /** The other side's error as this side throws it: its message without the method, its name, its catalogue code. */
  unwrap(): Error {
    const { code, name, message, props } = this.data;
    if (!isCodaErrorCode(code)) return Object.assign(new Error(message), { name });
    const err = new CodaError(code, message);
    if (props) err.props = { ...props };
    return err;
  }
}

export interface Channel<R extends RequestMap<R>, E> {
  request<M extends keyof R & string>(method: M, params: R[M]['params']): Promise<R[M]['result']>;
  onEvent<K extends keyof E & string>(event: K, listener: (body: E[K]) => void): () => void;
  /** Rejects every pending request and ignores later frames. */
  close(reason: string): void;
  readonly closed: boolean;
}

/** A macrotask: Node's setImmediate (right after this turn's I/O), else a browser's setTimeout (protocol/ takes neither's types). */
const timers = globalThis as unknown as { setImmediate?: (run: () => void) => unknown; setTimeout: (run: () => void, ms: number) => unknown };
const later: (run: () => void) => unknown = timers.setImmediate ? timers.setImmediate.bind(globalThis) : (run) => timers.setTimeout.call(globalThis, run, 0);

/** The host side of a kernel. */
export type HostChannel = Channel<HostRequests, WorkerEvents>;

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export function createHostChannel(transport: Transport<RequestFrameOf<HostRequests>, ResponseFrame | EventFrameOf<WorkerEvents>>): HostChannel {
  return createChannel<HostRequests, WorkerEvents>(transport);
}

/** The requesting side of any process contract (kernel, installer). */
export function createChannel<R extends RequestMap<R>, E>(transport: Transport<RequestFrameOf<R>, ResponseFrame | EventFrameOf<E>>): Channel<R, E> {
  let nextId = 1;
  let closedReason: string | undefined;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(body: unknown) => void>>();
  type Incoming = ResponseFrame | EventFrameOf<E>;

  const fail = (reason: string) => {
    if (closedReason !== undefined) return;
    closedReason = reason;
    for (const p of pending.values()) p.reject(new RequestError(p.method, codaError('KernelGone', { reason })));
    pending.clear();
  };

  // Frames that come after a response in the same turn (one read of the pipe) wait for a macrotask: the code that
  // awaited the response runs in this turn's microtasks and must see it before what the other side sent after it (a
  // cell's result, then its late console output). They keep their order: a response among them is settled in its
  // place, and the frames after it wait again for the code that awaited it.
  let held: Incoming[] | undefined;
  const hold = () => {
    if (held) return;
    held = [];
    later(release);
  };
  const release = () => {
    const frames = held ?? [];
    held = undefined;
    for (let i = 0; i < frames.length; i++) {
      take(frames[i]!);
      // a response settled: the frames after it wait again (take started a new hold)
      const again = held as Incoming[] | undefined;
      if (again) {
        again.push(...frames.slice(i + 1));
        return;
      }
    }
  };
  const take = (frame: Incoming) => {
    if (frame.kind !== 'response') dispatch(frame);
    else if (settle(frame)) hold();
  };

  const offMessage = transport.onMessage((frame) => {
    if (closedReason !== undefined) return;
    if (held) held.push(frame);
    else take(frame);
  });
  const offClose = transport.onClose(fail);

  /** Settles the request `frame` answers; false when none was waiting for it. */
  function settle(frame: ResponseFrame): boolean {
    const p = pending.get(frame.id);
    if (!p) return false;
    pending.delete(frame.id);
    if (frame.ok) p.resolve(frame.result);
    else p.reject(new RequestError(p.method, frame.error));
    return true;
  }

  function dispatch(frame: EventFrameOf<E>) {
    const set = listeners.get(frame.event);
    if (set) for (const l of set) l(frame.body);
  }

  return {
    get closed() {
      return closedReason !== undefined;
    },
    request(method, params) {
      if (closedReason !== undefined) {
        return Promise.reject(new RequestError(method, codaError('KernelGone', { reason: closedReason })));
      }
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
        try {
          transport.send({ kind: 'request', id, method, params } as RequestFrameOf<R>);
        } catch (err) {
          pending.delete(id);
          reject(new RequestError(method, codaError('SendFailed', { detail: err instanceof Error ? err.message : String(err) })));
        }
      });
    },
    onEvent(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (body: unknown) => void);
      return () => set.delete(listener as (body: unknown) => void);
    },
    close(reason) {
      fail(reason);
      offMessage();
      offClose();
    },
  };
}
