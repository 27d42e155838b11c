/**
 * Debugging in the Node kernel (Runtime.debug): the inspector socket for Debug Cell and Debug Scratch, each cell
 * script's source map to its document, and checkpoints.
 */
import { isAbsolute } from 'node:path';
import type { CellSource, CheckpointHits, CheckpointSpec, DebugOpenResult, Masker } from '../../protocol';
import type { RuntimeDebug } from '../runtime/Runtime';
import { sourceMapComment } from './cellSourceMap';
import { Checkpoints } from './Checkpoints';
import { DebugInspector } from './DebugInspector';

export class NodeDebug implements RuntimeDebug {
  private readonly inspector = new DebugInspector();
  private readonly checkpoints: Checkpoints;

  constructor(emit: (checkpoints: CheckpointHits[]) => void, mask: Masker) {
    this.checkpoints = new Checkpoints(emit, mask);
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
    return this.inspector.open();
  }

  close(): void {
    this.inspector.close();
  }

  setCheckpoints(uri: string, checkpoints: CheckpointSpec[]): number {
    return this.checkpoints.set(uri, checkpoints);
  }

  dispose(): void {
    this.checkpoints.dispose();
    this.inspector.close();
  }
}
