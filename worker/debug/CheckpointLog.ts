/**
 * Checkpoint bookkeeping: per checkpoint a hit count and the last CHECKPOINT_HISTORY hits, and which checkpoints
 * changed since the host last heard. Memory is bounded: CHECKPOINT_HISTORY hits of at most CHECKPOINT_TEXT_CHARS
 * characters each, per checkpoint that is set.
 */
import { CHECKPOINT_HISTORY, type CheckpointHit, type CheckpointHits, type CheckpointSpec } from '../../protocol';

/** A hit's value is kept as one line of text, cut to this length. */
export const CHECKPOINT_TEXT_CHARS = 200;

interface Entry {
  uri: string;
  spec: CheckpointSpec;
  count: number;
  /** A ring: `next` is where the next hit goes once it is full. */
  ring: CheckpointHit[];
  next: number;
}

export class CheckpointLog {
  private readonly entries = new Map<string, Entry>();
  private readonly changed = new Set<string>();

  /** Replaces a document's checkpoints; one kept with the same id, line and expression keeps its hits. */
  set(uri: string, specs: CheckpointSpec[]): void {
    for (const [id, entry] of this.entries) if (entry.uri === uri && !specs.some((s) => s.id === id)) this.delete(id);
    for (const spec of specs) {
      const old = this.entries.get(spec.id);
      if (old && old.uri === uri && old.spec.line === spec.line && old.spec.expression === spec.expression) continue;
      this.entries.set(spec.id, { uri, spec, count: 0, ring: [], next: 0 });
    }
  }

  get(id: string): CheckpointSpec | undefined {
    return this.entries.get(id)?.spec;
  }

  specs(uri: string): CheckpointSpec[] {
    return [...this.entries.values()].filter((e) => e.uri === uri).map((e) => e.spec);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Records one hit; false when the checkpoint is gone (a condition left behind by a race). */
  record(id: string, text: string, error = false): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    entry.count++;
    const hit: CheckpointHit = { text: text.length > CHECKPOINT_TEXT_CHARS ? `${text.slice(0, CHECKPOINT_TEXT_CHARS - 1)}…` : text, at: Date.now() };
    if (error) hit.error = true;
    if (entry.ring.length < CHECKPOINT_HISTORY) entry.ring.push(hit);
    else {
      entry.ring[entry.next] = hit;
      entry.next = (entry.next + 1) % CHECKPOINT_HISTORY;
    }
    this.changed.add(id);
    return true;
  }

  /** The checkpoints hit since the last call, with their latest hits (oldest first). */
  takeChanged(): CheckpointHits[] {
    const out: CheckpointHits[] = [];
    for (const id of this.changed) {
      const e = this.entries.get(id);
      if (!e) continue;
      const recent = [...e.ring.slice(e.next), ...e.ring.slice(0, e.next)];
      out.push({ id, uri: e.uri, line: e.spec.line, count: e.count, recent });
    }
    this.changed.clear();
    return out;
  }

  private delete(id: string): void {
    this.entries.delete(id);
    this.changed.delete(id);
  }
}
