/**
 * Debugging a kernel (HostRequests `debugOpen`, `debugClose`, `setCheckpoints`; WorkerEvents `checkpointHits`):
 * the inspector socket VS Code's JavaScript debugger attaches to, where a cell's source is (so breakpoints and
 * stack frames land in the cell's document), and checkpoints: lines whose value is recorded each time execution
 * passes them, without pausing.
 */

/** Where a cell's code lives in the editor, so the kernel can give its script a source map to that document. */
export interface CellSource {
  /** The document's URI as VS Code sends it to a debug adapter: a cell's `vscode-notebook-cell:` URI or a file path. */
  uri: string;
  /** 0-based line of the document where the cell's first line is (a `// %%` scratch cell further down its file). */
  lineOffset?: number;
}

export interface DebugOpenResult {
  /** The inspector's WebSocket URL on 127.0.0.1, with its random path: what a `pwa-node` attach takes. */
  webSocketUrl: string;
}

/** One checkpoint: a line of a cell's document, and the expression recorded when execution passes it. */
export interface CheckpointSpec {
  /** Stable while the checkpoint lives (the host's choice); hits carry it. */
  id: string;
  /** 0-based line in the document (the CellSource uri). */
  line: number;
  /** Evaluated in the paused frame; its value is recorded. */
  expression: string;
  /** Evaluate at the start of the next line (the value after an assignment on `line`). */
  after?: boolean;
}

export interface SetCheckpointsParams {
  /** The document (CellSource.uri) whose checkpoints these are: they replace the ones set before for it. */
  uri: string;
  checkpoints: CheckpointSpec[];
}

/** The latest hits of one checkpoint. */
export interface CheckpointHits {
  id: string;
  uri: string;
  line: number;
  /** How many times execution passed the line since the checkpoint was set. */
  count: number;
  /** The last hits, oldest first (at most CHECKPOINT_HISTORY). */
  recent: CheckpointHit[];
}

export interface CheckpointHit {
  /** The value, as one bounded line of text (masked). */
  text: string;
  /** ms since the epoch. */
  at: number;
  /** The expression threw. */
  error?: boolean;
}

/** How many hits of each checkpoint the kernel keeps (and the host shows). */
export const CHECKPOINT_HISTORY = 20;
/** The kernel sends checkpoint hits at most this often. */
export const CHECKPOINT_EVENT_MS = 100;
