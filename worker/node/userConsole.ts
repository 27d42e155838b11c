/**
 * The console cells see: every method goes through the ConsoleFormatter with the attributed cell, and the
 * entries are batched to the host. process.stdout/stderr writes from user code become log/error entries.
 */
import { performance } from 'node:perf_hooks';
import { CONSOLE_METHODS, maskedLines, type ConsoleMethod, type Masker, type StackFrame } from '../../protocol';
import type { ConsoleFormatter } from '../inspect/ConsoleFormatter';
import { currentCell, type CellContext } from './cellContext';
import type { ConsoleBatcher } from './ConsoleBatcher';
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

/** Routes writes to process.stdout/stderr into console entries, line by line. */
export function captureStream(stream: NodeJS.WriteStream, method: 'log' | 'error', deps: ConsoleDeps): void {
  let pending = '';
  /** The complete lines of `pending` (and, past MAX_PENDING_STREAM_TEXT, its start), with secrets masked. */
  const takeLines = (mask: Masker): string[] => {
    const { lines, rest } = maskedLines(mask, pending);
    pending = rest;
    if (pending.length > MAX_PENDING_STREAM_TEXT) {
      // sent without its end of line, cut where no secret is cut in two (the rest waits for the next write)
      const cut = mask.active ? mask.safeEnd(pending, pending.length - mask.longestForm) : pending.length;
      lines.push(mask.text(pending.slice(0, cut)));
      pending = pending.slice(cut);
    }
    return lines;
  };
  const write = (chunk: unknown, encoding?: unknown, cb?: unknown) => {
    const text =
      typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    pending += text;
    const lines = takeLines(deps.formatter.mask);
    for (const line of lines) {
      const cell = currentCell();
      const entry = deps.formatter.format(method, [line], {
        cellId: cell?.cellId ?? '',
        executionId: cell?.executionId ?? 0,
        time: performance.timeOrigin + performance.now(),
      });
      if (entry) deps.batcher.push(entry);
    }
    const done = typeof encoding === 'function' ? encoding : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  };
  Object.defineProperty(stream, 'write', { value: write, writable: true, configurable: true });
}
