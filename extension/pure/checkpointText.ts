/** How a checkpoint's hits read at the end of its line and in the Checkpoints view (pure). */
import type { CheckpointHit, CheckpointHits } from '../../protocol';

/** Characters of a value shown at the end of a line. */
export const CHECKPOINT_INLINE_CHARS = 80;

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** `⟲ 3× 42` — the hit count and the last value. */
export function checkpointInline(h: CheckpointHits): string {
  const last = h.recent.at(-1);
  return `⟲ ${h.count}× ${last ? cut(last.error ? `⚠ ${last.text}` : last.text, CHECKPOINT_INLINE_CHARS) : ''}`.trimEnd();
}

/** One hit in the view: its value and when, e.g. `12:03:04.120`. */
export function hitTime(hit: CheckpointHit): string {
  return new Date(hit.at).toISOString().slice(11, 23);
}
