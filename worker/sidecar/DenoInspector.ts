/**
 * The connection to a Deno sidecar's inspector (`--inspect=127.0.0.1:0`), opened when the sidecar starts and kept
 * open, so an interrupt of a synchronous loop costs one message: Runtime.terminateExecution.
 */
import type WebSocket from 'ws';

/** How long the inspector may take to accept the connection. */
export const INSPECTOR_CONNECT_TIMEOUT_MS = 10_000;
/** How long an evaluation may take before it counts as unanswered. */
export const INSPECTOR_EVALUATE_TIMEOUT_MS = 100;

/**
 * Evaluated by the inspector where Deno's JavaScript is now: inside a running loop it runs on top of the loop's
 * frames, so the stack it returns names them; when Deno is idle it names none.
 */
const STACK_HERE =
  '(() => { const E = Error, limit = E.stackTraceLimit; E.stackTraceLimit = 200; try { return String(new E().stack) } finally { E.stackTraceLimit = limit } })()';

export class DenoInspector {
  private nextId = 1;
  private readonly answers = new Map<number, (result: unknown) => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      let msg: { id?: unknown; result?: { result?: { value?: unknown } } };
      try {
        msg = JSON.parse(String(data)) as typeof msg;
      } catch {
        return;
      }
      const answer = typeof msg.id === 'number' ? this.answers.get(msg.id) : undefined;
      if (answer) answer(msg.result?.result?.value);
    });
  }

  static async connect(url: string): Promise<DenoInspector> {
    // loaded here, not with the worker: only Deno kernels use it
    const { default: Ws } = await import('ws');
    return new Promise((resolve, reject) => {
      const socket = new Ws(url, { perMessageDeflate: false });
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`Deno's inspector at ${url} did not accept a connection within ${INSPECTOR_CONNECT_TIMEOUT_MS} ms`));
      }, INSPECTOR_CONNECT_TIMEOUT_MS);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new DenoInspector(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`could not connect to Deno's inspector at ${url}: ${err.message}`));
      });
    });
  }

  get open(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Terminates the JavaScript running now; false when the connection is gone. */
  terminateExecution(): boolean {
    if (!this.open) return false;
    this.socket.send(JSON.stringify({ id: this.nextId++, method: 'Runtime.terminateExecution' }));
    return true;
  }

  /**
   * The JavaScript stack Deno is running now ('' when idle), or undefined when the inspector does not answer in
   * time (or a cell broke `Error`): then nobody can say, and the caller must not assume the thread is held.
   */
  stackNow(first?: string): Promise<string | undefined> {
    // `first` true: the stack is not wanted ('' as when idle), in the same evaluation (no stale answer between them)
    const expression = first ? `(${first}) === true ? '' : ${STACK_HERE}` : STACK_HERE;
    if (!this.open) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), INSPECTOR_EVALUATE_TIMEOUT_MS);
      const done = (value: unknown) => {
        clearTimeout(timer);
        this.answers.delete(id);
        resolve(typeof value === 'string' ? value : undefined);
      };
      this.answers.set(id, done);
      this.socket.send(JSON.stringify({ id, method: 'Runtime.evaluate', params: { expression, returnByValue: true, silent: true } }));
    });
  }

  close(): void {
    for (const answer of this.answers.values()) answer(undefined);
    this.socket.removeAllListeners();
    this.socket.on('error', () => undefined);
    this.socket.terminate();
  }
}
