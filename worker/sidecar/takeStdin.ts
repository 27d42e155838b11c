/**
 * The sidecar's stdin is the worker's channel to the agent (its frames), so cells must not reach it: a cell that reads
 * `process.stdin` with readline and closes it, or destroys it, ended the Deno or Bun process, and the kernel lost its
 * state; a cell reading it would have taken frames. The agent takes the stream for itself before any cell runs, and
 * cells read the worker's own stdin instead, relayed in frames (protocol/sidecar.ts StdinFrame) while a cell wants
 * bytes: `coda run`'s (`cat data.csv | coda run nb.coda`), or an input that has ended (the editor's kernels), as a
 * Node kernel's cells do. They find it as `process.stdin`, `Deno.stdin` and `Bun.stdin`; `prompt()`, `confirm()` and
 * `alert()` answer at once, as Deno's do without a terminal. (Deno cannot read an inherited fd but 0, so the channel
 * stays there; code that reads fd 0 by number still reaches it.)
 */
import { Readable } from 'node:stream';
import type { StdinFrame } from '../../protocol/sidecar';

/** A relayed chunk's size at the most for `Deno.stdin.readable` and `Bun.stdin.stream()`. */
const CHUNK = 64 * 1024;

export interface TakenStdin {
  /** The frames' channel, for the agent alone. */
  input: NodeJS.ReadStream;
  /** A StdinFrame from the worker: bytes or the end of the cells' stdin. */
  receive(frame: StdinFrame): void;
}

/**
 * The real stdin, for the agent alone; cells read the relay. `flow` asks the worker for bytes (true) when a cell
 * reads and nothing is buffered, and tells it to wait (false) while enough is.
 */
export function takeStdin(proc: NodeJS.Process, flow: (flowing: boolean) => void): TakenStdin {
  const input = proc.stdin;
  let flowing = false;
  let ended = false;
  const setFlow = (on: boolean) => {
    if (on === flowing || ended) return;
    flowing = on;
    flow(on);
  };
  const relay = new Readable({ read: () => setFlow(true) });
  // a cell that destroyed its stdin wants nothing more
  relay.once('close', () => setFlow(false));
  Object.defineProperty(proc, 'stdin', { value: relay, configurable: true, writable: true, enumerable: true });
  const g = globalThis as { Deno?: Record<string, unknown>; Bun?: Record<string, unknown> };
  if (g.Deno) Object.defineProperty(g.Deno, 'stdin', { value: denoStdin(relay), configurable: true, writable: true, enumerable: true });
  // Bun's own is writable, not configurable
  if (g.Bun) g.Bun.stdin = new RelayedFile(relay);
  // Bun's prompt() read a line from fd 0 (the frames) and the kernel hung: they answer as Deno's do where stdin is not a
  // terminal, at once, without output
  const answers: [string, unknown][] = [
    ['prompt', null],
    ['confirm', false],
    ['alert', undefined],
  ];
  for (const [name, answer] of answers) {
    Object.defineProperty(globalThis, name, { value: { [name]: () => answer }[name], configurable: true, writable: true, enumerable: true });
  }
  return {
    input,
    receive(frame) {
      if (ended || relay.destroyed) return;
      if (frame.end) {
        ended = true;
        relay.push(null);
        return;
      }
      if (typeof frame.data === 'string' && !relay.push(Buffer.from(frame.data, 'base64'))) setFlow(false);
    },
  };
}

/** At most `max` bytes from the relay, waiting for them; null at its end. */
async function readSome(relay: Readable, max: number): Promise<Uint8Array | null> {
  for (;;) {
    const chunk = relay.read() as Buffer | null;
    if (chunk) {
      if (chunk.length > max) relay.unshift(chunk.subarray(max));
      return chunk.subarray(0, max);
    }
    if (relay.readableEnded || relay.destroyed) return null;
    await new Promise<void>((resolve) => {
      const done = () => {
        relay.off('readable', done).off('end', done).off('close', done);
        resolve();
      };
      relay.on('readable', done).on('end', done).on('close', done);
    });
  }
}

/** A web stream of the relay's bytes. */
function webStream(relay: Readable): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      const chunk = await readSome(relay, CHUNK);
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
    cancel: () => void relay.destroy(),
  });
}

/** What `Deno.stdin` offers, over the relay: not a terminal; no synchronous read (the bytes come in frames). */
function denoStdin(relay: Readable): Record<string, unknown> {
  let readable: ReadableStream<Uint8Array> | undefined;
  return {
    read: async (p: Uint8Array) => {
      const chunk = await readSome(relay, p.length);
      if (!chunk) return null;
      p.set(chunk);
      return chunk.length;
    },
    readSync: () => {
      throw new Error('Deno.stdin.readSync() is not available in a notebook kernel (its bytes come from the kernel): use await Deno.stdin.read()');
    },
    get readable() {
      return (readable ??= webStream(relay));
    },
    close: () => void relay.destroy(),
    isTerminal: () => false,
    setRaw: () => {
      throw new Error('stdin is not a terminal in a notebook kernel');
    },
    [Symbol.dispose]: () => void relay.destroy(),
  };
}

/** What `Bun.stdin` offers (a file whose bytes are read once), over the relay. */
class RelayedFile {
  readonly type = '';
  constructor(private readonly relay: Readable) {}

  async bytes(): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for (let c = await readSome(this.relay, CHUNK); c; c = await readSome(this.relay, CHUNK)) chunks.push(c);
    // copied out of Buffer's shared pool: the array owns its whole ArrayBuffer (arrayBuffer() hands it over)
    return new Uint8Array(Buffer.concat(chunks));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return (await this.bytes()).buffer as ArrayBuffer;
  }

  async text(): Promise<string> {
    return new TextDecoder().decode(await this.bytes());
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }

  stream(): ReadableStream<Uint8Array> {
    return webStream(this.relay);
  }
}
