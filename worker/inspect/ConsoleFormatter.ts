/**
 * Node's console semantics as data: each call becomes a ConsoleEntry (or nothing), with the text Node would
 * print, expandable previews of object arguments, tables, group depth, counters and timers.
 * Pure apart from the registry: clocks come from the caller (ctx.time), so it is testable.
 */
import { formatWithOptions, inspect, types } from 'node:util';
import {
  MAX_CONSOLE_TEXT,
  NO_SECRETS,
  withoutCutCounts,
  type ConsoleEntry,
  type ConsoleLevel,
  type ConsoleMethod,
  type Masker,
  type RemoteValue,
  type StackFrame,
} from '../../protocol';
import { buildConsoleTable } from './consoleTable';
import { describeValue } from './describeValue';
import { withNestedFormats } from './nestedFormats';
import { stripInternalSymbols } from './internalSymbols';
import type { HandleRegistry } from './HandleRegistry';

/** Object arguments of one call kept expandable. */
export const MAX_VALUES_PER_ENTRY = 8;
/** Nesting depth util.inspect uses for objects inside a console line (Node's default). */
export const CONSOLE_INSPECT_DEPTH = 2;

export interface ConsoleCallContext {
  cellId: string;
  executionId: number;
  /** ms, any monotonic origin (performance.now()); used for timers and as the entry's clock. */
  time: number;
  line?: number;
  frames?: StackFrame[];
  mapStack?: (stack: string) => StackFrame[];
  /** Stack traces inside the text (a logged error) mapped to cells, the kernel's own frames dropped. */
  rewriteStacks?: (text: string) => string;
}

const LEVEL: Record<ConsoleMethod, ConsoleLevel> = {
  log: 'log',
  info: 'info',
  warn: 'warn',
  error: 'error',
  debug: 'debug',
  trace: 'log',
  dir: 'log',
  dirxml: 'log',
  table: 'log',
  group: 'log',
  groupCollapsed: 'log',
  groupEnd: 'log',
  time: 'log',
  timeEnd: 'log',
  timeLog: 'log',
  count: 'log',
  countReset: 'log',
  assert: 'error',
  clear: 'log',
};

const FORMAT_OPTIONS = { depth: CONSOLE_INSPECT_DEPTH, colors: false, maxArrayLength: 100, maxStringLength: 10_000 };

/**
 * The text Node's console writes for these arguments, with a plugin's preview for each value it formats, as an
 * argument or inside one (worker/inspect/nestedFormats.ts). A format string's arguments stay as they are: `%d`, `%j`
 * and `%o` read the values themselves. A format string is masked before it is applied: a secret in it that holds
 * `%i` or `%%` would otherwise come out changed (`%i` of an object is `NaN`), no longer the secret the masker looks
 * for, and the rest of it shown.
 */
function formatArgs(mask: Masker, ...args: unknown[]): string {
  if (typeof args[0] === 'string' && args[0].includes('%')) {
    return formatWithOptions(FORMAT_OPTIONS, mask.active && args.length > 1 ? mask.text(args[0]) : args[0], ...args.slice(1));
  }
  const plain = primitivesText(args);
  if (plain !== undefined) return plain;
  const nested = args.map((a) => withNestedFormats(a, CONSOLE_INSPECT_DEPTH, FORMAT_OPTIONS.maxArrayLength, true, undefined, FORMAT_OPTIONS.maxStringLength));
  const text = formatWithOptions(FORMAT_OPTIONS, ...args.map((a, i) => (nested[i] ? nested[i].value : a)));
  return nested.reduce((t, n) => (n ? n.restore(t) : t), text);
}

/**
 * The text util.format gives arguments that are all strings, numbers, bigints, booleans, null or undefined, when the
 * first is no format string (the caller checked): strings as they are, the others as inspect writes them, joined by
 * spaces. Undefined when any argument is something else. The usual `console.log('line', i)` then costs no inspect (a
 * loop that logs is bound by this: on Bun, inspect is a JavaScript polyfill).
 */
export function primitivesText(args: readonly unknown[]): string | undefined {
  let text = '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let t: string;
    switch (typeof a) {
      case 'string':
        t = a;
        break;
      case 'number':
        t = Object.is(a, -0) ? '-0' : String(a);
        break;
      case 'bigint':
        t = `${a}n`;
        break;
      case 'boolean':
      case 'undefined':
        t = String(a);
        break;
      default:
        if (a !== null) return undefined;
        t = 'null';
    }
    text = i ? `${text} ${t}` : t;
  }
  return text;
}

export class ConsoleFormatter {
  private depth = 0;
  private readonly counts = new Map<string, number>();
  private readonly timers = new Map<string, number>();
  private readonly registry: HandleRegistry | undefined;
  readonly mask: Masker;

  /** `mask`: the kernel's secrets, masked in every text before it is cut to its budget. */
  constructor(opts: { registry?: HandleRegistry; mask?: Masker }) {
    this.registry = opts.registry;
    this.mask = opts.mask ?? NO_SECRETS;
  }

  reset(): void {
    this.depth = 0;
    this.counts.clear();
    this.timers.clear();
  }

  format(method: ConsoleMethod, args: unknown[], ctx: ConsoleCallContext): ConsoleEntry | undefined {
    switch (method) {
      case 'group':
      case 'groupCollapsed': {
        const entry = this.entry(method, args.length ? formatArgs(this.mask, ...args) : '', ctx, args);
        if (method === 'groupCollapsed') entry.collapsed = true;
        this.depth++;
        return entry;
      }
      case 'groupEnd':
        this.depth = Math.max(0, this.depth - 1);
        return undefined;
      case 'count': {
        const label = labelOf(args);
        const n = (this.counts.get(label) ?? 0) + 1;
        this.counts.set(label, n);
        return this.entry(method, `${label}: ${n}`, ctx);
      }
      case 'countReset': {
        const label = labelOf(args);
        if (!this.counts.has(label)) return this.warn(method, `Count for '${label}' does not exist`, ctx);
        this.counts.set(label, 0);
        return undefined;
      }
      case 'time': {
        const label = labelOf(args);
        if (this.timers.has(label)) return this.warn(method, `Label '${label}' already exists for console.time()`, ctx);
        this.timers.set(label, ctx.time);
        return undefined;
      }
      case 'timeEnd':
      case 'timeLog': {
        const label = labelOf(args);
        const started = this.timers.get(label);
        if (started === undefined) return this.warn(method, `No such label '${label}' for console.${method}()`, ctx);
        if (method === 'timeEnd') this.timers.delete(label);
        const extra = method === 'timeLog' ? args.slice(1) : [];
        const text = `${label}: ${formatDuration(ctx.time - started)}${extra.length ? ' ' + formatArgs(this.mask, ...extra) : ''}`;
        return this.entry(method, text, ctx, extra);
      }
      case 'assert': {
        if (args[0]) return undefined;
        const rest = args.slice(1);
        const text = rest.length ? `Assertion failed: ${formatArgs(this.mask, ...rest)}` : 'Assertion failed';
        const entry = this.entry(method, text, ctx, rest);
        if (ctx.frames?.length) entry.frames = ctx.frames;
        return entry;
      }
      case 'trace': {
        const entry = this.entry(method, `Trace${args.length ? ': ' + formatArgs(this.mask, ...args) : ''}`, ctx, args);
        if (ctx.frames?.length) entry.frames = ctx.frames;
        return entry;
      }
      case 'dir': {
        const options = (args[1] && typeof args[1] === 'object' ? args[1] : {}) as object;
        return this.entry(method, inspect(args[0], { ...FORMAT_OPTIONS, customInspect: false, ...options }), ctx, args.slice(0, 1));
      }
      case 'table': {
        const table = buildConsoleTable(args[0], Array.isArray(args[1]) ? (args[1] as unknown[]).map(String) : undefined, this.mask);
        if (!table) return this.entry('log', formatArgs(this.mask, ...args), ctx, args);
        const entry = this.entry(method, table.text, ctx);
        entry.table = { columns: table.columns, rows: table.rows };
        return entry;
      }
      case 'clear':
        this.depth = 0;
        return this.entry(method, '', ctx);
      default: {
        const entry = this.entry(method, formatArgs(this.mask, ...args), ctx, args);
        const segments = entry.values && this.segments(args, ctx);
        if (segments) entry.segments = segments;
        // console.log(err), console.error(err), `.catch(console.error)`: the error's frames, clickable
        if (ctx.mapStack) {
          const err = args.find(isLoggedError);
          if (err) entry.frames = ctx.mapStack(err.stack!);
        }
        return entry;
      }
    }
  }

  private warn(method: ConsoleMethod, text: string, ctx: ConsoleCallContext): ConsoleEntry {
    const entry = this.entry(method, text, ctx);
    entry.level = 'warn';
    return entry;
  }

  private entry(method: ConsoleMethod, text: string, ctx: ConsoleCallContext, args: unknown[] = []): ConsoleEntry {
    const entry: ConsoleEntry = {
      method,
      level: LEVEL[method],
      cellId: ctx.cellId,
      executionId: ctx.executionId,
      time: ctx.time,
      depth: this.depth,
      // masked before the cut (a secret across the limit never leaves its first characters behind), and the count of
      // what was cut is of masked text: the original's would tell how long a secret is
      text: consoleText(this.mask, stripInternalSymbols(ctx.rewriteStacks ? ctx.rewriteStacks(text) : text)),
    };
    if (ctx.line !== undefined) entry.line = ctx.line;
    const values = this.objectValues(args, ctx.cellId);
    if (values) entry.values = values;
    return entry;
  }

  /**
   * `console.log('label', obj, 3)` argument by argument, as util.format joins them when the first argument is not a
   * format string: strings as they are, other primitives inspected, objects as slots for their values. Undefined
   * when the call used a format string, or its text was cut (the renderer then shows the text and the trees).
   */
  private segments(args: unknown[], ctx: ConsoleCallContext): ConsoleEntry['segments'] {
    if (typeof args[0] === 'string' && args[0].includes('%')) return undefined;
    const out: NonNullable<ConsoleEntry['segments']> = [];
    let slot = 0;
    let length = 0;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      const sep = i > 0 ? ' ' : '';
      if ((typeof a === 'object' && a !== null) || typeof a === 'function') {
        if (slot >= MAX_VALUES_PER_ENTRY) return undefined;
        if (sep) out.push(sep);
        out.push({ value: slot++ });
        continue;
      }
      let text = typeof a === 'string' ? a : inspect(a, FORMAT_OPTIONS);
      text = ctx.rewriteStacks ? ctx.rewriteStacks(text) : text;
      length += text.length;
      if (length > MAX_CONSOLE_TEXT) return undefined;
      out.push(this.mask.text(stripInternalSymbols(sep + text)));
    }
    return out;
  }

  private objectValues(args: unknown[], cellId: string): RemoteValue[] | undefined {
    let values: RemoteValue[] | undefined;
    for (const a of args) {
      if ((typeof a !== 'object' || a === null) && typeof a !== 'function') continue;
      (values ??= []).push(describeValue(a, { registry: this.registry, cellId, mask: this.mask }));
      if (values.length >= MAX_VALUES_PER_ENTRY) break;
    }
    return values;
  }
}

function labelOf(args: unknown[]): string {
  return args[0] === undefined ? 'default' : String(args[0]);
}

/** Node's console.timeEnd formatting: 1.234ms, 1.234s, 1:02.345 (m:ss.mmm), 1:02:03.456 (h:mm:ss.mmm). */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000) {
    const h = Math.floor(ms / 3_600_000);
    const m = Math.floor((ms % 3_600_000) / 60_000);
    const s = (ms % 60_000) / 1000;
    return `${h}:${String(m).padStart(2, '0')}:${s.toFixed(3).padStart(6, '0')} (h:mm:ss.mmm)`;
  }
  if (ms >= 60_000) {
    const m = Math.floor(ms / 60_000);
    const s = (ms % 60_000) / 1000;
    return `${m}:${s.toFixed(3).padStart(6, '0')} (m:ss.mmm)`;
  }
  if (ms >= 1000) return `${(ms / 1000).toFixed(3)}s`;
  return `${ms.toFixed(3)}ms`;
}

function consoleText(mask: Masker, raw: string): string {
  // masked before inspect's trailers lose their counts: the masker reads a trailer to find a secret's cut remains
  const masked = withoutCutCounts(mask, mask.active ? mask.text(raw) : raw);
  return masked.length > MAX_CONSOLE_TEXT ? `${mask.cut(masked, MAX_CONSOLE_TEXT)}… (${masked.length - MAX_CONSOLE_TEXT} more characters)` : masked;
}

/**
 * An error among a console call's arguments, whose frames the entry links. A Proxy is never one (`instanceof` would
 * run its getPrototypeOf trap, and throw for a revoked one, where Node's console prints `<Revoked Proxy>`).
 */
function isLoggedError(a: unknown): a is Error {
  if (typeof a !== 'object' || a === null || types.isProxy(a)) return false;
  try {
    return (types.isNativeError(a) || a instanceof Error) && typeof a.stack === 'string';
  } catch {
    return false; // a Proxy on its prototype chain that throws
  }
}
