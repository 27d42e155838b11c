/**
 * The console cells see: every method goes through the ConsoleFormatter with the attributed cell, and the
 * entries are batched to the host. process.stdout/stderr writes from user code become log/error entries.
 */
import { performance } from 'node:perf_hooks';
import { CONSOLE_METHODS, maskedLines, type ConsoleMethod, type StackFrame } from '../../protocol';
import type { ConsoleFormatter } from '../inspect/ConsoleFormatter';
import { currentCell, type CellContext } from './cellContext';
import type { ConsoleBatcher, PartialLine } from './ConsoleBatcher';
import type { StackMapper } from './stackMapper';

/** Characters of unterminated stdout text held before it is sent anyway. */
export const MAX_PENDING_STREAM_TEXT = 64 * 1024;

export interface ConsoleDeps {
  formatter: ConsoleFormatter;
  batcher: ConsoleBatcher;
  mapper: StackMapper;
}

export function createUserConsole(deps: ConsoleDeps): Console {
  const { formatter, batcher, mapper } = deps;
  const emit = (method: ConsoleMethod, args: unknown[], framesWanted: boolean) => {
    const cell = currentCell();
    const stack = framesWanted || cell?.instrument ? (new Error().stack ?? '') : '';
    const frames = stack ? mapper.frames(stack) : undefined;
    const entry = formatter.format(method, args, {
      cellId: cell?.cellId ?? '',
      executionId: cell?.executionId ?? 0,
      time: performance.timeOrigin + performance.now(),
      line: cell?.instrument ? callLine(frames, cell) : undefined,
      frames: framesWanted ? frames : undefined,
      mapStack: (s) => mapper.frames(s),
      rewriteStacks: (text) => mapper.rewriteFrames(text),
    });
    if (entry) batcher.push(entry);
  };
  const target: Record<string, unknown> = {};
  for (const m of CONSOLE_METHODS) {
    target[m] = { [m]: (...args: unknown[]) => emit(m, args, m === 'trace' || (m === 'assert' && !args[0])) }[m];
  }
  return Object.assign(Object.create(console) as object, target) as unknown as Console;
}

function callLine(frames: StackFrame[] | undefined, cell: CellContext): number | undefined {
  return frames?.find((f) => f.cellId === cell.cellId)?.line;
}

/**
 * Routes writes to process.stdout/stderr into console entries, line by line. Text after the last line end is held
 * until the next turn of the event loop, the next entry, or the end of the cell, then sent as an open entry that a
 * later write continues (ConsoleEntry.open): it is never lost, and never shown under a cell that did not write it.
 */
export function captureStream(stream: NodeJS.WriteStream, method: 'log' | 'error', deps: ConsoleDeps): void {
  let pending = '';
  /** The cell run whose write began `pending`. */
  let owner: CellContext | undefined;
  const entry = (text: string, cell: CellContext | undefined) =>
    deps.formatter.format(method, [text], {
      cellId: cell?.cellId ?? '',
      executionId: cell?.executionId ?? 0,
      time: performance.timeOrigin + performance.now(),
    });
  const partial: PartialLine = {
    take(final) {
      if (!pending) return undefined;
      const mask = deps.formatter.mask;
      // an end that may be the start of a secret waits for the rest of it, unless nothing more is coming
      const end = final || !mask.active ? pending.length : mask.safeEnd(pending, mask.heldFrom(pending));
      if (end <= 0) return undefined;
      const e = entry(mask.text(pending.slice(0, end)), owner);
      pending = pending.slice(end);
      // with secrets, a line the cell's end cut stays closed: text its background work writes later is never joined
      // to it, so no secret split across the two can show whole
      if (e && !(final && mask.active)) e.open = true;
      return e;
    },
  };
  deps.batcher.addPartial(partial);
  const write = (chunk: unknown, encoding?: unknown, cb?: unknown) => {
    const text =
      typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    const cell = currentCell();
    if (pending && (owner?.cellId !== cell?.cellId || owner?.executionId !== cell?.executionId)) {
      // another cell run writes: what the last one left open stays its own
      const held = partial.take(true);
      if (held) deps.batcher.push(held, partial);
    }
    if (!pending) owner = cell;
    pending += text;
    const { lines, rest } = maskedLines(deps.formatter.mask, pending);
    pending = rest;
    for (const line of lines) {
      const e = entry(line, owner);
      if (e) deps.batcher.push(e, partial);
      owner = cell;
    }
    if (pending.length > MAX_PENDING_STREAM_TEXT) {
      const held = partial.take(false);
      if (held) deps.batcher.push(held, partial);
    }
    if (pending) deps.batcher.schedule();
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  };
  Object.defineProperty(stream, 'write', { value: write, writable: true, configurable: true });
}
