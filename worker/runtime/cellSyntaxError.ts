/** A cell that does not compile, as the error data every runtime reports for it: one frame, at the place in the cell. */
import { formatFrame, type ScriptPlace, type SerializedError, type StackFrame } from '../../protocol';
import type { CellSyntaxError } from '../transform/transformCell';

export function cellSyntaxError(
  err: CellSyntaxError,
  at: { cellId: string; cellLabel: string; script?: ScriptPlace; line: number; column: number },
): SerializedError {
  const frame: StackFrame = { functionName: '', cellId: at.cellId, cellLabel: at.cellLabel, line: at.line, column: at.column };
  if (at.script) frame.script = at.script;
  return {
    name: 'SyntaxError',
    message: err.message,
    stack: `SyntaxError: ${err.message}\n    at ${formatFrame(frame)}`,
    frames: [frame],
    location: { cellId: at.cellId, line: at.line, column: at.column },
    ...(err.code && { code: err.code }),
  };
}
