/**
 * A message from a webview (the notebook renderer or the inspector panel), checked before anything acts on it. The
 * webview may be hostile: output HTML from a saved notebook runs in the same webview as the renderer and can post
 * anything the renderer can. A message that is not exactly one of protocol/outputs.ts's `RendererToHost` shapes,
 * within these limits, is refused (undefined) and only logged.
 */
import type { RendererToHost } from '../../protocol';

/** Longest id the extension makes (kernel ids, output ids, cell URIs) with room to spare. */
export const MAX_ID_CHARS = 2_000;
/** Longest path a frame may name. */
export const MAX_PATH_CHARS = 4_096;
/** Lines and columns past this are not in any document CodaJS shows. */
export const MAX_POSITION = 10_000_000;
/** The most properties one expand asks for (the kernel pages by 100; the worker caps again). */
export const MAX_EXPAND_COUNT = 1_000;

type Fields = Record<string, unknown>;

const int = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
const id = (v: unknown, max = MAX_ID_CHARS): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const only = (m: Fields, keys: readonly string[]) => Object.keys(m).every((k) => keys.includes(k));

export function parseRendererMessage(raw: unknown): RendererToHost | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const m = raw as Fields;
  switch (m.type) {
    case 'expand':
      if (!only(m, ['type', 'requestId', 'kernelId', 'handleId', 'start', 'count'])) return undefined;
      if (!int(m.requestId, 0, Number.MAX_SAFE_INTEGER) || !id(m.kernelId) || !int(m.handleId, 0, Number.MAX_SAFE_INTEGER)) return undefined;
      if (!int(m.start, 0, Number.MAX_SAFE_INTEGER) || !int(m.count, 0, MAX_EXPAND_COUNT)) return undefined;
      return { type: 'expand', requestId: m.requestId, kernelId: m.kernelId, handleId: m.handleId, start: m.start, count: m.count };
    case 'revealFrame': {
      if (!only(m, ['type', 'cellId', 'file', 'line', 'column'])) return undefined;
      if (!int(m.line, 1, MAX_POSITION) || !int(m.column, 0, MAX_POSITION)) return undefined;
      // exactly one of a cell and a file
      if ((m.cellId === undefined) === (m.file === undefined)) return undefined;
      if (m.cellId !== undefined) return id(m.cellId) ? { type: 'revealFrame', cellId: m.cellId, line: m.line, column: m.column } : undefined;
      return id(m.file, MAX_PATH_CHARS) && !m.file.includes('\0') ? { type: 'revealFrame', file: m.file, line: m.line, column: m.column } : undefined;
    }
    case 'showAll':
      if (!only(m, ['type', 'requestId', 'outputId'])) return undefined;
      return int(m.requestId, 0, Number.MAX_SAFE_INTEGER) && id(m.outputId) ? { type: 'showAll', requestId: m.requestId, outputId: m.outputId } : undefined;
    default:
      return undefined;
  }
}

/** What a refused message is logged as: its type and size, never its content (it may be huge or hold anything). */
export function describeRefused(raw: unknown): string {
  const type = typeof raw === 'object' && raw !== null && typeof (raw as Fields).type === 'string' ? String((raw as Fields).type).slice(0, 40) : typeof raw;
  let size: number;
  try {
    size = JSON.stringify(raw)?.length ?? 0;
  } catch {
    size = -1;
  }
  return `${JSON.stringify(type)} (${size < 0 ? 'unserializable' : `${size} characters`})`;
}
