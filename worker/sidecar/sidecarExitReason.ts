/**
 * Why a sidecar ended, in the words the worker's EXIT_NOTICE carries to the host (host/kernel/exitReason.ts
 * prints "The kernel <reason>[ by cell [n]]."). Every ending loses the kernel's variables.
 */
import type { SidecarKind } from './sidecarModules';
import { displayName } from './sidecarCommand';

const OOM = /out of memory|Reached heap limit|Allocation failed|heap limit/i;
const STACK = /Maximum call stack size exceeded|stack overflow/i;
/** Characters of the sidecar's last message quoted in a reason. */
export const QUOTED_MESSAGE_CHARS = 200;

export interface SidecarEnding {
  kind: SidecarKind;
  code: number | null;
  signal: string | null;
  /** The end of the sidecar's stderr. */
  stderrTail: string;
  /** Set when the worker stopped the sidecar because it could not interrupt it (Bun). */
  stoppedCell?: string;
  /** An interrupt was being taken when the sidecar died (Deno dies terminating a timer callback). */
  interrupting: boolean;
  heapLimitMb?: number;
}

export function sidecarExitReason(e: SidecarEnding): string {
  const name = displayName(e.kind);
  if (e.stoppedCell !== undefined) {
    return `was restarted: ${name} cannot stop running JavaScript, so the kernel was stopped while cell ${e.stoppedCell} ran and its variables are lost`;
  }
  if (OOM.test(e.stderrTail)) {
    return `ran out of memory in ${name}${e.heapLimitMb ? ` (heap limit ${e.heapLimitMb} MB; raise coda.maxMemoryMb)` : ''}`;
  }
  if (STACK.test(e.stderrTail)) return `crashed with a stack overflow in ${name}`;
  const last = e.stderrTail
    .trim()
    .split('\n')
    .filter((l) => l.trim())
    .pop()
    ?.trim()
    .slice(0, QUOTED_MESSAGE_CHARS);
  const how = e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
  const quoted = last ? ` ("${last}")` : '';
  if (e.interrupting && e.kind === 'deno') {
    return `was stopped by the interrupt: Deno does not survive an interrupt inside a timer callback (the Deno process ${how}${quoted}), so its variables are lost`;
  }
  return `stopped: the ${name} process ${how}${quoted}`;
}
