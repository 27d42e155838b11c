/**
 * Keeps the kernel alive through errors in background work, and makes process.exit() in a cell a clear,
 * reported event: the notice (with console output not sent yet) is written synchronously to stderr, which
 * the host reads, because IPC messages queued at exit time would be lost.
 */
import { writeSync } from 'node:fs';
import { EXIT_NOTICE, type ConsoleEntry, type ExitNotice } from '../../protocol';

export interface GuardDeps {
  /** An uncaught exception, or a rejection no handler took (`promise`: the one rejected). */
  onUncaught(err: unknown, promise?: Promise<unknown>): void;
  pendingConsole(): ConsoleEntry[];
  runningCell(): string | undefined;
}

/**
 * What Node's own processImmediate throws once its queue of immediates broke: an interrupt terminated a loop in a
 * setImmediate callback that another immediate preceded in the same turn, and Node's bookkeeping after that callback
 * never ran. From then on each pass of the event loop throws it again and nothing else runs (no cell, no interrupt).
 */
const BROKEN_IMMEDIATES = /^TypeError: [^\n]*\n\s*at (?:process\.)?processImmediate \(node:internal\/timers:/;
/** The exit code of a kernel that ends because its event loop cannot go on (sysexits' EX_SOFTWARE). */
export const BROKEN_LOOP_EXIT = 70;
export const BROKEN_IMMEDIATES_REASON =
  "stopped: an interrupt cut a loop in a setImmediate callback short, which breaks Node's queue of immediates for good (the next run starts a new kernel)";

export function installProcessGuards(deps: GuardDeps): void {
  const realExit = process.exit.bind(process);
  const end = (code: number, reason: string, cellId: string | undefined): never => {
    const notice: ExitNotice = { code, reason, cellId, console: deps.pendingConsole() };
    try {
      writeSync(2, `${EXIT_NOTICE}${JSON.stringify(notice)}\n`);
    } catch {
      // stderr closed: the host still sees the exit code
    }
    return realExit(code);
  };
  process.on('uncaughtException', (err) => {
    if (brokenImmediates(err)) end(BROKEN_LOOP_EXIT, BROKEN_IMMEDIATES_REASON, undefined);
    else deps.onUncaught(err);
  });
  process.on('unhandledRejection', (reason, promise) => deps.onUncaught(reason, promise));
  // a promise expanded in the inspector after its rejection was reported gets a handler then: no warning for that
  process.on('rejectionHandled', () => undefined);
  process.exit = ((code?: number | string | null) => {
    const exitCode = code === undefined || code === null ? (typeof process.exitCode === 'number' ? process.exitCode : 0) : Number(code);
    return end(exitCode, `ended: process.exit(${exitCode}) was called`, deps.runningCell());
  }) as typeof process.exit;
}

/** Whether `err` is Node's processImmediate failing at its own first step (see BROKEN_IMMEDIATES). */
export function brokenImmediates(err: unknown): boolean {
  try {
    const stack = typeof err === 'object' && err !== null ? (err as { stack?: unknown }).stack : undefined;
    return typeof stack === 'string' && BROKEN_IMMEDIATES.test(stack);
  } catch {
    // a thrown object whose `stack` getter throws is a cell's, not Node's
    return false;
  }
}
