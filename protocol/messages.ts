/**
 * The contract between a host (the VS Code extension or the headless runner) and a kernel worker.
 * One map per direction: requests the host sends (each with its reply type) and events the worker sends.
 * Transport: Node IPC over child_process.fork (JSON serialization). Interrupts also travel on a
 * dedicated control pipe (fd 4), read by a watchdog thread where cells run in the worker itself, so they
 * arrive while user code blocks the worker's main thread (see CONTROL_FD), and by the main thread for Deno
 * and Bun, whose cells run in their own process.
 */
import type { ConsoleEntry, PackedConsole } from './console';
import type { CellSource, CheckpointHits, DebugOpenResult, SetCheckpointsParams } from './debugging';
import type { PendingWorkResult, VariablesResult } from './inspection';
import type { ScriptPlace, SerializedError } from './errors';
import type { Permissions } from './permissions';
import type { DisplayData, PropertyPage, RemoteValue } from './values';
import type { CodeCacheStatus } from './workerCodeCache';

/** Whose rejection an uncaught error is (WorkerEvents.uncaught.from): the promise a cell returned, or a scratch line's. */
export type UncaughtFrom = 'result' | 'line';

/** A runtime's id (protocol/runtimes.ts describes each; files written before 0.2 may say "isolate" for the sandbox). */
export type RuntimeKind = 'node' | 'deno' | 'bun' | 'sandbox';
export type CellLanguage = 'javascript' | 'typescript';

/** Bump when a message shape changes incompatibly; the host refuses a worker with another version. */
export const PROTOCOL_VERSION = 1;

/** The extra stdio slot the host opens for interrupts: `fork(..., { stdio: [..., 'ipc', 'pipe'] })` gives fd 4. */
export const CONTROL_FD = 4;
/**
 * What the host writes on the control pipe: `i<executionId>;` interrupts that execution — the running one, or one
 * whose execute request this overtook (it then never starts); a stale one (already finished) is ignored. `a` (no
 * execution in flight) stops the background work (timers) of every cell. A lone `;` means nothing: the host writes one
 * as the kernel starts, so the watchdog's first read of the pipe is not the first interrupt's.
 */
export const CONTROL_INTERRUPT = 'i';
export const CONTROL_END = ';';
export const CONTROL_STOP_ALL = 'a';
/**
 * Prefix of the line a worker writes synchronously to stderr when it ends on its own (user code called
 * process.exit(), the sandbox or a sidecar died), followed by an ExitNotice as JSON (IPC messages queued at exit
 * time would be lost).
 */
export const EXIT_NOTICE = '\u0000CODA_EXIT ';

/** Why a worker ends on its own: the `exiting` event, and the stderr line after EXIT_NOTICE (with the console not sent yet). */
export interface ExitNotice {
  code: number;
  /** In a user's words, e.g. 'process.exit(1) was called', 'stopped: the sandbox ran out of memory (limit 128 MB)'. */
  reason: string;
  /** The cell that called process.exit or was running, when known. */
  cellId?: string;
  /** Console entries not sent yet (only on the stderr line). */
  console?: ConsoleEntry[];
}

/**
 * The decorators cells run (common/node/tsconfigDecorators.ts): the standard ones, or TypeScript's older
 * `experimentalDecorators` (`metadata`: with `emitDecoratorMetadata`) that the tsconfig.json nearest the notebook asks for;
 * and how a TypeScript cell's class fields get their values, as that tsconfig.json compiles them (`assignFields`:
 * `useDefineForClassFields: false`, said or implied by a `target` before ES2022; worker/transform/classFields.ts).
 */
export type DecoratorMode = (
  | { kind: 'standard' }
  /** `strictNullChecks` (or `strict`): `string | null` records Object, as TypeScript then writes it. */
  | { kind: 'legacy'; metadata: boolean; strictNullChecks: boolean; tsconfig: string }
) & { assignFields?: true };

export interface InitParams {
  /** Folder that relative paths, `require` and `import` of packages resolve from (the notebook's folder). */
  cwd: string;
  /** Absolute path of the notebook or scratch file, for messages and stack traces. */
  documentPath: string;
  runtime: RuntimeKind;
  /**
   * The kernel's id in the handles of the values it sends, chosen by the host (KernelProcess) so that the worker needs
   * no random source to start (`node:crypto` costs a Node kernel 4–5 ms); a worker given none makes its own.
   */
  kernelId?: string;
  /** Extra environment variables for user code (e.g. secrets); values are masked in every output. */
  env?: Record<string, string>;
  /** The decorators cells run; KernelProcess reads them from the tsconfig.json nearest the notebook when not given. */
  decorators?: DecoratorMode;
  /** Strings that must never appear in any output (secret values); replaced by `••••••`. */
  maskedValues?: string[];
  /** Extra `node_modules` folders that bare specifiers resolve from after `cwd` (the dependency store). */
  modulePaths?: string[];
  /**
   * Capabilities granted to user code (protocol/permissions.ts). Undefined: unrestricted (the notebook declares
   * none); the sandbox runtime treats undefined as "nothing granted".
   */
  permissions?: Permissions;
  /**
   * The host's PATH, for finding granted programs: a Node kernel with declared permissions starts with only its
   * granted variables and secrets in its environment (so /proc/self/environ holds nothing more), PATH included.
   */
  searchPath?: string;
  /** The Deno or Bun binary the worker starts as the runtime's sidecar (runtime 'deno' / 'bun'). */
  runtimePath?: string;
  /** Runtime 'sandbox': where isolated-vm is installed and the limits of the isolate. */
  sandbox?: SandboxOptions;
  /**
   * Kernel plugins to load, in hook order (protocol/plugins.ts): package names (resolved like a cell's `require`)
   * or absolute paths. Loaded before the first cell runs, under the notebook's permissions.
   */
  plugins?: string[];
}

export interface SandboxOptions {
  /** Folder that contains `isolated-vm/` (a node_modules folder); it needs Node 24 and `--no-node-snapshot`. */
  modulesDir: string;
  /** Heap limit of the isolate, in MB. */
  memoryMb: number;
  /** Wall-clock limit of one cell's synchronous run, in ms (0: none; interrupts still work). */
  cellTimeoutMs: number;
}

export interface InitResult {
  protocolVersion: number;
  kernelId: string;
  runtime: RuntimeKind;
  /** e.g. 'node v24.21.0'. */
  runtimeVersion: string;
  pid: number;
  /** What became of the worker's code cache as it started (protocol/workerCodeCache.ts); absent from older workers. */
  codeCache?: CodeCacheStatus;
}

export interface ExecuteParams {
  cellId: string;
  /** Human label used in stack traces and messages, e.g. `[3]` for the third cell or `scratch.ts`. */
  cellLabel: string;
  executionId: number;
  code: string;
  language: CellLanguage;
  /**
   * Scratch mode: report each top-level expression statement's value as a `lineValue` event and tag
   * console entries with the cell line that made the call (ConsoleEntry.line).
   */
  instrumentLines?: boolean;
  /** The cell's document: its script gets a source map to it, for the debugger and checkpoints (protocol/debugging.ts). */
  source?: CellSource;
  /** The cell is part of a script file (`coda run demo.ts`, Run Scratch): its frames name the script's lines. */
  script?: ScriptPlace;
  /**
   * A debug session is attached (set by a Deno worker for its agent, whose own inspector cannot tell): the cell runs
   * without the Pending Work hooks, which would be extra steps on every line.
   */
  underDebugger?: boolean;
}

export type ExecuteResult =
  | { status: 'ok'; value?: RemoteValue; durationMs: number }
  | { status: 'error'; error: SerializedError; durationMs: number }
  | { status: 'interrupted'; durationMs: number };

export interface ExpandParams {
  handleId: number;
  start: number;
  count: number;
}

export interface ReleaseParams {
  /** Drop every handle created by executions of this cell (its outputs were replaced). */
  cellId: string;
}

/** Requests the host sends; `result` is what the worker answers with. */
export interface HostRequests {
  init: { params: InitParams; result: InitResult };
  execute: { params: ExecuteParams; result: ExecuteResult };
  expand: { params: ExpandParams; result: PropertyPage };
  release: { params: ReleaseParams; result: { released: number } };
  /** Ask the worker to exit cleanly (the host kills it if it does not). */
  shutdown: { params: Record<string, never>; result: Record<string, never> };
  /**
   * I/O the cells started that has not finished (file reads, DNS lookups, child processes, sockets), by libuv
   * resource type; timers are reported through `cellWork`. `coda run` waits for it before it exits.
   */
  activeWork: { params: Record<string, never>; result: { resources: string[] } };
  /**
   * The exit code the cells set for the process (`process.exitCode = 1`; Deno's `Deno.exitCode`), when they set one:
   * `coda run` exits with it after its cells all ran, as a Node script does.
   */
  exitCode: { params: Record<string, never>; result: { exitCode?: number } };
  /** The cells' top-level bindings (protocol/inspection.ts); their handles replace those of the previous answer. */
  variables: { params: Record<string, never>; result: VariablesResult };
  /** The background work the cells started that is still pending, one item each. */
  pendingWork: { params: Record<string, never>; result: PendingWorkResult };
  /** Stops one item of pending work (clears a timer, closes a server, aborts a fetch); false if it was gone. */
  cancelWork: { params: { id: string }; result: { cancelled: boolean } };
  /** Opens the inspector for a debug session (Node and Deno; Bun and the Sandbox fail with DebugUnsupported). */
  debugOpen: { params: Record<string, never>; result: DebugOpenResult };
  /** Closes the inspector opened by debugOpen; the kernel's state stays. */
  debugClose: { params: Record<string, never>; result: Record<string, never> };
  /** Replaces a document's checkpoints; `set` is how many are active. */
  setCheckpoints: { params: SetCheckpointsParams; result: { set: number } };
}
export type HostRequestMethod = keyof HostRequests;

/**
 * One display output, as Jupyter's display_data / update_display_data. A `displayId` names the output so that later
 * displays replace it where it is shown, in whichever cell (a progress bar, a live chart): a display with an id adds
 * its output and shows its data in the outputs already shown with that id; an `update` only replaces those (none
 * shown: nothing happens, as in Jupyter). The ids belong to one kernel; `cellId`/`executionId` are the sender's.
 */
export interface DisplayEvent {
  cellId: string;
  executionId: number;
  data: DisplayData[];
  displayId?: string;
  update?: boolean;
}

/** Events the worker sends without being asked. */
export interface WorkerEvents {
  /**
   * A batch of console calls, in call order (batched so a 100k-line loop is a few hundred messages), packed
   * (PackedConsole); a host's Kernel gives listeners the whole entries (KernelEvents).
   */
  console: PackedConsole;
  /** Rich output from `display(...)` inside a cell (or a display API of another kernel: worker/jupyter/). */
  display: DisplayEvent;
  /**
   * A cell's background work changed: timers, intervals or pending promises it started are still
   * alive after its execution finished (`pending > 0`), or all of them are done (`pending === 0`).
   */
  cellWork: { cellId: string; executionId: number; pending: number; kinds: string[] };
  /** An error thrown from a cell's background work (timer callback, unhandled rejection) after the cell ended. */
  uncaught: {
    cellId?: string;
    executionId?: number;
    error: SerializedError;
    /** The error is the rejection of the promise the cell returned (`result`) or of a scratch line's value (`line`). */
    from?: UncaughtFrom;
  };
  /**
   * The worker is about to exit on its own (the sandbox or a Deno/Bun sidecar died): hosts treat the kernel as
   * ending at once, so the next cell waits for it and gets a fresh one (host/run/KernelSlot.ts, runNotebook.ts).
   */
  exiting: Omit<ExitNotice, 'console'>;
  /**
   * A cell's result was a promise, pending when the cell ended, and it has settled: `value` is the result again
   * (`Promise { 42 }`, `Promise { <rejected> Error: … }`), shown where the pending one was. A rejection is also the
   * cell's `uncaught` error.
   */
  resultSettled: { cellId: string; executionId: number; value: RemoteValue };
  /**
   * Scratch mode: the value of the top-level expression statement that ends on `line` (1-based, in the cell). A
   * promise pending then has a `promiseId`: the `lineSettled` event with that id shows it again once it settles, and
   * its rejection is also the cell's `uncaught` error (as for a cell's result, as Node's REPL treats each line).
   */
  lineValue: { cellId: string; executionId: number; line: number; value: RemoteValue; promiseId?: number };
  /** A line's pending promise (lineValue.promiseId) has settled: `value` replaces the pending one where it is shown. */
  lineSettled: { cellId: string; executionId: number; promiseId: number; value: RemoteValue };
  /** Checkpoints passed since the last event (at most one event per CHECKPOINT_EVENT_MS). */
  checkpointHits: { checkpoints: CheckpointHits[] };
  /** Diagnostics for the host's log (never shown in a cell). */
  log: { level: 'trace' | 'debug' | 'info' | 'warn' | 'error'; message: string };
  /**
   * The worker's last frame on a `shutdown` (or when its host is gone): its exit has run, a cell's 'exit' listeners
   * included, and it is killing its own process now, so none of its code runs any more. A host disposing the kernel
   * need not wait for the system to tear the process down (5–6 ms for a Node kernel: KernelProcess.dispose).
   */
  final: Record<string, never>;
}
export type WorkerEventName = keyof WorkerEvents;

/** The worker's events as a host's Kernel gives them to its listeners: console batches unpacked. */
export type KernelEvents = Omit<WorkerEvents, 'console'> & { console: { entries: ConsoleEntry[] } };

// ---- wire frames -------------------------------------------------------------------------------

export type RequestFrame = {
  [M in HostRequestMethod]: { kind: 'request'; id: number; method: M; params: HostRequests[M]['params'] };
}[HostRequestMethod];

export type ResponseFrame = { kind: 'response'; id: number; ok: true; result: unknown } | { kind: 'response'; id: number; ok: false; error: SerializedError };

export type EventFrame = {
  [E in WorkerEventName]: { kind: 'event'; event: E; body: WorkerEvents[E] };
}[WorkerEventName];

/** Everything a worker sends. */
export type WorkerFrame = ResponseFrame | EventFrame;
/** Everything a host sends. */
export type HostFrame = RequestFrame;
