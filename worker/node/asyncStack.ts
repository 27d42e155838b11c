/**
 * The async stack of work a cell started: the creation stacks of its origin chain (cellContext.ts AsyncOrigin), mapped
 * to cells, each link's first frame named after the call that scheduled it (`async setTimeout in later`). An uncaught
 * error from that work gets these frames after its own, so it reaches back to the cell line that started it.
 */
import type { SerializedError, StackFrame } from '../../protocol';
import { formatFrame } from '../../protocol';
import { MAX_ORIGIN_LINKS, type AsyncOrigin } from './cellContext';
import type { StackMapper } from './stackMapper';

/** Frames added at most. */
export const MAX_ASYNC_FRAMES = 40;

/** The frames of an origin chain, newest link first; frames the error already has are not repeated. */
export function asyncFrames(origin: AsyncOrigin | undefined, mapper: StackMapper, known: readonly StackFrame[] = []): StackFrame[] {
  const out: StackFrame[] = [];
  const sameLine = (a: StackFrame, b: StackFrame) => a.cellId === b.cellId && a.file === b.file && a.line === b.line;
  const seen = (f: StackFrame) => known.some((k) => sameLine(k, f) && k.column === f.column) || out.some((k) => sameLine(k, f) && k.column === f.column);
  let link = origin;
  for (let n = 0; link && n < MAX_ORIGIN_LINKS && out.length < MAX_ASYNC_FRAMES; n++, link = link.parent) {
    if (link.statement) {
      // a top-level statement: only when nothing above already reached that line of the cell
      const frame = statementFrame(link.statement);
      if (!known.some((k) => sameLine(k, frame)) && !out.some((k) => sameLine(k, frame))) out.push(frame);
      continue;
    }
    const frames = mapper.frames(stackText(link.stack)).filter((f) => !seen(f));
    const [first, ...rest] = frames;
    if (!first) continue;
    const api = link.api ? `async ${link.api}` : 'async';
    out.push({ ...first, functionName: first.functionName ? `${api} in ${first.functionName}` : api }, ...rest);
  }
  return out.slice(0, MAX_ASYNC_FRAMES);
}

/** The error with its origin's async frames added (to `frames` and to the stack text), and located in a cell if it was not. */
export function withAsyncStack(error: SerializedError, origin: AsyncOrigin | undefined, mapper: StackMapper): SerializedError {
  if (!origin) return error;
  const added = asyncFrames(origin, mapper, error.frames ?? []);
  if (!added.length) return error;
  const out: SerializedError = { ...error, frames: [...(error.frames ?? []), ...added] };
  if (error.stack !== undefined) out.stack = `${error.stack}\n${added.map((f) => `    at ${formatFrame(f, (id) => mapper.label(id))}`).join('\n')}`;
  const first = added.find((f) => f.cellId);
  if (!out.location && first?.cellId) out.location = { cellId: first.cellId, line: first.line, column: first.column };
  return out;
}

/** The first cell frame of the chain: where the work was created, for the Pending Work view. */
export function originLocation(origin: AsyncOrigin | undefined, mapper: StackMapper): StackFrame | undefined {
  for (let link = origin, n = 0; link && n < MAX_ORIGIN_LINKS; link = link.parent, n++) {
    if (link.statement) return statementFrame(link.statement);
    const frame = mapper.frames(stackText(link.stack)).find((f) => f.cellId !== undefined);
    if (frame) return frame;
  }
  return undefined;
}

function statementFrame(s: NonNullable<AsyncOrigin['statement']>): StackFrame {
  return { functionName: '', cellId: s.cellId, cellLabel: s.cellLabel, line: s.line, column: s.column, ...(s.script && { script: s.script }) };
}

/** A creation stack as text; a cell's own Error.prepareStackTrace formats it (it may return anything, or throw). */
export function stackText(holder: { stack?: string } | undefined): string {
  try {
    const stack: unknown = holder?.stack;
    return typeof stack === 'string' ? stack : '';
  } catch {
    return '';
  }
}
