/**
 * The latest hits of every checkpoint the editor shows (decorations at the end of the line, the Checkpoints view),
 * by document (its CellSource uri) and checkpoint id. Bounded by the checkpoints set: the kernel sends at most
 * CHECKPOINT_HISTORY hits of each, and a checkpoint removed from its document is forgotten.
 */
import type { CheckpointHits } from '../../protocol';

export class CheckpointStore {
  private readonly byUri = new Map<string, Map<string, CheckpointHits>>();

  /** Hits from a kernel's `checkpointHits` event. */
  update(hits: readonly CheckpointHits[]): void {
    for (const h of hits) {
      let doc = this.byUri.get(h.uri);
      if (!doc) this.byUri.set(h.uri, (doc = new Map()));
      doc.set(h.id, h);
    }
  }

  /** A document's checkpoints are now `ids` (their lines' markers): the others' hits go. */
  retain(uri: string, ids: readonly string[]): void {
    const doc = this.byUri.get(uri);
    if (!doc) return;
    for (const id of [...doc.keys()]) if (!ids.includes(id)) doc.delete(id);
    if (doc.size === 0) this.byUri.delete(uri);
  }

  /** Every hit of a kernel that is gone (or restarted) is stale: forget the document's. */
  forget(uri: string): void {
    this.byUri.delete(uri);
  }

  forUri(uri: string): CheckpointHits[] {
    return [...(this.byUri.get(uri)?.values() ?? [])].sort((a, b) => a.line - b.line);
  }

  all(): CheckpointHits[] {
    return [...this.byUri.keys()].flatMap((uri) => this.forUri(uri));
  }
}
