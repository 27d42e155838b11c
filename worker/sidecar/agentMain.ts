/**
 * The sidecar agent (dist/sidecar-agent.mjs): runs inside Deno or Bun, hosts a NodeRuntime there and speaks the
 * worker's frames (agentFrames.ts): requests as JSON lines on stdin, replies and events on stdout behind
 * FRAME_MARKER. It exits when stdin closes, so it never outlives the worker that started it.
 */
import { agentFile } from './agentGlobals';
import { writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROTOCOL_VERSION, toSerializedError, type InitResult } from '../../protocol';
import { NodeRuntime } from '../node/NodeRuntime';
import { createDispatcher, intrinsicThen } from '../runtime/createDispatcher';
import type { RuntimeHost } from '../runtime/Runtime';
import { encodeFrame, OWN_NODE_PATH, type AgentInitParams, type FromAgentFrame, type ToAgentFrame } from '../../protocol/sidecar';
import { agentSyncPart } from './agentSyncPart';
import { createSidecarModules, type SidecarKind } from './sidecarModules';
import { importUrl } from './importUrl';
import { takeStdin } from './takeStdin';
import { withoutToJSON } from '../runtime/withoutToJSON';
import { agentInspectorSession } from './agentInspectorSession';
import { ignoreTerminalInterrupt } from '../runtime/ignoreTerminalInterrupt';

const proc = process;
// the cells' own NODE_PATH: Bun started with the store's folders added to it (sidecarCommand.ts), and has read them
// (only Bun: Deno may not be allowed to read the environment at all)
const ownNodePath = 'Bun' in globalThis ? proc.env[OWN_NODE_PATH] : undefined;
if (ownNodePath !== undefined) {
  if (ownNodePath) proc.env.NODE_PATH = ownNodePath;
  else delete proc.env.NODE_PATH;
  delete proc.env[OWN_NODE_PATH];
}
const realExit = process.exit.bind(process);
const realSetTimeout = setTimeout;
/** Taken before any cell runs: a cell that replaced the global would stop every later cell from starting. */
const RealMessageChannel = MessageChannel;
/** Frame prefixes of the runtimes' own code, dropped from mapped stacks (Bun names its builtins `native:7:39`, its
 * node: modules `internal:streams/readable:267:47`; a user's file is an absolute path or a URL, never these). */
const RUNTIME_INTERNALS = ['ext:', 'native', 'internal:', 'bun:', 'deno:'];
/** Deno applies the bundle's source map: frames then name the sources (worker/, protocol/) next to dist/. */
const SOURCE_FOLDERS = ['worker', 'protocol'].map((f) => join(dirname(dirname(agentFile)), f) + '/');
const agentInternals = [agentFile, ...SOURCE_FOLDERS].flatMap((p) => [p, pathToFileURL(p).href]);

/**
 * Blocks this thread for `ms` (fractions too) without using the CPU; a no-op where Atomics.wait is refused. Taken
 * before any cell runs, as the timers above: a cell may replace the global.
 */
const pause = (() => {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const wait = Atomics.wait.bind(Atomics);
  return (ms: number) => {
    try {
      wait(cell, 0, 0, ms);
    } catch {
      // (no blocking wait here: the write is tried again at once)
    }
  };
})();
/** The first wait for the worker to drain stdout, doubled while it stays full, up to MAX_DRAIN_WAIT_MS. */
const FIRST_DRAIN_WAIT_MS = 0.1;
const MAX_DRAIN_WAIT_MS = 1;

function write(frame: FromAgentFrame): void {
  const bytes = Buffer.from(withoutToJSON(frame, () => encodeFrame(frame, true)));
  let wait = FIRST_DRAIN_WAIT_MS;
  for (let done = 0; done < bytes.length;) {
    try {
      done += writeSync(1, bytes, done);
      wait = FIRST_DRAIN_WAIT_MS;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EAGAIN') throw err;
      // the pipe is full (the runtime keeps stdout non-blocking): trying again at once spun a core that the worker
      // reading the pipe, and the host after it, needed (a cell logging 100k lines on Bun: ~220 ms of CPU)
      pause(wait);
      wait = Math.min(wait * 2, MAX_DRAIN_WAIT_MS);
    }
  }
}

const host: RuntimeHost = { emit: (event, body) => write({ kind: 'event', event, body } as FromAgentFrame) };

let runtime: NodeRuntime | undefined;

/** Deno's global MessageChannel is the web one (Node's types describe worker_threads ports). */
interface WebMessagePort {
  onmessage: (() => void) | null;
  postMessage(value: unknown): void;
  close(): void;
}

/** A cell's own macrotask runs now (onOwnMacrotask): a termination there cuts only the cell. */
let ownTurn = false;

/**
 * A cell's own macrotask on Deno: a MessagePort callback, which Deno survives when the inspector terminates the
 * JavaScript in it (a terminated timer or setImmediate callback ends the Deno process: "error: Uncaught null").
 */
function onOwnMacrotask(start: () => void): void {
  // Deno's MessagePort stops delivering once a cell plants a `then` on Object.prototype (Deno's own code adopts it
  // when a message arrives), so then the cell starts from a timer: it runs, though an interrupt that must terminate
  // a synchronous loop there may end the Deno process (the kernel then says so and the next run starts fresh)
  if (Reflect.has(Object.prototype, 'then')) {
    realSetTimeout(start, 0);
    return;
  }
  const { port1, port2 } = new RealMessageChannel() as unknown as { port1: WebMessagePort; port2: WebMessagePort };
  port1.onmessage = () => {
    port1.close();
    ownTurn = true;
    try {
      start();
    } finally {
      ownTurn = false;
    }
  };
  port2.postMessage(null);
}

function runtimeVersion(kind: SidecarKind): string {
  const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  return kind === 'deno' ? `deno ${g.Deno?.version.deno ?? '?'}` : `bun ${g.Bun?.version ?? '?'}`;
}

function init(params: AgentInitParams): InitResult {
  if (params.runtime !== 'deno' && params.runtime !== 'bun') throw new Error(`the sidecar agent runs Deno or Bun kernels, not '${params.runtime}'`);
  const kind = params.runtime;
  // before any cell or plugin runs: the session checkpoints use, and `sys` given up where permissions are declared
  const debugSession = kind === 'deno' ? agentInspectorSession(!!params.permissions) : undefined;
  runtime = new NodeRuntime(params, host, undefined, {
    kind,
    version: runtimeVersion(kind),
    internalFiles: [...agentInternals, ...RUNTIME_INTERNALS],
    modules: createSidecarModules(kind, importUrl),
    chdir: false,
    schedule: kind === 'deno' ? onOwnMacrotask : undefined,
    debugSession,
    syncPart: kind === 'deno' && params.syncClaims ? agentSyncPart(params.syncClaims, () => ownTurn, write) : undefined,
  });
  return { protocolVersion: PROTOCOL_VERSION, kernelId: runtime.kernelId, runtime: kind, runtimeVersion: runtime.version, pid: proc.pid };
}

const handle = createDispatcher({ init, runtime: () => runtime, exit: () => realSetTimeout(() => realExit(0), 10) });

function receive(frame: ToAgentFrame): void {
  if (frame.kind === 'stdin') {
    stdin.receive(frame);
    return;
  }
  if (frame.kind === 'interrupt') {
    runtime?.interrupt();
    write({ kind: 'interrupted', n: frame.n });
    return;
  }
  // never through a `then` a cell may have replaced (see createDispatcher)
  Reflect.apply(intrinsicThen, handle(frame), [
    (result) => write({ kind: 'response', id: frame.id, ok: true, result }),
    (err: unknown) => write({ kind: 'response', id: frame.id, ok: false, error: toSerializedError(err) }),
  ]);
}

let pending = '';
// a Ctrl-C meant for `coda run` reaches this process too: the worker passes interrupts on through stdin
ignoreTerminalInterrupt(proc);
// the frames' channel is the agent's alone: cells read the worker's stdin, relayed (takeStdin.ts)
const stdin = takeStdin(proc, (flowing) => write({ kind: 'stdinFlow', flowing }));
const input = stdin.input;
input.setEncoding('utf8');
input.on('data', (chunk: string) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    if (!line.trim()) continue;
    let frame: ToAgentFrame;
    try {
      frame = JSON.parse(line) as ToAgentFrame;
    } catch (err) {
      // never the frame itself: an init frame carries the secrets, and a cut piece of one could not be masked
      host.emit('log', { level: 'error', message: `unreadable frame from the worker (${line.length} characters): ${(err as Error).name}` });
      continue;
    }
    receive(frame);
  }
});
// the worker is gone: never outlive it
input.on('end', () => realExit(0));
input.on('close', () => realExit(0));
