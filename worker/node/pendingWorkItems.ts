/**
 * The Node runtime's answer to `pendingWork`: its timers (TimerTracker), I/O (IoTracker) and the top-level awaits
 * cells are stopped at (AwaitTracker) as protocol items, each located at the first cell frame of its origin: its
 * creation stack, else the work or the top-level statement that created it (asyncStack.ts).
 */
import type { WorkItem } from '../../protocol';
import type { AwaitEntry } from './AwaitTracker';
import type { AsyncOrigin } from './cellContext';
import type { IoEntry } from './IoTracker';
import { originLocation } from './asyncStack';
import type { StackMapper } from './stackMapper';
import type { TimerEntry } from './TimerTracker';

/** Items listed at most (the oldest first); a loop that starts a million timers stays listable. */
export const MAX_WORK_ITEMS = 2000;

const TIMER_NAMES = { timeout: 'setTimeout', interval: 'setInterval', immediate: 'setImmediate' } as const;

export function pendingWorkItems(awaits: AwaitEntry[], timers: TimerEntry[], io: IoEntry[], mapper: StackMapper): WorkItem[] {
  const items: WorkItem[] = [];
  for (const a of awaits) {
    if (items.length >= MAX_WORK_ITEMS) break;
    const { site } = a;
    const location = { cellId: site.cellId, cellLabel: site.cellLabel, line: site.line, column: site.column };
    items.push({ id: a.id, kind: 'await', description: site.text, cellId: a.cellId, executionId: a.executionId, location, cancellable: true });
  }
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
  origin: AsyncOrigin,
  mapper: StackMapper,
): WorkItem {
  const out: WorkItem = { id, kind, description, cellId, executionId, cancellable: true };
  const frame = originLocation(origin, mapper);
  if (frame?.cellId !== undefined) out.location = { cellId: frame.cellId, cellLabel: frame.cellLabel, line: frame.line, column: frame.column };
  return out;
}
