/**
 * Notebook output MIME types CodaJS writes, and the messages between renderers (webview) and the extension.
 * Every output item also carries a `text/plain` sibling so saved notebooks read well anywhere.
 */
import type { ConsoleEntry } from './console';
import type { SerializedError } from './errors';
import type { PropertyPage, RemoteValue } from './values';

export const MIME_CONSOLE = 'application/vnd.codajs.console+json';
export const MIME_VALUE = 'application/vnd.codajs.value+json';
export const MIME_ERROR = 'application/vnd.codajs.error+json';
/**
 * The output metadata key of a display shown with a display id (protocol/messages.ts DisplayEvent): kept when the
 * notebook is saved, and exported to .ipynb as `metadata.codajs.displayId` (nbformat's schema has no room for Jupyter's
 * own `transient.display_id`, which frontends never save).
 */
export const DISPLAY_ID_KEY = 'displayId';

/** Renderer id as contributed in package.json (`notebookRenderer[].id`). */
export const RENDERER_ID = 'codajs-renderer';

export interface ConsoleOutput {
  /** Entries in call order. The extension caps what it stores (see `omitted`). */
  entries: ConsoleEntry[];
  /** Entries dropped from the middle of a flood, so the output stays small (first and last ones kept). */
  omitted?: number;
}

export interface ValueOutput {
  value: RemoteValue;
}

/**
 * The heading above an error a cell's work threw after the cell ended, in `coda run` and in the notebook's output:
 * its background work's, or (`rejected`) the rejection of the promise the cell returned.
 */
export function uncaughtHeading(cellLabel: string | undefined, rejected = false): string {
  if (cellLabel === undefined) return 'Uncaught in background work';
  return rejected ? `Uncaught in the promise cell ${cellLabel} returned` : `Uncaught in background work of cell ${cellLabel}`;
}

export interface ErrorOutput {
  error: SerializedError;
  /** Cell label for the header, e.g. `[3]`. */
  cellLabel?: string;
  /** True when the error came from the cell's background work after it finished. */
  background?: boolean;
  /** With `background`: the error is the rejection of the promise the cell returned. */
  rejected?: boolean;
  /** True when the user interrupted the cell. */
  interrupted?: boolean;
}

// ---- renderer <-> extension messages (RendererContext.postMessage / NotebookRendererMessaging) ----------

export type RendererToHost =
  /** Expand a handle; the host answers with `expandResult` carrying the same `requestId`. */
  | { type: 'expand'; requestId: number; kernelId: string; handleId: number; start: number; count: number }
  /** Reveal a cell line (a clicked stack frame). */
  | { type: 'revealFrame'; cellId?: string; file?: string; line: number; column: number }
  /** Ask the host for every console entry of an output whose middle was omitted. */
  | { type: 'showAll'; requestId: number; outputId: string };

export type HostToRenderer =
  | { type: 'expandResult'; requestId: number; page?: PropertyPage; error?: string; stale?: boolean }
  | { type: 'showAllResult'; requestId: number; entries?: ConsoleEntry[]; error?: string };
