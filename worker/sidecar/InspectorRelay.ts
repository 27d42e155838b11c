/**
 * The socket a debug session on a Deno kernel attaches to (HostRequests `debugOpen`, `debugClose`). Deno's own
 * inspector is opened when the sidecar starts (--inspect, so an interrupt can stop a synchronous loop:
 * sidecarCommand.ts) and lives as long as the kernel, so its address is never handed out. Each debug session gets a
 * socket of its own instead, in the worker: on 127.0.0.1, a port the system picks and a random UUID path, relaying
 * each connection to a new session on Deno's inspector; closing it ends every session through it. It serves nothing
 * else (no `/json` list: a plain HTTP request is answered 426), and a cell gains nothing from it: it lives outside
 * Deno's permissions, and a cell reaches it only with `net` for 127.0.0.1 and the path.
 */
import type { AddressInfo } from 'node:net';
import type WebSocket from 'ws';
import type { RawData, WebSocketServer } from 'ws';
import { codaErrorObject } from '../../protocol';
import { DEBUG_HOST } from '../debug/DebugInspector';
import { randomUUID } from '../runtime/randomUUID';

/** How long Deno's inspector may take to accept a relayed session before the debugger's connection is dropped. */
export const RELAY_CONNECT_TIMEOUT_MS = 10_000;

export class InspectorRelay {
  private readonly sockets = new Set<WebSocket>();

  private constructor(
    private readonly server: WebSocketServer,
    readonly url: string,
    private readonly target: string,
    private readonly Ws: typeof WebSocket,
  ) {
    server.on('connection', (client) => this.relay(client));
  }

  /** Listens for debuggers that will be relayed to `target` (Deno's inspector address, known only to the worker). */
  static async open(target: string): Promise<InspectorRelay> {
    // loaded here, not with the worker: only Deno kernels use it
    const { default: Ws, WebSocketServer } = await import('ws');
    const path = `/${randomUUID()}`;
    const server = new WebSocketServer({ host: DEBUG_HOST, port: 0, path, perMessageDeflate: false });
    try {
      await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
    } catch (err) {
      server.close();
      throw codaErrorObject('DebugOpenFailed', { detail: (err as Error).message });
    }
    const { port } = server.address() as AddressInfo;
    return new InspectorRelay(server, `ws://${DEBUG_HOST}:${port}${path}`, target, Ws);
  }

  /** Closes the socket and ends every session relayed through it. */
  close(): void {
    for (const s of this.sockets) s.terminate();
    this.sockets.clear();
    this.server.close();
  }

  private relay(client: WebSocket): void {
    const deno = new this.Ws(this.target, { perMessageDeflate: false, handshakeTimeout: RELAY_CONNECT_TIMEOUT_MS });
    this.sockets.add(client).add(deno);
    const early: [RawData, boolean][] = [];
    client.on('message', (data, binary) => (deno.readyState === deno.OPEN ? deno.send(data, { binary }) : early.push([data, binary])));
    deno.on('open', () => {
      for (const [data, binary] of early.splice(0)) deno.send(data, { binary });
    });
    deno.on('message', (data, binary) => client.send(data, { binary }));
    // either side gone: the other goes too (Deno ends the session, so a paused kernel runs on)
    const end = () => {
      this.sockets.delete(client);
      this.sockets.delete(deno);
      client.terminate();
      deno.terminate();
    };
    for (const s of [client, deno]) s.on('close', end).on('error', end);
  }
}
