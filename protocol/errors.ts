/**
 * Errors cross process boundaries as plain data, never as thrown class instances.
 */
import { CodaError } from './codaErrors';

/** A stack frame already mapped back to the notebook cell (or file) the user wrote. */
export interface StackFrame {
  /** Function name as V8 reported it, or '' for anonymous/top-level code. */
  functionName: string;
  /** Cell id when the frame is inside a cell; undefined for library/internal frames. */
  cellId?: string;
  /** The cell's label at the time of the run, e.g. `[3]`. */
  cellLabel?: string;
  /** The cell is part of a script the user ran (`coda run demo.ts`, Run Scratch): the frame reads the script's line. */
  script?: ScriptPlace;
  /** File path or URL when the frame is outside the notebook's cells. */
  file?: string;
  /** 1-based line within the cell (or file). */
  line: number;
  /** 1-based column within the cell (or file). */
  column: number;
}

/**
 * Where a cell is in a script file split at its `// %%` lines: a frame in the cell names the script's line, as Node
 * names a frame in a file, so a terminal or editor can open it there.
 */
export interface ScriptPlace {
  /** The script as the user named it (`scripts/demo.ts`). */
  name: string;
  /** 1-based line of the script where the cell's first line is. */
  line: number;
  /** 1-based column where the cell starts on that line, when not at its start (a selection run from mid-line). */
  column?: number;
}

/** `fn (cell[3]:2:9)`, `fn (demo.ts:14:9)` in a script's cell, or `fn (/path/file.js:10:3)`: how every output names a frame. */
export function formatFrame(f: StackFrame, label: (cellId: string) => string = (id) => id): string {
  const where = !f.cellId
    ? `${f.file}:${f.line}:${f.column}`
    : f.script
      ? `${f.script.name}:${f.script.line + f.line - 1}:${f.line === 1 && f.script.column ? f.column + f.script.column - 1 : f.column}`
      : `cell${f.cellLabel ?? label(f.cellId)}:${f.line}:${f.column}`;
  return f.functionName ? `${f.functionName} (${where})` : where;
}

export interface SerializedError {
  name: string;
  message: string;
  /** CodaJS's own errors only: the catalogue code (protocol/codaErrors.ts) that code checks instead of the words. */
  code?: string;
  /** The stack as text, already rewritten so cell frames read `cell[<label>]:line:col`. */
  stack?: string;
  /** Structured frames of `stack` (user-facing frames only; runtime internals are dropped). */
  frames?: StackFrame[];
  /** Where the error was thrown, when it is inside a cell (first cell frame, or the syntax error position). */
  location?: { cellId: string; line: number; column: number };
  /** `error.cause`, serialized the same way (bounded depth). */
  cause?: SerializedError;
  /** Own enumerable extra properties (e.g. `code`, `errno`), as short preview strings. */
  props?: Record<string, string>;
  /** AggregateError members, bounded. */
  errors?: SerializedError[];
}

/** Turns anything thrown into plain data. Never throws. */
export function toSerializedError(thrown: unknown, depth = 0): SerializedError {
  try {
    if (thrown !== null && typeof thrown === 'object') {
      const e = thrown as { name?: unknown; message?: unknown; stack?: unknown; cause?: unknown };
      const out: SerializedError = {
        name: typeof e.name === 'string' ? e.name : 'Error',
        message: typeof e.message === 'string' ? e.message : safeString(thrown),
      };
      if (thrown instanceof CodaError) {
        out.code = thrown.code;
        if (thrown.props) out.props = { ...thrown.props };
      }
      if (typeof e.stack === 'string') out.stack = e.stack;
      if (depth < 3 && 'cause' in e && e.cause !== undefined) out.cause = toSerializedError(e.cause, depth + 1);
      return out;
    }
    return { name: 'Error', message: `Uncaught ${safeString(thrown)}` };
  } catch {
    return { name: 'Error', message: 'Uncaught exception (could not be described)' };
  }
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'string' ? JSON.stringify(v) : String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}
