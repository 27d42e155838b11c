/**
 * Keeps the kernel alive through errors in background work, and makes process.exit() in a cell a clear,
 * reported event: the notice (with console output not sent yet) is written synchronously to stderr, which
 * the host reads, because IPC messages queued at exit time would be lost.
 */
import { writeSync } from 'node:fs';
import { EXIT_NOTICE, type ConsoleEntry, type ExitNotice } from '../../protocol';

export interface GuardDeps {
  onUncaught(err: unknown): void;
  pendingConsole(): ConsoleEntry[];
  runningCell(): string | undefined;
}

export function installProcessGuards(deps: GuardDeps): void {
  process.on('uncaughtException', (err) => deps.onUncaught(err));
  process.on('unhandledRejection', (reason) => deps.onUncaught(reason));
  const realExit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    const exitCode = code === undefined || code === null ? (typeof process.exitCode === 'number' ? process.exitCode : 0) : Number(code);
    const notice: ExitNotice = { code: exitCode, reason: `process.exit(${exitCode}) was called`, cellId: deps.runningCell(), console: deps.pendingConsole() };
    try {
      writeSync(2, `${EXIT_NOTICE}${JSON.stringify(notice)}\n`);
    } catch {
      // stderr closed: the host still sees the exit code
    }
    return realExit(exitCode);
  }) as typeof process.exit;
}
