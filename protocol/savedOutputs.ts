/**
 * What a saved `.coda` file keeps of CodaJS's outputs: only what a reader needs, the same bytes when the same output
 * is produced again, and nothing private. Live outputs carry a run's bookkeeping (per-line timestamps, run numbers,
 * kernel handles, the cell's full URI with host and path); none of it means anything once the kernel is gone, and
 * it made every re-run rewrite every line. Runs of plain console lines are stored as one entry with a `lines` array
 * (one file line per console line). The user's home folder in paths is written `~`. Pure: no Node, DOM or vscode.
 */
import type { ConsoleEntry } from './console';
import type { SerializedError, StackFrame } from './errors';
import { escapeRegExp } from './escapeRegExp';
import { shownLength } from './maskedCut';
import { MIME_CONSOLE, MIME_ERROR, MIME_VALUE, type ConsoleOutput, type ErrorOutput, type ValueOutput } from './outputs';
import type { RemoteValue } from './values';

/** A console entry as saved: without its run's bookkeeping; consecutive plain lines folded into `lines`. */
export type SavedConsoleEntry = Omit<ConsoleEntry, 'cellId' | 'executionId' | 'time' | 'text' | 'segments'> & { text?: string; lines?: string[] };

export interface SaveContext {
  /** The user's home folder: written `~` in saved paths and stack texts. */
  home?: string;
}

/** The saved form of an output item's data (JSON MIME types CodaJS writes); other data is returned as it is. */
export function savedOutputData(mime: string, data: unknown, ctx: SaveContext = {}): unknown {
  const paths = pathCleaner(ctx.home);
  if (mime === MIME_CONSOLE && isObject(data) && Array.isArray(data.entries)) {
    const out = data as unknown as ConsoleOutput;
    const saved: { entries: SavedConsoleEntry[]; omitted?: number } = { entries: foldLines(out.entries.map((e) => savedEntry(e, paths))) };
    if (out.omitted) saved.omitted = out.omitted;
    return saved;
  }
  if (mime === MIME_VALUE && isObject(data) && isObject(data.value))
    return { ...(data as unknown as ValueOutput), value: savedValue((data as unknown as ValueOutput).value) };
  if (mime === MIME_ERROR && isObject(data) && isObject(data.error)) {
    const out = data as unknown as ErrorOutput;
    return { ...out, error: savedError(out.error, paths) };
  }
  return data;
}

/** Plain text siblings of CodaJS outputs carry stack texts too. */
export function savedPlainText(text: string, ctx: SaveContext = {}): string {
  return pathCleaner(ctx.home)(text);
}

/** An output item's data as the renderer reads it: folded console lines unfolded again. */
export function loadedOutputData(mime: string, data: unknown): unknown {
  if (mime !== MIME_CONSOLE || !isObject(data) || !Array.isArray(data.entries)) return data;
  const entries: ConsoleEntry[] = [];
  for (const raw of data.entries as SavedConsoleEntry[]) {
    if (!isObject(raw)) continue;
    const { lines, text, ...rest } = raw as SavedConsoleEntry & Partial<ConsoleEntry>;
    const base = { cellId: '', executionId: 0, time: 0, ...rest } as Omit<ConsoleEntry, 'text'>;
    if (Array.isArray(lines)) for (const line of lines) entries.push({ ...base, text: String(line) });
    else entries.push({ ...base, text: typeof text === 'string' ? text : '' });
  }
  return { ...data, entries };
}

function savedEntry(e: ConsoleEntry, paths: (s: string) => string): SavedConsoleEntry {
  // segments place live, expandable values in the line; saved values are previews, and the text says it all
  // a saved line is over: nothing continues it (ConsoleEntry.open)
  const { cellId: _cellId, executionId: _executionId, time: _time, values, frames, text, segments: _segments, open: _open, ...rest } = e;
  const out: SavedConsoleEntry = { ...rest, text: paths(text) };
  if (values?.length) out.values = values.map(savedValue);
  if (frames?.length) out.frames = frames.map((f) => savedFrame(f, paths));
  return out;
}

/** An entry that is one line of text and nothing else can share a `lines` array with its neighbours. */
function plain(e: SavedConsoleEntry): boolean {
  return typeof e.text === 'string' && !e.text.includes('\n') && !e.values && !e.table && !e.frames && e.line === undefined && e.collapsed === undefined;
}

function foldLines(entries: SavedConsoleEntry[]): SavedConsoleEntry[] {
  const out: SavedConsoleEntry[] = [];
  for (let i = 0; i < entries.length;) {
    const e = entries[i]!;
    let j = i + 1;
    if (plain(e))
      while (j < entries.length && plain(entries[j]!) && entries[j]!.method === e.method && entries[j]!.level === e.level && entries[j]!.depth === e.depth) j++;
    if (j - i > 1) {
      const { text: _text, ...rest } = e;
      out.push({ ...rest, lines: entries.slice(i, j).map((x) => x.text!) });
    } else out.push(e);
    i = j;
  }
  return out;
}

/**
 * Handles expand only in the kernel that made them: a saved value is its preview. A result's full text is its output's
 * text/plain sibling (extension/pure/resultOutputData.ts), not saved a second time in the value.
 */
function savedValue(v: RemoteValue): RemoteValue {
  // a masked string keeps no length of its own: the original's would tell how long the secret is
  if (v.type === 'string') return shownLength(v) === undefined ? { ...v, length: v.value.length } : v;
  if (v.type !== 'object' || (!v.handle && v.text === undefined)) return v;
  const { handle: _handle, text: _text, ...rest } = v;
  return rest;
}

/** A cell frame names the cell by its label (its URI holds the author's host and path, and changes on reopening). */
function savedFrame(f: StackFrame, paths: (s: string) => string): StackFrame {
  const out: StackFrame = { ...f };
  if (f.cellId !== undefined) out.cellId = f.cellLabel ?? 'cell';
  if (f.file !== undefined) out.file = paths(f.file);
  return out;
}

function savedError(e: SerializedError, paths: (s: string) => string): SerializedError {
  const out: SerializedError = { ...e, message: paths(e.message) };
  if (e.stack !== undefined) out.stack = paths(e.stack);
  if (e.frames) out.frames = e.frames.map((f) => savedFrame(f, paths));
  if (e.location) {
    const label = e.frames?.find((f) => f.cellId === e.location!.cellId)?.cellLabel;
    out.location = { ...e.location, cellId: label ?? 'cell' };
  }
  if (e.cause) out.cause = savedError(e.cause, paths);
  if (e.errors) out.errors = e.errors.map((x) => savedError(x, paths));
  return out;
}

function pathCleaner(home: string | undefined): (s: string) => string {
  if (!home || home.length < 2) return (s) => s;
  const forms = [...new Set([home, home.replace(/\\/g, '/'), `file://${home.startsWith('/') ? '' : '/'}${home.replace(/\\/g, '/')}`])].sort(
    (a, b) => b.length - a.length,
  );
  // the home folder itself or a path below it, never a longer name that starts the same (/home/al vs /home/alice)
  const pattern = new RegExp(`(?:${forms.map(escapeRegExp).join('|')})(?![\\w.-])`, 'g');
  return (s) => s.replace(pattern, '~');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
