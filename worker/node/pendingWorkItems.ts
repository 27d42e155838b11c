/**
 * The Node runtime's answer to `pendingWork`: its timers (TimerTracker) and I/O (IoTracker) as protocol items, each
 * located at the first frame of its creation stack that lies in a cell (StackMapper).
 */
import type { WorkItem } from '../../protocol';
import type { IoEntry } from './IoTracker';
import type { StackMapper } from './stackMapper';
import type { TimerEntry } from './TimerTracker';

/** Items listed at most (the oldest first); a loop that starts a million timers stays listable. */
export const MAX_WORK_ITEMS = 2000;

/** What Bun's kernel cannot list (its node:http and node:net servers and sockets never reach the wrapped methods). */
export const BUN_UNLISTED =
  "Bun: servers and sockets are not listed (Bun's node:http and node:net do not go through the methods CodaJS wraps); timers, child processes and fetches are.";

const TIMER_NAMES = { timeout: 'setTimeout', interval: 'setInterval', immediate: 'setImmediate' } as const;

export function pendingWorkItems(timers: TimerEntry[], io: IoEntry[], mapper: StackMapper): WorkItem[] {
  const items: WorkItem[] = [];
  for (const t of timers) {
    if (items.length >= MAX_WORK_ITEMS) break;
    const description = t.ms === undefined ? TIMER_NAMES[t.kind] : `${TIMER_NAMES[t.kind]} ${t.ms} ms`;
    items.push(item(t.id, t.kind, description, t.cellId, t.executionId, t.origin, mapper));
  }
  for (const e of io) {
    if (items.length >= MAX_WORK_ITEMS) break;
    items.push(item(e.id, e.kind, e.description, e.cellId, e.executionId, e.origin, mapper));
  }
  return items;
}

function item(
  id: string,
  kind: WorkItem['kind'],
  description: string,
  cellId: string,
  executionId: number,
  origin: { stack?: string },
  mapper: StackMapper,
): WorkItem {
  const out: WorkItem = { id, kind, description, cellId, executionId, cancellable: true };
  const stack = stackText(origin);
  const frame = mapper.frames(stack).find((f) => f.cellId !== undefined);
  if (frame?.cellId !== undefined) out.location = { cellId: frame.cellId, cellLabel: frame.cellLabel, line: frame.line, column: frame.column };
  return out;
}

/** The creation stack as text; a cell's own Error.prepareStackTrace formats it (it may return anything, or throw). */
function stackText(origin: { stack?: string }): string {
  try {
    const stack: unknown = origin.stack;
    return typeof stack === 'string' ? stack : '';
  } catch {
    return '';
  }
}
