/**
 * Why a worker process ended, in words a user understands, from its exit code, signal, the exit notice it
 * wrote (process.exit in a cell) and the tail of its stderr (V8's out-of-memory message).
 */
import type { ExitNotice } from '../../protocol';

export interface ExitFacts {
  code: number | null;
  signal: string | null;
  expected: boolean;
  notice?: ExitNotice;
  stderrTail: string;
  heapLimitMb?: number;
  cellLabel?: (cellId: string) => string | undefined;
}

const OOM = /JavaScript heap out of memory|Reached heap limit|Allocation failed - process out of memory/;
const STACK = /Maximum call stack size exceeded|stack overflow/i;
/** Node's exit code when its handler of an uncaught exception (the kernel's) throws. */
const HANDLER_FAILED = 7;

export function exitReason(f: ExitFacts): string {
  if (f.expected) return 'was stopped';
  if (f.notice) {
    const label = f.notice.cellId ? f.cellLabel?.(f.notice.cellId) : undefined;
    return `${f.notice.reason}${label ? ` by cell ${label}` : ''}`;
  }
  if (OOM.test(f.stderrTail)) return `ran out of memory${f.heapLimitMb ? ` (heap limit ${f.heapLimitMb} MB; raise coda.maxMemoryMb)` : ''}`;
  if (STACK.test(f.stderrTail)) return 'crashed with a stack overflow';
  if (f.signal) return `was killed by ${f.signal}`;
  // Node's "internal exception handler run-time failure": the kernel's handler of an uncaught error threw itself
  if (f.code === HANDLER_FAILED)
    return 'crashed: its own error handling failed (exit code 7), most likely because a cell replaced a built-in the kernel relies on (an Array, Map or Function method, an iterator)';
  return `exited with code ${f.code}`;
}
