/**
 * The connection to a Deno sidecar's inspector (`--inspect=127.0.0.1:0`), opened when the sidecar starts and kept
 * open, so an interrupt of a synchronous loop costs one message: Runtime.terminateExecution.
 */
import type WebSocket from 'ws';

/** How long the inspector may take to accept the connection. */
export const INSPECTOR_CONNECT_TIMEOUT_MS = 10_000;

export class DenoInspector {
  private nextId = 1;

  private constructor(private readonly socket: WebSocket) {}

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

  close(): void {
    this.socket.removeAllListeners();
    this.socket.on('error', () => undefined);
    this.socket.terminate();
  }
}
