/**
 * What every runtime (Node in-process, Deno/Bun sidecars, the isolated-vm sandbox) offers the worker's
 * dispatcher (worker/main.ts). The dispatcher owns the IPC channel; a runtime only sees these calls.
 */
import type {
  CheckpointSpec,
  DebugOpenResult,
  ExecuteParams,
  ExecuteResult,
  ExpandParams,
  InitParams,
  PendingWorkResult,
  PropertyPage,
  RuntimeKind,
  VariablesResult,
  WorkerEventName,
  WorkerEvents,
} from '../../protocol';

/** How a runtime reports events (console batches, background errors, line values...) to the host. */
export interface RuntimeHost {
  emit<E extends WorkerEventName>(event: E, body: WorkerEvents[E]): void;
}

export interface Runtime {
  readonly kind: RuntimeKind;
  /** e.g. 'node v24.21.0', 'deno 2.9.6'. */
  readonly version: string;
  execute(params: ExecuteParams): Promise<ExecuteResult>;
  expand(params: ExpandParams): Promise<PropertyPage>;
  /** Drops a cell's handles; returns how many were released. */
  release(cellId: string): number;
  /**
   * Stops the running cell. Called on the main thread when it is free; for code that blocks the main
   * thread the watchdog thread terminates execution first and this runs right after.
   */
  interrupt(): void;
  /** I/O started by cells and still pending (HostRequests.activeWork); timers are not included. */
  activeWork(): Promise<string[]> | string[];
  /** The exit code the cells set for the process, if any (HostRequests.exitCode). */
  exitCode(): Promise<number | undefined> | number | undefined;
  /** The cells' top-level bindings, previewed with handles (HostRequests.variables); no getter runs. */
  variables(): Promise<VariablesResult> | VariablesResult;
  /** The cells' pending background work, one item each (HostRequests.pendingWork). */
  pendingWork(): Promise<PendingWorkResult> | PendingWorkResult;
  /** Stops one item of pending work; false if it already ended. */
  cancelWork(id: string): Promise<boolean> | boolean;
  dispose(): Promise<void>;
  /** Debug Cell and checkpoints (protocol/debugging.ts); absent where the runtime has none (DebugUnsupported). */
  readonly debug?: RuntimeDebug;
}

/** Node answers in its own process; the Deno sidecar's worker serves the socket and asks the agent for the rest. */
export interface RuntimeDebug {
  open(): DebugOpenResult | Promise<DebugOpenResult>;
  close(): void | Promise<void>;
  setCheckpoints(uri: string, checkpoints: CheckpointSpec[]): number | Promise<number>;
}

export type RuntimeFactory = (init: InitParams, host: RuntimeHost) => Promise<Runtime>;
