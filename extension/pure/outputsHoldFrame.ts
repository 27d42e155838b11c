/**
 * Whether a notebook's outputs show a stack frame: the extension reveals only frames the user can see in this
 * notebook, so a message naming any other place (another notebook's cell, a file no output names) does nothing.
 * Reads CodaJS's error and console outputs (live or loaded from a saved file).
 */
import { MIME_CONSOLE, MIME_ERROR } from '../../protocol';

/** Output items past this size are not searched (CodaJS's own are far smaller). */
export const MAX_SEARCHED_ITEM_BYTES = 8 * 1024 * 1024;
/** Nesting searched for frames: errors' causes and members, console entries. */
const MAX_DEPTH = 24;

export interface OutputItemData {
  mime: string;
  data: Uint8Array;
}

export interface FrameRef {
  cellId?: string;
  file?: string;
  line: number;
  column: number;
}

export function outputsHoldFrame(items: Iterable<OutputItemData>, frame: FrameRef): boolean {
  const decoder = new TextDecoder();
  for (const item of items) {
    if ((item.mime !== MIME_ERROR && item.mime !== MIME_CONSOLE) || item.data.byteLength > MAX_SEARCHED_ITEM_BYTES) continue;
    let json: unknown;
    try {
      json = JSON.parse(decoder.decode(item.data));
    } catch {
      continue;
    }
    if (holds(json, frame, 0)) return true;
  }
  return false;
}

function holds(v: unknown, frame: FrameRef, depth: number): boolean {
  if (typeof v !== 'object' || v === null || depth > MAX_DEPTH) return false;
  if (Array.isArray(v)) return v.some((x) => holds(x, frame, depth + 1));
  const o = v as Record<string, unknown>;
  if (o.line === frame.line && o.column === frame.column && same(o.cellId, frame.cellId) && same(o.file, frame.file)) return true;
  return Object.values(o).some((x) => typeof x === 'object' && holds(x, frame, depth + 1));
}

const same = (a: unknown, b: string | undefined) => (b === undefined ? a === undefined : a === b);
