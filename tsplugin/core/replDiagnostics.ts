/**
 * REPL truths: which of the program's diagnostics a notebook user should see, and the ones CodaJS adds because
 * the kernel would fail there. Nothing is reported that running the notebook contradicts: a name re-declared in a
 * later cell, a use in one cell of a name another cell declares later, an unused top-level name (the user inspects
 * it), a package that the first run installs, implicit `any`. JavaScript cells keep only what fails at run time
 * (an unknown name, a missing relative module), as VS Code does for unchecked JavaScript.
 */
import type * as ts from 'typescript';
import type { TS } from './analyzeCell';
import type { NotebookProgram } from './buildProgram';
import type { RuntimeId } from './pluginConfig';

/** Codes of CodaJS's own diagnostics (outside TypeScript's ranges), source `codajs`. */
export const CODA_EXPORT = 1_900_001;
export const CODA_SANDBOX_IMPORT = 1_900_002;
export const DIAGNOSTIC_SOURCE = 'codajs';
/** The kernel's own words (worker/transform/transformCell.ts, worker/isolate/prelude). */
export const EXPORT_MESSAGE = '`export` has no meaning in a notebook cell: declare the value instead (it is shared with later cells)';
export const SANDBOX_IMPORT_MESSAGE =
  'The sandbox cannot import modules (no module loader, file system or packages inside the sandbox). Use the Node kernel for packages.';

/** A name declared twice, across cells: re-running edited code. */
const REDECLARATION = new Set([2300, 2393, 2403, 2440, 2451, 2481, 2323, 2392, 2567]);
/** Used before its declaration / assignment: fine in a REPL when the declaring cell ran first. */
const USE_BEFORE_DECLARATION = new Set([2448, 2449, 2450]);
const USED_BEFORE_ASSIGNED = 2454;
/** Unused names and the like: a notebook keeps names to look at them later. */
const UNUSED = new Set([6133, 6138, 6192, 6196, 6198, 6199, 6205]);
/** Top-level await (the program is a module, so these only appear on odd options) and implicit any of packages. */
const NEVER = new Set([1375, 1378, 1431, 1432, 2821, 7016]);
/** Cannot find module: a package is installed by the first run; a missing relative file stays an error. */
const MODULE_NOT_FOUND = new Set([2307, 2792]);
/** What an unchecked JavaScript cell still shows: names and relative modules that do not exist at run time. */
const JS_KEEP = new Set([2304, 2552, 2580, 2581, 2582, 2583, 2584, 2591, 2592, 2593, 2307]);
/** Node-only names a Sandbox cell may reach for. */
const NODE_ONLY = /^(require|process|module|exports|Buffer|__dirname|__filename|global|setImmediate)$/;

export interface DiagnosticContext {
  tsm: TS;
  program: NotebookProgram;
  /** The cell the diagnostics are reported for. */
  cell: number;
  isTs: boolean;
  runtime: RuntimeId;
}

/** The diagnostic as the user should see it (message reworded for the runtime), or undefined to drop it. */
export function replDiagnostic(d: ts.Diagnostic, ctx: DiagnosticContext): ts.Diagnostic | undefined {
  const { program } = ctx;
  const text = program.map.text;
  const at = d.start === undefined ? '' : text.slice(d.start, d.start + (d.length ?? 0));
  if (UNUSED.has(d.code) || NEVER.has(d.code)) return undefined;
  if (!ctx.isTs && !JS_KEEP.has(d.code)) return undefined;
  if (REDECLARATION.has(d.code) && program.redeclared.has(at)) return undefined;
  if (USE_BEFORE_DECLARATION.has(d.code)) {
    const declared = d.relatedInformation?.find((r) => r.start !== undefined);
    const declCell = declared?.start !== undefined ? program.map.toCell(declared.start)?.cell : undefined;
    if (declCell === undefined || declCell !== ctx.cell) return undefined;
  }
  if (d.code === USED_BEFORE_ASSIGNED && !program.cells[ctx.cell]?.analysis.names.includes(at)) return undefined;
  if (MODULE_NOT_FOUND.has(d.code) && !/^['"`]\.{0,2}\//.test(at)) return undefined;
  if (ctx.runtime === 'sandbox' && NODE_ONLY.test(at) && d.code >= 2304 && d.code <= 2600)
    return { ...d, messageText: `Cannot find name '${at}': the Sandbox runtime has no ${at} (no Node APIs, modules or file system).` };
  return d;
}

/** CodaJS's own diagnostics for a cell, in the cell's coordinates: what the kernel refuses before running. */
export function codaDiagnostics(ctx: DiagnosticContext, dynamicImports: readonly { start: number; end: number }[]): ts.Diagnostic[] {
  const a = ctx.program.cells[ctx.cell]?.analysis;
  if (!a) return [];
  const error = (r: { start: number; end: number }, code: number, messageText: string): ts.Diagnostic => ({
    category: ctx.tsm.DiagnosticCategory.Error,
    code,
    file: undefined,
    start: r.start,
    length: r.end - r.start,
    messageText,
    source: DIAGNOSTIC_SOURCE,
  });
  const out = [...a.exportKeywords, ...a.exportStatements].map((r) => error(r, CODA_EXPORT, EXPORT_MESSAGE));
  if (ctx.runtime === 'sandbox') for (const r of [...a.imports, ...dynamicImports]) out.push(error(r, CODA_SANDBOX_IMPORT, SANDBOX_IMPORT_MESSAGE));
  return out.sort((x, y) => (x.start ?? 0) - (y.start ?? 0));
}
