/**
 * The frames between the worker (SidecarRuntime) and the agent inside Deno or Bun (worker/sidecar/agentMain.ts): the host↔worker
 * frames of protocol/messages.ts as JSON lines, plus the interrupt request and its acknowledgement (interrupts
 * travel on the worker's control pipe, so they have no HostRequests entry). The agent writes each frame to stdout
 * behind FRAME_MARKER; every other byte the sidecar prints is user output.
 */
import type { InitParams, RequestFrame, WorkerFrame } from './messages';

/** Starts every frame the agent writes; user output cannot plausibly contain it. */
export const FRAME_MARKER = '\u0000CODA\u0001';

/** Worker → agent: stop the running cell. */
export interface InterruptFrame {
  kind: 'interrupt';
  n: number;
}

/** Agent → worker: interrupt `n` was taken (the agent's event loop was free to read it). */
export interface InterruptedFrame {
  kind: 'interrupted';
  n: number;
}

/**
 * Agent → worker (Deno): execution `executionId`'s synchronous part starts now, in the agent's own macrotask, where a
 * termination only cuts the cell. From here the worker may claim it (worker/sidecar/SyncClaims.ts) and terminate it.
 */
export interface SyncPartFrame {
  kind: 'sync';
  executionId: number;
}

/**
 * Worker → agent: bytes of the worker's own stdin (`data`, base64), for the cells' stdin, or its end. Sent only while
 * the agent wants them (StdinFlowFrame). The worker's stdin is `coda run`'s (`cat data | coda run nb.coda`), or has
 * ended (the editor's kernels): the cells of a Deno or Bun kernel read it as a Node kernel's cells read theirs.
 */
export interface StdinFrame {
  kind: 'stdin';
  data?: string;
  end?: true;
}

/** Agent → worker: a cell reads stdin and wants more bytes (`flowing`), or has enough buffered for now. */
export interface StdinFlowFrame {
  kind: 'stdinFlow';
  flowing: boolean;
}

/** The init request the worker sends its agent: the host's, and what only the worker arranges. */
export interface AgentInitParams extends InitParams {
  /** Deno without declared permissions: the folder of the claims on cells' synchronous parts (SyncClaims.ts). */
  syncClaims?: string;
}

export type ToAgentFrame = RequestFrame | InterruptFrame | StdinFrame;
export type FromAgentFrame = WorkerFrame | InterruptedFrame | SyncPartFrame | StdinFlowFrame;

export function encodeFrame(frame: ToAgentFrame | FromAgentFrame, marked: boolean): string {
  return `${marked ? FRAME_MARKER : ''}${JSON.stringify(frame)}\n`;
}

/** The variable that carries the cells' own NODE_PATH while Bun starts with the store's folders added (sidecarCommand.ts; the agent restores it). */
export const OWN_NODE_PATH = 'CODA_OWN_NODE_PATH';
