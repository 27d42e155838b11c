/**
 * The connection to a Deno sidecar's inspector (`--inspect=127.0.0.1:0`), opened when the sidecar starts and kept
 * open, so an interrupt of a synchronous loop costs one message: Runtime.terminateExecution.
 */
import type WebSocket from 'ws';
import { TURN_PROBE_NAME } from './turnProbe';

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
  async stackNow(): Promise<string | undefined> {
    const value = await this.evaluate(STACK_HERE);
    return typeof value === 'string' ? value : undefined;
  }

  /**
   * The stack Deno runs now, as stackNow, with the turn probe's timer armed (worker/sidecar/turnProbe.ts), for
   * loopTurned to read after; undefined when the inspector does not answer.
   */
  async stackAndArm(): Promise<string | undefined> {
    const answer = await this.evaluate(`[${STACK_HERE}, ${TURN_PROBE_NAME}(true)]`);
    return Array.isArray(answer) && typeof answer[0] === 'string' ? answer[0] : undefined;
  }

  /**
   * Whether Deno's event loop turned since stackAndArm, and the stack it runs at the end; undefined when the
   * inspector does not answer. Asked twice: an idle Deno that answered the first question has to pass its due timer
   * before it can read the second, so a timer still unfired at the second answer means the thread never returned
   * to its event loop.
   */
  async loopTurned(): Promise<{ turned: boolean; stack: string } | undefined> {
    const first = await this.evaluate(`${TURN_PROBE_NAME}(false)`);
    if (first !== false) return first === true ? { turned: true, stack: '' } : undefined;
    const answer = await this.evaluate(`[${TURN_PROBE_NAME}(false), ${STACK_HERE}]`);
    if (!Array.isArray(answer) || typeof answer[0] !== 'boolean' || typeof answer[1] !== 'string') return undefined;
    return { turned: answer[0], stack: answer[1] };
  }

  /** The value of `expression` evaluated where Deno's JavaScript is now (undefined when not answered in time). */
  private evaluate(expression: string): Promise<unknown> {
    if (!this.open) return Promise.resolve(undefined);
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), INSPECTOR_EVALUATE_TIMEOUT_MS);
      const done = (value: unknown) => {
        clearTimeout(timer);
        this.answers.delete(id);
        resolve(value);
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
