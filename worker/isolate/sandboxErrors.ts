/**
 * Errors of the sandbox as plain data: errors thrown inside the isolate (sent as data by the prelude, frames mapped
 * here to cell lines) and the sandbox's own limits, worded for the user.
 */
import { codaError, type SerializedError } from '../../protocol';
import type { StackMapper } from '../node/stackMapper';
import { isRecord, text } from './bridgeChecks';

/** Rebuilds an error the prelude described (name, message, raw V8 stack, cause, errors, props). */
export function errorFromIsolate(raw: unknown, mapper: StackMapper, depth = 0): SerializedError {
  if (!isRecord(raw)) return { name: 'Error', message: 'Uncaught exception (could not be described)' };
  const out: SerializedError = { name: text(raw.name, 200) || 'Error', message: text(raw.message, 20_000) };
  const stack = text(raw.stack, 20_000);
  if (stack) {
    out.frames = mapper.frames(stack);
    out.stack = mapper.rewrite(stack);
    const first = out.frames.find((f) => f.cellId);
    if (first) out.location = { cellId: first.cellId!, line: first.line, column: first.column };
  }
  if (depth < 4 && raw.cause !== undefined) out.cause = errorFromIsolate(raw.cause, mapper, depth + 1);
  if (depth < 2 && Array.isArray(raw.errors)) out.errors = raw.errors.slice(0, 10).map((e) => errorFromIsolate(e, mapper, depth + 1));
  if (isRecord(raw.props)) {
    const props: Record<string, string> = {};
    for (const k of Object.keys(raw.props).slice(0, 10)) if (k !== '__proto__') props[k] = text(raw.props[k], 300);
    if (Object.keys(props).length) out.props = props;
  }
  return out;
}

export function outOfMemory(memoryMb: number): SerializedError {
  return codaError('SandboxOutOfMemory', { memoryMb });
}

export function cellTimedOut(timeoutMs: number): SerializedError {
  return codaError('SandboxCellTimeout', { timeoutMs });
}

export function sandboxLost(reason: string): SerializedError {
  return codaError('SandboxLost', { reason });
}

export function staticImport(spec: string, line: number, column: number, cellId: string): SerializedError {
  return { ...codaError('SandboxImport', { spec: JSON.stringify(spec), line }), location: { cellId, line, column } };
}

/** isolated-vm's words for a thrown object that is not an Error, which it does not copy. */
const NOT_AN_ERROR = /^An object was thrown from supplied code within isolated-vm, but that object was not an instance of `Error`/;

/**
 * What a call into the isolate threw, as isolated-vm copied it out (SandboxIsolate's `failed` and `uncompiled`
 * outcomes): an Error's name, message and stack (its frames inside the isolate only), a primitive as it is. Any other
 * object isolated-vm does not copy: said so, not shown as an Error it never was.
 */
export function errorFromCopy(thrown: unknown, mapper: StackMapper): SerializedError {
  if (!(thrown instanceof Error)) return mapper.serialize(thrown);
  if (NOT_AN_ERROR.test(thrown.message)) return codaError('SandboxReasonNotCopied');
  const stack = typeof thrown.stack === 'string' ? thrown.stack : '';
  const boundary = stack.indexOf('\n    at (<isolated-vm boundary>)');
  return errorFromIsolate({ name: thrown.name, message: thrown.message, stack: boundary === -1 ? stack : stack.slice(0, boundary) }, mapper);
}
