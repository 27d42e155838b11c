import type { StackFrame } from './errors';
import type { RemoteValue } from './values';

/** Every console method a cell may call (the kernel wraps these; the sandbox bridge accepts only these). */
export const CONSOLE_METHODS = [
  'log',
  'info',
  'warn',
  'error',
  'debug',
  'trace',
  'dir',
  'dirxml',
  'table',
  'group',
  'groupCollapsed',
  'groupEnd',
  'time',
  'timeEnd',
  'timeLog',
  'count',
  'countReset',
  'assert',
  'clear',
] as const;

export type ConsoleMethod = (typeof CONSOLE_METHODS)[number];

/** The severity a renderer colours by. */
export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';

export interface ConsoleTable {
  /** Header cells, first column is the index column (`(index)`). */
  columns: string[];
  /** Each row: one preformatted cell string per column ('' for missing). */
  rows: string[][];
}

export type ConsoleSegment = string | { value: number };

export interface ConsoleEntry {
  method: ConsoleMethod;
  level: ConsoleLevel;
  /** The cell whose execution started the work that printed this (also for timers and promises). */
  cellId: string;
  /** Which run of that cell (increments per execution), so late output of an old run can be told apart. */
  executionId: number;
  /** ms since epoch. */
  time: number;
  /** Nesting depth from console.group at the time of the call. */
  depth: number;
  /** Fully formatted plain text of the call (format specifiers applied, ANSI escapes kept), bounded. */
  text: string;
  /** Expandable previews of the object arguments, in argument order, when any argument was an object. */
  values?: RemoteValue[];
  /**
   * The text again, argument by argument, when the call used no format string: plain text, or `{ value: i }` where
   * `values[i]` stands (a renderer shows the object there once, expandable, instead of its text and a tree below).
   */
  segments?: ConsoleSegment[];
  /** console.table data. */
  table?: ConsoleTable;
  /**
   * Mapped frames: console.trace's and console.assert's call (not in the text), or a logged error's own (console.error(err):
   * its stack is in the text already; the frames make it clickable). See framesBelowText.
   */
  frames?: StackFrame[];
  /** Scratch mode (ExecuteParams.instrumentLines): 1-based cell line of the console call. */
  line?: number;
  /** groupCollapsed starts collapsed. */
  collapsed?: boolean;
  /**
   * Text written to process.stdout or stderr without a line end (a progress dot, a prompt): the line is still open,
   * and the next plain entry of the same stream and cell run continues it (continuesLine).
   */
  open?: true;
}

/** Characters of a console entry's text (longer text is cut, saying how much was left out); a line joined from writes without a line end stays within it too. */
export const MAX_CONSOLE_TEXT = 20_000;

/**
 * Whether `next` continues the line `prev` left open: the same stream (method and group depth) of the same run of the
 * same cell, plain text (console.log('x') after process.stdout.write('a') reads `ax`, as in a terminal).
 */
/**
 * The frames a rendering that shows the entry's text adds below it: those of console.trace and console.assert. A logged
 * error's frames are its stack, which its text already holds (with its cause and properties), so they are not repeated.
 */
export function framesBelowText(entry: ConsoleEntry): StackFrame[] {
  return (entry.method === 'trace' || entry.method === 'assert') && entry.frames ? entry.frames : [];
}

export function continuesLine(prev: ConsoleEntry | undefined, next: ConsoleEntry): boolean {
  return (
    !!prev?.open &&
    prev.cellId === next.cellId &&
    prev.executionId === next.executionId &&
    prev.method === next.method &&
    prev.depth === next.depth &&
    !prev.values &&
    !next.values &&
    !next.table &&
    !next.frames &&
    prev.text.length + next.text.length <= MAX_CONSOLE_TEXT
  );
}

/** Adds `entry` to `entries`, joined to the last one when it continues that line (a new object: entries are shared). */
export function pushConsoleEntry(entries: ConsoleEntry[], entry: ConsoleEntry): void {
  const last = entries[entries.length - 1];
  if (!last || !continuesLine(last, entry)) {
    entries.push(entry);
    return;
  }
  const { open: _open, ...joined } = last;
  entries[entries.length - 1] = entry.open ? { ...joined, text: last.text + entry.text, open: true } : { ...joined, text: last.text + entry.text };
}

/** The fields of an entry that a batch repeats line after line (a loop's lines share their cell, run, method, level and depth). */
const REPEATED = new Set(['method', 'level', 'cellId', 'executionId', 'depth']);

/** A console entry in a PackedConsole: without the repeated fields when they equal the entry's before it. */
export type PackedConsoleEntry = Partial<ConsoleEntry>;

/**
 * A batch of console entries as a kernel sends it to its host (WorkerEvents.console): each entry leaves out the
 * repeated fields it shares with the entry before. A 100k-line loop's batches are then ~40% of the bytes that each
 * process on the way (a Deno or Bun runtime, the worker, the host) writes and parses; hosts see whole entries
 * (KernelEvents.console, unpackConsole).
 */
export interface PackedConsole {
  packed: PackedConsoleEntry[];
}

function sameStream(a: ConsoleEntry, b: ConsoleEntry): boolean {
  return a.cellId === b.cellId && a.executionId === b.executionId && a.method === b.method && a.level === b.level && a.depth === b.depth;
}

export function packConsole(entries: ConsoleEntry[]): PackedConsole {
  const packed: PackedConsoleEntry[] = [];
  let prev: ConsoleEntry | undefined;
  for (const entry of entries) {
    if (prev && sameStream(prev, entry)) {
      // (the other fields copied key by key: a rest pattern cost more than the JSON it saves)
      const rest: Record<string, unknown> = {};
      for (const key in entry) if (!REPEATED.has(key)) rest[key] = entry[key as keyof ConsoleEntry];
      packed.push(rest);
    } else packed.push(entry);
    prev = entry;
  }
  return { packed };
}

/** The whole entries of a batch (an entry without a cell takes the repeated fields of the entry before it). */
export function unpackConsole(batch: PackedConsole): ConsoleEntry[] {
  const entries: ConsoleEntry[] = [];
  let prev: ConsoleEntry | undefined;
  for (const p of Array.isArray(batch?.packed) ? batch.packed : []) {
    // (assigned onto a literal: spreading both took ~2.8 µs an entry, 280 ms of a host's CPU for a 100k-line loop)
    const entry = (
      p.cellId === undefined && prev
        ? Object.assign({ method: prev.method, level: prev.level, cellId: prev.cellId, executionId: prev.executionId, depth: prev.depth }, p)
        : p
    ) as ConsoleEntry;
    entries.push(entry);
    prev = entry;
  }
  return entries;
}
