/**
 * `coda` — the headless runner. `coda run notebook.coda` runs every code cell in one kernel on the notebook's
 * runtime (a fresh one after a crash, with --keep-going) and prints console output, results and a line per cell;
 * exit code 1 when a cell fails, 2 when the file is unreadable.
 * `coda runtimes` lists and fetches runtimes.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { convertCommand } from '../host/notebook/convertCommand';
import { readNotebook } from '../host/notebook/readNotebook';
import { notebookFormatOf } from '../host/notebook/convertNotebookText';
import { scriptPlaces } from '../host/notebook/scriptNotebook';
import {
  enforcementLines,
  METADATA_PERMISSIONS,
  parsePermissions,
  RUNTIME_LABELS,
  uncaughtHeading,
  type CodaDocument,
  type InitResult,
  type RuntimeKind,
} from '../protocol';
import type { Kernel } from '../host/kernel/Kernel';
import { KernelProcess } from '../host/kernel/KernelProcess';
import { parseArgs, USAGE, type RunOptions } from './args';
import {
  ansi,
  formatCellHeader,
  formatCellStatuses,
  formatConsoleEntry,
  formatDisplay,
  formatDisplayUpdate,
  formatError,
  formatKernelExit,
  formatSettledResult,
  formatSummary,
  formatValue,
  formatWorkLeft,
  plain,
} from '../host/format/formatText';
import { prepareNotebook } from './prepareNotebook';
import { cellFailed, runNotebook, type CellReport, type WorkLeft } from '../host/run/runNotebook';
import { jsonSafe, terminalSafe } from '../host/format/terminalSafe';
import { ConsoleLines } from '../host/format/ConsoleLines';
import { notebookRuntime, runtimesCommand } from './runtimeSetup';
import { cacheCommand } from './cacheCommand';
import type { EarlyWorker } from './earlyWorker';

declare const CODA_VERSION: string | undefined;

/** stderr carries file names, notebook fields and kernel messages: made terminal-safe like stdout. */
const warn = (s: string) => process.stderr.write(terminalSafe(s));

/** The exit status of a program ended by SIGPIPE (128 + 13), as a shell reports it. */
const CLOSED_OUTPUT_STATUS = 141;
/** The kernel `coda run` is running cells in, for a stop from outside the run (a second Ctrl-C, closed output). */
let runningKernel: Kernel | undefined;
let stopping = false;

/** Stops the kernel (and the early worker, if still unused), then exits with `code`; once. */
function stopAndExit(code: number, early: EarlyWorker | undefined): void {
  if (stopping) return;
  stopping = true;
  void (runningKernel?.dispose() ?? Promise.resolve()).then(() => {
    early?.dispose();
    process.exit(code);
  });
}

/**
 * Output whose reader has gone (`coda run nb.coda | head`): the run stops, quietly, as a program SIGPIPE ends would,
 * with its status. Node ignores SIGPIPE, so the write's EPIPE was an unhandled error: a stack trace on stderr.
 */
function stopWhenOutputCloses(early: EarlyWorker | undefined): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') stopAndExit(CLOSED_OUTPUT_STATUS, early);
      else throw err;
    });
  }
}

async function main(argv: string[], early: EarlyWorker | undefined): Promise<number> {
  let cmd;
  try {
    cmd = parseArgs(argv);
  } catch (err) {
    warn(`coda: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (cmd.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (cmd.command === 'version') {
    process.stdout.write(`${typeof CODA_VERSION === 'string' ? CODA_VERSION : 'dev'}\n`);
    return 0;
  }
  if (cmd.command === 'runtimes') return runtimesCommand(cmd);
  if (cmd.command === 'cache') return cacheCommand(cmd);
  if (cmd.command === 'convert') {
    const result = await convertCommand(cmd.from, cmd.to, { force: cmd.force });
    for (const line of result.lines) warn(`${line}\n`);
    return result.exitCode;
  }
  return run(cmd, early);
}

async function run(opts: RunOptions, early: EarlyWorker | undefined): Promise<number> {
  const file = resolve(opts.file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    warn(`coda: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  // a .ipynb (Deno, tslab, ijavascript) runs too, converted in memory; the file is never written
  const parsed = readNotebook(file, text);
  if (!parsed.ok) {
    for (const p of parsed.problems) warn(`${file}:${p.line}:${p.column}: ${p.message}${p.path ? ` (${p.path})` : ''}\n`);
    warn('coda: the notebook was not run, and the file was left as it is.\n');
    return 2;
  }
  const paint = process.stdout.isTTY && !process.env.NO_COLOR && !opts.json ? ansi : plain;
  const runtime = notebookRuntime(parsed.doc, opts);
  // what the notebook may do, and how this runtime holds it (the grant prompt's and docs/security.md's words)
  for (const line of permissionLines(parsed.doc, runtime)) warn(`coda: ${line}\n`);
  const log = opts.verbose ? (level: string, m: string) => warn(`[kernel ${level}] ${m}\n`) : undefined;
  // permissions and secrets, then the packages (an import that cannot be installed fails only the cells that import
  // it), then the kernel's runtime (downloaded when missing): host/run/prepareRun.ts, as in the editor
  let ready;
  try {
    ready = await prepareNotebook(file, parsed.doc, opts, runtime, (m) => warn(`coda: ${m}\n`), log);
  } catch (err) {
    warn(`coda: ${(err as Error).message}\n`);
    return 1;
  }
  if (ready.note) warn(`coda: ${ready.note}\n`);
  if (!ready.prepared.ok) {
    warn(`coda: ${ready.prepared.error.message}\n`);
    return 1;
  }
  const { kernel: startOptions, cellErrors } = ready.prepared;
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) {
      stopAndExit(130, early);
      return;
    }
    warn('\ncoda: interrupting the running cell (Ctrl-C again to quit)\n');
    runningKernel?.interrupt();
    setTimeout(() => (interrupts = 0), 2000).unref();
  };
  process.on('SIGINT', onSigint);
  const labels = new Map<string, string>();
  const label = (cellId: string) => labels.get(cellId) ?? cellId;
  const started = Date.now();
  // everything printed comes from the notebook or its cells: no control sequence reaches the terminal
  const terminal = new ConsoleLines((s) => process.stdout.write(terminalSafe(s)));
  const out = (s: string) => terminal.line(s);
  let current: CellReport | undefined;
  const late = (owner: CellReport | undefined) => (owner && owner !== current ? paint('dim', `(from cell ${owner.label}) `) : '');
  let reports: CellReport[] = [];
  let kernels = 0;
  let info: InitResult | undefined;
  let kernelError: string | undefined;
  let workLeft: WorkLeft | undefined;
  /** The exit code the cells set (`process.exitCode = 2`): `coda run` exits with it when no cell failed, as Node would. */
  let cellsExitCode: number | undefined;
  const exitCode = (code: number) => (cellsExitCode = code);
  // a script's frames name its own lines, under the name the user gave it; its cells' headings say where they start
  const places = notebookFormatOf(file) === 'script' ? scriptPlaces(opts.file, text) : undefined;
  const kernelStarted = (k: Kernel, ordinal: number) => {
    runningKernel = k;
    kernels = ordinal;
    info ??= k.info;
  };
  try {
    reports = await runNotebook(
      // the first kernel may take the worker cli/entry.ts forked (only if its launch is exactly this one)
      // every kernel reads the runner's stdin (`cat data | coda run nb.coda`), as a Node script would
      () => KernelProcess.start({ ...startOptions, stdin: 'inherit', adopt: early && ((launch) => early.adopt(launch)) }),
      parsed.doc.cells,
      {
        cellTimeoutMs: opts.cellTimeoutMs,
        keepGoing: opts.keepGoing,
        drainMs: opts.drainMs,
        cellErrors,
        ...(places && { scriptPlaces: places }),
      },
      opts.json
        ? { kernelStarted, exitCode, workLeft: (left) => (workLeft = left) }
        : {
            exitCode,
            workLeft: (left) => out(formatWorkLeft(left, paint)),
            kernelStarted: (k, ordinal) => {
              kernelStarted(k, ordinal);
              if (ordinal > 1) out(paint('yellow', `── fresh kernel (${ordinal}): variables from earlier cells are gone`));
            },
            kernelExited: (reason, cell, restart) =>
              out(formatKernelExit(reason, cell && { label: cell.label, during: !!cell.kernelExit?.during }, restart, paint)),
            cellStarted: (r, source) => {
              current = r;
              labels.set(`cell-${r.index + 1}`, r.label);
              out(formatCellHeader(r.label, source.split('\n').find((l) => l.trim()) ?? '', paint, places?.[r.index]));
            },
            console: (e, owner) =>
              terminal.console(
                e,
                () => late(owner) + formatConsoleEntry(e, label, paint),
                () => formatConsoleEntry({ ...e, depth: 0 }, label, paint),
              ),
            // a display id's update replaces what earlier displays showed; a terminal can only say so below them
            display: (d, owner, change) => out(late(owner) + formatDisplayUpdate(change, paint) + formatDisplay(d, paint)),
            resultSettled: (r) => {
              if (r.value) out(formatSettledResult(r.label, r.value, paint));
            },
            uncaught: (e, owner, from) => out(paint('red', `${uncaughtHeading(owner?.label, from === 'result')}: `) + formatError(e, label, paint)),
            cellFinished: (r) => {
              if (r.value && r.value.type !== 'undefined') out(formatValue(r.value, paint));
              if (r.error) out(formatError(r.error, label, paint));
              if (r.status === 'interrupted') out(paint('yellow', 'Interrupted'));
              if (r.status === 'timeout') out(paint('red', `Timed out after ${opts.cellTimeoutMs} ms (interrupted)`));
            },
          },
    );
  } catch (err) {
    kernelError = (err as Error).message;
  } finally {
    process.off('SIGINT', onSigint);
  }
  const failed = reports.filter(cellFailed).length + (kernelError ? 1 : 0);
  const code = reports.filter((r) => r.kind === 'code');
  if (opts.json) {
    const runtime = info?.runtime ?? notebookRuntime(parsed.doc, opts);
    process.stdout.write(
      `${jsonSafe(JSON.stringify({ file, runtime, runtimeVersion: info?.runtimeVersion, ok: failed === 0, error: kernelError, kernels, cells: reports, workLeft, exitCode: cellsExitCode }, null, 2))}\n`,
    );
  } else {
    if (kernelError) out(paint('red', kernelError));
    out(formatCellStatuses(reports, paint));
    out(formatSummary(code.filter((r) => r.status !== 'skipped').length, failed, code.length, Date.now() - started, paint, Math.max(0, kernels - 1)));
    if (cellsExitCode !== undefined && !failed) out(paint('yellow', `the cells set process.exitCode to ${cellsExitCode}: coda run exits with it`));
  }
  return failed ? 1 : (cellsExitCode ?? 0);
}

/** Runs `coda` with these arguments (after `coda`), then exits; `early`: the worker cli/entry.ts forked, if any. */
export function cli(argv: string[], early?: EarlyWorker): void {
  stopWhenOutputCloses(early);
  main(argv, early).then(
    (code) => {
      // a stop from outside the run (closed output, a second Ctrl-C) exits with its own status
      if (stopping) return;
      early?.dispose();
      process.exit(code);
    },
    (err: unknown) => {
      early?.dispose();
      warn(`coda: unexpected failure: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

/** One line per declared capability: what is granted and how the runtime holds it (protocol/enforcement.ts). */
function permissionLines(doc: CodaDocument, runtime: RuntimeKind): string[] {
  let declared;
  try {
    declared = parsePermissions(doc.metadata[METADATA_PERMISSIONS]);
  } catch {
    return []; // the reader refused these already; prepareNotebook reports it
  }
  if (!declared) return [];
  return enforcementLines(runtime, declared).map(({ capability, how }) => {
    const targets = declared[capability]!.length ? declared[capability]!.join(', ') : 'nothing';
    return `permission ${capability} (${targets}) on ${RUNTIME_LABELS[runtime]}: ${how}`;
  });
}
