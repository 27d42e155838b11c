/** A plain console.log entry of cell `c`'s first run, with `extra` fields, for tests of what hosts do with entries. */
import type { ConsoleEntry } from '../../../protocol';

export const consoleEntry = (text: string, extra: Partial<ConsoleEntry> = {}): ConsoleEntry => ({
  method: 'log',
  level: 'log',
  cellId: 'c',
  executionId: 1,
  time: 0,
  depth: 0,
  text,
  ...extra,
});
