/**
 * The host-side view of one running kernel (a worker process). Used by the VS Code extension and the
 * headless runner alike; implemented by KernelProcess. No vscode imports here.
 */
import type { ChildProcess } from 'node:child_process';
import type { WorkerFork } from './forkWorker';
import type {
  DebugOpenResult,
  ExecuteParams,
  ExecuteResult,
  ExpandParams,
  InitParams,
  InitResult,
  PendingWorkResult,
  PropertyPage,
  SetCheckpointsParams,
  VariablesResult,
  WorkerEventName,
  KernelEvents,
} from '../../protocol';

/** Why a kernel process ended, in words a user understands. */
export interface KernelExit {
  code: number | null;
  signal: string | null;
  /** e.g. 'ran out of memory (heap limit 4096 MB)', 'ended: process.exit(1) was called by cell [3]', 'was restarted'. */
  reason: string;
  /** True when the host asked for it (dispose/restart), false for a crash or user code exiting. */
  expected: boolean;
  /** The cell that was running or that called process.exit, when known. */
  cellId?: string;
}

export interface KernelStartOptions {
  init: InitParams;
  /** Absolute path of dist/worker.js. */
  workerPath: string;
  /** A real Node binary (never Electron's). Resolved by findNode() when omitted. */
  nodePath?: string;
  /** Extra flags for the worker's Node (e.g. '--max-old-space-size=4096'). */
  execArgv?: string[];
  /** Diagnostics sink (extension: LogOutputChannel; CLI: stderr when --verbose). */
  log?: (level: 'trace' | 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  /**
   * A worker process already forked with exactly this launch (forkWorker.ts sameFork), to use instead of forking one;
   * undefined: fork. `coda run` forks its first kernel's worker while it prepares the notebook (cli/earlyWorker.ts).
   */
  adopt?: (launch: WorkerFork) => ChildProcess | undefined;
  /** False: the worker reads no code cache and none is built for it (workerCodeCache.ts); the bench's "without" figure. */
  codeCache?: false;
  /**
   * 'inherit': the kernel reads this process's stdin (`cat data.csv | coda run nb.coda`, as `node script.js` would);
   * absent: its stdin has ended (the editor's kernels).
   */
  stdin?: 'inherit';
}

export interface Kernel {
  readonly info: InitResult;
  /** False once the process has exited (for any reason). */
  readonly alive: boolean;
  /** Rejects with a RequestError naming `execute` and the exit reason if the kernel dies meanwhile. */
  execute(params: ExecuteParams): Promise<ExecuteResult>;
  expand(params: ExpandParams): Promise<PropertyPage>;
  release(cellId: string): Promise<void>;
  /** I/O the cells started that is still pending (empty when the kernel is gone); timers come as cellWork events. */
  activeWork(): Promise<string[]>;
  /** The exit code the cells set for the process (`process.exitCode`), if any; undefined once the kernel is gone. */
  exitCode(): Promise<number | undefined>;
  /** The cells' top-level bindings (the Variables view); the previous answer's handles are released. */
  variables(): Promise<VariablesResult>;
  /** The cells' pending background work, one item each (the Pending Work view); empty when the kernel is gone. */
  pendingWork(): Promise<PendingWorkResult>;
  /** Stops one item of pending work without restarting the kernel; false if it already ended. */
  cancelWork(id: string): Promise<boolean>;
  /** Stops the running cell (also a synchronous infinite loop) without losing the kernel's state. */
  interrupt(): void;
  /** Opens the kernel's inspector for a debug session (protocol/debugging.ts); DebugUnsupported on Bun and the Sandbox. */
  debugOpen(): Promise<DebugOpenResult>;
  /** Closes it again; the kernel keeps its state. */
  debugClose(): Promise<void>;
  /** Replaces a document's checkpoints; how many are set (0 when the kernel is gone). */
  setCheckpoints(params: SetCheckpointsParams): Promise<number>;
  onEvent<E extends WorkerEventName>(event: E, listener: (body: KernelEvents[E]) => void): () => void;
  /** Fires once when the process ends. */
  onExit(listener: (exit: KernelExit) => void): () => void;
  /** Kills the process (and everything it started). Idempotent. */
  dispose(): Promise<void>;
}
