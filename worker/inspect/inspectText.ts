/**
 * A value written as util.inspect writes it, with user hooks off, masked and cut to a budget: one core for an object's
 * one-line preview and for a cell result's full text (Node's REPL layout). Runs no getter, Proxy trap or custom inspect
 * function, but util.inspect's read of `Symbol.toStringTag` (describeValue.ts), and never throws.
 */
import { inspect } from 'node:util';
import { MAX_CONSOLE_TEXT, NO_SECRETS, withoutCutCounts, type Masker } from '../../protocol';
import { stripInternalSymbols } from './internalSymbols';
import { withNestedFormats } from './nestedFormats';

/** How a text is written: util.inspect's layout options and the text's own budget. */
export interface TextBudget {
  /** Levels of nesting util.inspect shows (deeper objects read `[Object]`, `[Array]`). */
  depth: number;
  /** Items of an array, Map or Set listed before `... N more items` (also the fields of a Web API view). */
  maxArrayLength: number;
  /** Characters of a string shown before `... N more characters`. */
  maxStringLength: number;
  /** Characters of a line before util.inspect breaks an object over lines (Infinity: never). */
  breakLength: number;
  /**
   * util.inspect's `compact`: true for one line (or, with a breakLength, an entry a line), 3 for Node's REPL layout,
   * which groups lists into columns: only where textLayout.ts finds that this runs no code.
   */
  compact: boolean | number;
  /** Characters of the whole text. */
  maxChars: number;
  /** A preview: line breaks folded into spaces, cut with a bare `…`; else a text cut saying how much was left out. */
  oneLine: boolean;
}

/** Characters of a string value sent as is; the full length is reported beside it (and a result's text shows as many). */
export const MAX_STRING_CHARS = 10_000;
/** Characters of an object's one-line preview. */
export const MAX_PREVIEW_CHARS = 240;
/** Elements/properties util.inspect lists before "... more items". */
export const MAX_PREVIEW_ITEMS = 12;
/** Characters of a string shown inside an object preview. */
export const MAX_PREVIEW_STRING = 60;
/** Characters of a cell result's full text: a console entry's (longer text is cut, saying how much was left out). */
export const MAX_RESULT_TEXT = MAX_CONSOLE_TEXT;
/** Items of each list a result's full text shows: Node's REPL default, as console.log. */
export const RESULT_TEXT_ITEMS = 100;
/** Levels of nesting a result's full text shows: Node's REPL default, as console.log. */
export const RESULT_TEXT_DEPTH = 2;

/** An object's one-line preview, for the expandable inspector: `{ a: { b: [Object] }, list: [ 1, 2, 3 ] }`. */
export const PREVIEW_BUDGET: Readonly<TextBudget> = {
  depth: 1,
  maxArrayLength: MAX_PREVIEW_ITEMS,
  maxStringLength: MAX_PREVIEW_STRING,
  breakLength: Infinity,
  compact: true,
  maxChars: MAX_PREVIEW_CHARS,
  oneLine: true,
};

/** A cell result's full text, as the runtime's console (and `node -p`, and Node's REPL) prints it: Node's REPL defaults. */
export const RESULT_TEXT_BUDGET: Readonly<TextBudget> = {
  depth: RESULT_TEXT_DEPTH,
  maxArrayLength: RESULT_TEXT_ITEMS,
  maxStringLength: MAX_STRING_CHARS,
  breakLength: 80,
  compact: 3,
  maxChars: MAX_RESULT_TEXT,
  oneLine: false,
};

/** The same where grouping a list into columns would run code (textLayout.ts): an entry a line where one line is too long. */
export const FLAT_RESULT_TEXT_BUDGET: Readonly<TextBudget> = { ...RESULT_TEXT_BUDGET, compact: true };

/** What util.inspect may never do, whatever the layout. */
const HOOKS_OFF = { colors: false, customInspect: false, showProxy: true, getters: false, sorted: false } as const;

/** util.inspect's text of `value` (plugins' formats inside it, no stack frames), masked; not cut. */
export function inspectText(value: unknown, budget: TextBudget, mask: Masker): string {
  let text: string;
  try {
    // values a plugin formats show its preview inside this one too (worker/inspect/nestedFormats.ts)
    // a full text lays out the errors inside as they read without their frames (nestedFormats.ts)
    const nested = withNestedFormats(value, budget.depth, budget.maxArrayLength, true, budget.oneLine ? undefined : nestedErrorText, budget.maxStringLength);
    const shown = nested ? nested.value : value;
    const options = { ...layoutOf(budget), ...HOOKS_OFF };
    // (a string with line breaks is written in pieces, a line each, `'a\n' +\n  'b'`: the masker reads a secret across them)
    text = withoutStackFrames(inspect(shown, options));
    if (nested) text = nested.restore(text);
  } catch (err) {
    text = `<uninspectable: ${String(err)}>`;
  }
  // masked before line breaks are folded: a raw line break inside a secret (a symbol's description) would hide it
  return withoutCutCounts(mask, mask.text(stripInternalSymbols(text)));
}

/**
 * An error as a cell result's full text: as the console writes it (Node's REPL shows an error value so), its stack, its
 * own properties, its cause and an AggregateError's errors with theirs, the frames written by `frames` (the kernel's
 * stack mapper), masked and cut to the result's budget. No getter or custom inspect function of the error's runs.
 */
export function errorResultText(error: object, frames: (text: string) => string, mask: Masker): string {
  let text: string;
  try {
    text = frames(inspect(error, { ...layoutOf(RESULT_TEXT_BUDGET), ...HOOKS_OFF }));
  } catch (err) {
    text = `<uninspectable: ${String(err)}>`;
  }
  return fitText(withoutCutCounts(mask, mask.text(stripInternalSymbols(text))), RESULT_TEXT_BUDGET, mask);
}

/** An error inside a value, as its full text reads it: its header, props and cause on one line, without frames. */
function nestedErrorText(error: object): string {
  // (laid out as util.inspect lays an error out, then put on one line where it is placed: `Error: x { code: 'E' }`)
  return withoutStackFrames(inspect(error, { ...HOOKS_OFF, depth: 1 }));
}

/** A text within its budget: a preview folded onto one line and cut with `…`, a full text cut saying how much was left out. */
export function fitText(text: string, budget: TextBudget, mask: Masker): string {
  if (budget.oneLine) return text.length > budget.maxChars ? `${mask.cut(text, budget.maxChars - 1)}…` : mask.text(text);
  // the count is of the masked text: the original's would tell a secret's length
  const masked = mask.text(text);
  return masked.length > budget.maxChars ? `${mask.cut(masked, budget.maxChars)}… (${masked.length - budget.maxChars} more characters)` : masked;
}

/** util.inspect's text of `value` within the budget. */
export function budgetText(value: unknown, budget: TextBudget, mask: Masker): string {
  const text = inspectText(value, budget, mask);
  return fitText(budget.oneLine ? text.replace(/\s*\n\s*/g, ' ') : text, budget, mask);
}

/** util.inspect with user hooks switched off, secrets masked, cut to the preview budget (one line). */
export function previewText(value: unknown, maxChars = MAX_PREVIEW_CHARS, mask: Masker = NO_SECRETS): string {
  return budgetText(value, { ...PREVIEW_BUDGET, maxChars }, mask);
}

function layoutOf(b: TextBudget) {
  return { depth: b.depth, maxArrayLength: b.maxArrayLength, maxStringLength: b.maxStringLength, breakLength: b.breakLength, compact: b.compact };
}

/**
 * An error inside a value reads as it does at the top (`{ e: Error: inner }`, `Map(1) { 'k' => Error: x }`): the stack
 * frames util.inspect prints under it are dropped, with the kernel's own and the cell file's unmapped places (expanding
 * the error shows its stack, mapped). In a one-line preview only an error's stack spans lines (util.inspect escapes the
 * line breaks of strings and keys); what follows a frame on its line (` }`, `, next: 1`) is kept.
 */
export function withoutStackFrames(text: string): string {
  if (!text.includes('\n')) return text;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const frame = STACK_LINE.exec(line);
    if (frame && out.length) out.push(`${out.pop()!}${line.slice(frame[0].length)}`);
    else out.push(line);
  }
  return out.join('\n');
}

/**
 * A stack frame as V8, Deno and Bun print it (`at f (file:1:2)`, `at file:1:2`, `at new P (<anonymous>)`, `at f
 * (native)`), or util.inspect's elision of the frames an error shares with its cause; what follows it is not matched.
 */
const STACK_LINE = /^\s+(?:at (?:[^()]*\([^()]*\)|\S+:\d+:\d+|<anonymous>|native|unknown)|\.\.\. \d+ lines? matching cause stack trace \.\.\.)(?=$|[\s,\]}])/;
