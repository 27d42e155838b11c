/**
 * Debugging in a NodeRuntime (Runtime.debug): each cell script's source map to its document, checkpoints, and — in
 * Node's own process — the inspector socket for Debug Cell and Debug Scratch. In the Deno agent the same class maps
 * the scripts and keeps the checkpoints, while the worker serves the socket (worker/sidecar/DenoDebug.ts), so the
 * agent is built without one.
 */
import { isAbsolute } from 'node:path';
import { codaErrorObject, type CellSource, type CheckpointHits, type CheckpointSpec, type DebugOpenResult, type Masker } from '../../protocol';
import type { RuntimeDebug } from '../runtime/Runtime';
import { sourceMapComment } from './cellSourceMap';
import { Checkpoints } from './Checkpoints';
import type { DebugInspector } from './DebugInspector';
import type { SessionSource } from './inspectorSession';

export interface NodeDebugOptions {
  emit: (checkpoints: CheckpointHits[]) => void;
  mask: Masker;
  /** The in-process session checkpoints use. */
  session: SessionSource;
  /** The socket Debug Cell attaches to, where this process opens it (Node). */
  socket?: DebugInspector;
}

export class NodeDebug implements RuntimeDebug {
  private readonly checkpoints: Checkpoints;
  private readonly socket: DebugInspector | undefined;

  constructor({ emit, mask, session, socket }: NodeDebugOptions) {
    this.checkpoints = new Checkpoints(emit, mask, session);
    this.socket = socket;
  }

  /** The script to run for a cell whose document is known: mapped to it, with the document's checkpoints set. */
  prepare(source: CellSource, url: string, code: string, cellCode: string, prologueLength: number): string {
    const lineCount = cellCode.split('\n').length;
    this.checkpoints.scriptAdded(source, url, lineCount, prologueLength);
    // a file on disk is read from there (and the debugger opens that file); a notebook cell travels with its code
    const content = isAbsolute(source.uri) ? undefined : cellCode;
    return code + sourceMapComment({ source, lineCount, prologueLength, content });
  }

  open(): DebugOpenResult {
    if (!this.socket) throw codaErrorObject('DebugOpenFailed', { detail: 'this process does not serve the debugger socket' });
    return this.socket.open();
  }

  close(): Promise<void> {
    return this.socket?.close() ?? Promise.resolve();
  }

  setCheckpoints(uri: string, checkpoints: CheckpointSpec[]): number {
    return this.checkpoints.set(uri, checkpoints);
  }

  dispose(): void {
    this.checkpoints.dispose();
    void this.socket?.close();
  }
}
