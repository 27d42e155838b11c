/**
 * Maps V8 stack traces back to notebook cells. Each executed cell registers the script filename it ran
 * under; frames in those files become `cell[<label>]:line:col` (line 1 shifted by the transform's prologue),
 * and frames inside the worker itself or Node internals are dropped.
 */
import { inspect, types } from 'node:util';
import { budgetText, PREVIEW_BUDGET, previewText, type TextBudget } from '../inspect/inspectText';
import { withoutVersion } from './localModuleHooks';
import { siteOf } from './moduleSyntaxSite';
import { RESOLVER_FILE } from './moduleLoader';
import { formatFrame, NO_SECRETS, type Masker, type ScriptPlace, type SerializedError, type StackFrame } from '../../protocol';
import type { Columns } from '../transform/ColumnMap';
import { asPermissionDenied } from './permissionError';

/** Cell scripts remembered for mapping (old executions are forgotten first). */
export const MAX_MAPPED_SCRIPTS = 5000;

interface ScriptInfo {
  cellId: string;
  cellLabel: string;
  /** The run of the cell this script is. */
  executionId: number;
  prologueLength: number;
  /** Lines of the cell; frames past it are the transform's wrapper. */
  lineCount: number;
  columns: Columns;
  /** The cell is part of a script (ExecuteParams.script): its frames name the script's lines. */
  script?: ScriptPlace;
}

const FRAME = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/;
/** A frame the console wrote more after (`console.log(err, 'more')`): the frame, then what follows it on its line. */
const FRAME_THEN_MORE = /^(\s*at (?:.+? \()?.+?:\d+:\d+\)?)( .+)$/;
const ELIDED_FRAMES = /^\s*\.\.\. \d+ lines? matching cause stack trace \.\.\.$/;
/** A frame of Bun's own code (JavaScriptCore names no place for it): `at runInThisContext (unknown)`, `at map (native)`. */
const PLACELESS_FRAME = /^\s*at (?:.+ )?\((?:unknown|native)\)$/;

/** The files a mapper shows no frame of: those under these prefixes, or every file that is not a cell (the Sandbox has no others). */
export type InternalFiles = readonly string[] | 'all';

export class StackMapper {
  private readonly scripts = new Map<string, ScriptInfo>();

  /** `mask`: the kernel's secrets, masked in messages, stacks and props (V8's cut excerpts included). */
  constructor(
    private readonly internalFiles: InternalFiles,
    private readonly mask: Masker = NO_SECRETS,
  ) {}

  register(filename: string, info: ScriptInfo): void {
    this.scripts.delete(filename);
    this.scripts.set(filename, info);
    if (this.scripts.size > MAX_MAPPED_SCRIPTS) this.scripts.delete(this.scripts.keys().next().value!);
  }

  /** Frames of a V8 stack text, mapped; runtime internals dropped. */
  frames(stack: string): StackFrame[] {
    const out: StackFrame[] = [];
    for (const line of stack.split('\n')) {
      const m = FRAME.exec(line);
      if (!m) continue;
      // an anonymous async frame reads `at async <file>:line:col` (Deno prints these for cells)
      const frame = this.mapFrame(m[1] ?? '', m[2]!.replace(/^async /, ''), Number(m[3]), Number(m[4]));
      if (frame) out.push(frame);
    }
    return out;
  }

  mapFrame(functionName: string, file: string, line: number, column: number): StackFrame | undefined {
    const script = this.scripts.get(file);
    const fn = functionName.replace(/^async /, '');
    if (script) {
      if (line > script.lineCount) return undefined;
      const col = line === 1 ? column - script.prologueLength : column;
      const frame: StackFrame = {
        functionName: fn,
        cellId: script.cellId,
        cellLabel: script.cellLabel,
        line,
        column: Math.max(1, script.columns.original(line, col)),
      };
      if (script.script) frame.script = script.script;
      return frame;
    }
    if (this.internalFiles === 'all') return undefined;
    if (file.startsWith('node:') || file.startsWith('internal/') || RESOLVER_FILE.test(file) || this.internalFiles.some((f) => file.startsWith(f)))
      return undefined;
    // a helper module loaded again (localModuleHooks.ts) is shown at its file's own URL
    return { functionName: fn, file: withoutVersion(file), line, column };
  }

  /** The cell run of the first cell frame of a stack text (a frame in a cell's own code), if it is still mapped. */
  runOf(stack: string): { cellId: string; cellLabel: string; executionId: number } | undefined {
    for (const line of stack.split('\n')) {
      const script = this.scripts.get(FRAME.exec(line)?.[2]?.replace(/^async /, '') ?? '');
      if (script) return { cellId: script.cellId, cellLabel: script.cellLabel, executionId: script.executionId };
    }
    return undefined;
  }

  label(cellId: string): string {
    for (const s of this.scripts.values()) if (s.cellId === cellId) return s.cellLabel;
    return cellId;
  }

  /** The stack text with cell frames rewritten and internals dropped; the header lines are kept as they are. */
  rewrite(stack: string): string {
    const lines = stack.split('\n');
    const firstFrame = lines.findIndex((l) => FRAME.test(l));
    const header = firstFrame === -1 ? lines : lines.slice(0, firstFrame);
    const frames = this.frames(stack).map((f) => `    at ${formatFrame(f, (id) => this.label(id))}`);
    return [...header, ...frames].join('\n');
  }

  /**
   * Any text with stack traces in it (util.inspect of an error logged with console.log/console.error, nested causes,
   * errors inside objects): each frame line is rewritten as `cell[n]:line:col`, frames of the kernel itself and of
   * Node's internals are dropped, every other line is kept as it is.
   */
  rewriteFrames(text: string): string {
    if (!text.includes('    at ')) return text;
    const out: string[] = [];
    let afterFrame = false;
    for (const line of text.split('\n')) {
      // util.inspect ends the last frame before an error's own properties with ` {`, and elides frames its cause
      // shares (which are the kernel's own here)
      if (ELIDED_FRAMES.test(line)) continue;
      // (and the last frame of an error among others, in a list or a property, with `,`; the console writes the
      // arguments after an error on its last frame's line, which is a frame's when the line before was one)
      const whole = FRAME.exec(line);
      const more: RegExpExecArray | null = !whole && afterFrame ? FRAME_THEN_MORE.exec(line) : null;
      const brace: string = whole ? '' : more ? more[2]! : line.endsWith(' {') ? ' {' : line.endsWith(',') ? ',' : '';
      const bare = line.slice(0, line.length - brace.length);
      const m: RegExpExecArray | null = whole ?? (brace ? FRAME.exec(bare) : null);
      afterFrame = !!m || PLACELESS_FRAME.test(bare);
      if (!m) {
        if (!afterFrame) out.push(line);
        else if (brace) out.push(`${out.pop() ?? ''}${brace}`);
        continue;
      }
      const frame = this.mapFrame(m[1] ?? '', m[2]!.replace(/^async /, ''), Number(m[3]), Number(m[4]));
      if (frame) out.push(`${line.slice(0, line.indexOf('at '))}at ${formatFrame(frame, (id) => this.label(id))}${brace}`);
      else if (brace) out.push(`${out.pop() ?? ''}${brace}`);
    }
    return out.join('\n');
  }

  /** Plain error data with frames, location and cause mapped. Never throws. */
  serialize(thrown: unknown, depth = 0): SerializedError {
    try {
      // a thrown proxy is written as a value's preview writes it: no trap runs (reading its `stack` or `name` would run one)
      const error = types.isProxy(thrown) ? this.thrownValue(thrown) : asPermissionDenied(thrown, this.serializeUnsafe(thrown, depth));
      return depth === 0 ? this.mask(error) : error;
    } catch {
      return { name: 'Error', message: 'Uncaught exception (could not be described)' };
    }
  }

  /** A thrown value that is no error, previewed as a value is: its secrets masked before util.inspect's own cut of a long string could split one. */
  private thrownValue(thrown: unknown): SerializedError {
    return { name: 'Uncaught', message: previewText(thrown, MAX_THROWN_PREVIEW, this.mask) };
  }

  private serializeUnsafe(thrown: unknown, depth: number): SerializedError {
    if (thrown === null || (typeof thrown !== 'object' && typeof thrown !== 'function')) {
      return { name: 'Uncaught', message: describePrimitive(thrown) };
    }
    const e = thrown as Record<string, unknown>;
    // a thrown object that is no error (`throw { code: 42 }`): shown as what it is, as Node's REPL does, not as an
    // `Error` it never was (one shaped as an error, a name and a message, reads as one)
    const errorShaped = typeof e.stack === 'string' || !!e.position || (typeof e.name === 'string' && typeof e.message === 'string');
    if (!types.isNativeError(thrown) && !(thrown instanceof Error) && !errorShaped) return this.thrownValue(thrown);
    const name = typeof e.name === 'string' ? e.name : 'Error';
    const raw = typeof e.message === 'string' ? e.message : '';
    // Deno ends a module's error message with where it is (`\n    at file:///…/util.ts:2:19`), which its stack's frames
    // hold too: kept once, as a frame
    const trailing = /(?:\n\s+at [^\n]+:\d+:\d+)+$/.exec(raw);
    const message =
      trailing &&
      typeof e.stack === 'string' &&
      trailing[0]
        .trim()
        .split('\n')
        .every((l) => FRAME.test(l))
        ? raw.slice(0, trailing.index)
        : raw;
    const out: SerializedError = { name, message };
    if (typeof e.stack === 'string' || e.position) {
      const stack = typeof e.stack === 'string' ? e.stack : `${name}: ${message}`;
      out.frames = this.frames(stack);
      out.stack = this.rewrite(stack);
      // a module that does not parse: where, as Node's prelude or Bun's position says (moduleSyntaxSite.ts)
      const site = siteOf(e);
      if (site && out.frames[0]?.file !== site.file) {
        // a cell's own script that V8 refused after acorn read it (a `using` in a block on a Node without them) is
        // placed in the cell, as its other frames are
        const frame = this.mapFrame('', site.file, site.line, site.column) ?? { functionName: '', ...site };
        out.frames.unshift(frame);
        out.stack = [
          `${name}: ${message}`,
          `    at ${formatFrame(frame, (id) => this.label(id))}`,
          ...out.stack.split('\n').filter((l) => /^\s+at /.test(l)),
        ].join('\n');
      }
      const first = out.frames.find((f) => f.cellId);
      if (first) out.location = { cellId: first.cellId!, line: first.line, column: first.column };
    }
    if (depth < 4 && e.cause !== undefined) out.cause = this.serialize(e.cause, depth + 1);
    if (depth < 2 && Array.isArray(e.errors)) out.errors = (e.errors as unknown[]).slice(0, 10).map((x) => this.serialize(x, depth + 1));
    const props = this.errorProps(e, name, raw);
    if (props) out.props = props;
    return out;
  }

  /**
   * An error's own enumerable properties as text, as Node's REPL lists them under its stack: each value as a one-line
   * preview (`code: 'E_ONE'`, `issues: [ { code: 'invalid_type', path: [ 'name' ] } ]`), an accessor as `[Getter]`
   * (never called). What the header or the frames show already is left out: the cause and errors (shown
   * below), the stack, and a `name` or `message` the header read (the same value, or through its getter).
   */
  private errorProps(e: Record<string, unknown>, name: string, message: string): Record<string, string> | undefined {
    const props: Record<string, string> = {};
    let n = 0;
    for (const k of Object.keys(e)) {
      if (n >= MAX_ERROR_PROPS) break;
      if (k === 'cause' || k === 'errors' || k === 'stack') continue;
      const d = Object.getOwnPropertyDescriptor(e, k);
      if (!d) continue;
      // the header read `name` and `message` (through a getter too: a ZodError's message is one)
      if ((k === 'name' || k === 'message') && (!('value' in d) || d.value === (k === 'name' ? name : message))) continue;
      if (!('value' in d)) props[k] = d.get ? (d.set ? '[Getter/Setter]' : '[Getter]') : '[Setter]';
      else props[k] = budgetText(d.value, ERROR_PROP_BUDGET, this.mask);
      n++;
    }
    return n ? props : undefined;
  }
}

/** The properties of an error listed under it. */
const MAX_ERROR_PROPS = 10;
/** An error property's text: a one-line preview a level deeper than a value's (a validation error's `issues[0].path`). */
const ERROR_PROP_BUDGET: Readonly<TextBudget> = { ...PREVIEW_BUDGET, depth: 2 };

/** The longest preview of a thrown object that is no error. */
const MAX_THROWN_PREVIEW = 500;

/** A thrown primitive as Node's REPL names it (`Uncaught 'text'`, `Uncaught 42n`, `Uncaught Symbol(x)`). */
function describePrimitive(v: unknown): string {
  return inspect(v);
}
