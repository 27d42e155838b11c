/**
 * `coda` — the headless runner. `coda run notebook.coda` runs every code cell in one kernel on the notebook's
 * runtime and prints console output and results; exit code 1 when a cell fails, 2 when the file is unreadable.
 * `coda runtimes` lists and fetches runtimes.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseCoda } from '../protocol/codaFormat';
import { KernelProcess } from '../worker/host/KernelProcess';
import { parseArgs, USAGE, type RunOptions } from './args';
import { ansi, formatCellHeader, formatConsoleEntry, formatDisplay, formatError, formatSummary, formatValue, plain } from './formatText';
import { installDependencies } from './installDependencies';
import { runNotebook, type CellReport } from './runNotebook';
import { kernelOptions, notebookRuntime, runtimesCommand } from './runtimeSetup';

declare const CODA_VERSION: string | undefined;

async function main(argv: string[]): Promise<number> {
  let cmd;
  try {
    cmd = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`coda: ${(err as Error).message}\n\n${USAGE}\n`);
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
  return run(cmd);
}

async function run(opts: RunOptions): Promise<number> {
  const file = resolve(opts.file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    process.stderr.write(`coda: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  const parsed = parseCoda(text);
  if (!parsed.ok) {
    for (const p of parsed.problems) process.stderr.write(`${file}:${p.line}:${p.column}: ${p.message}${p.path ? ` (${p.path})` : ''}\n`);
    process.stderr.write('coda: the notebook was not run, and the file was left as it is.\n');
    return 2;
  }
  const paint = process.stdout.isTTY && !process.env.NO_COLOR && !opts.json ? ansi : plain;
  // the sandbox cannot import packages: nothing to install for it
  const sandboxed = notebookRuntime(parsed.doc, opts) === 'isolate';
  const deps = sandboxed ? { modulePaths: [] } : await installDependencies(file, parsed.doc, (m) => process.stderr.write(`coda: ${m}\n`), opts.offline);
  if (deps.error) {
    process.stderr.write(`coda: ${deps.error}\n`);
    return 1;
  }
  if (deps.note) process.stderr.write(`coda: ${deps.note}\n`);
  const log = opts.verbose ? (level: string, m: string) => process.stderr.write(`[kernel ${level}] ${m}\n`) : undefined;
  let kernel: KernelProcess;
  try {
    kernel = await KernelProcess.start(await kernelOptions(file, parsed.doc, opts, deps.modulePaths, log));
  } catch (err) {
    process.stderr.write(`coda: ${(err as Error).message}\n`);
    return 1;
  }
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) {
      void kernel.dispose().then(() => process.exit(130));
      return;
    }
    process.stderr.write('\ncoda: interrupting the running cell (Ctrl-C again to quit)\n');
    kernel.interrupt();
    setTimeout(() => (interrupts = 0), 2000).unref();
  };
  process.on('SIGINT', onSigint);
  const labels = new Map<string, string>();
  const label = (cellId: string) => labels.get(cellId) ?? cellId;
  const started = Date.now();
  const out = (s: string) => process.stdout.write(`${s}\n`);
  let current: CellReport | undefined;
  const late = (owner: CellReport | undefined) => (owner && owner !== current ? paint('dim', `(from cell ${owner.label}) `) : '');
  let reports: CellReport[] = [];
  let kernelError: string | undefined;
  try {
    reports = await runNotebook(kernel, parsed.doc.cells, { cellTimeoutMs: opts.cellTimeoutMs, keepGoing: opts.keepGoing, drainMs: opts.drainMs }, opts.json ? {} : {
      cellStarted: (r, source) => {
        current = r;
        labels.set(`cell-${r.index + 1}`, r.label);
        out(formatCellHeader(r.label, source.split('\n').find((l) => l.trim()) ?? '', paint));
      },
      console: (e, owner) => out(late(owner) + formatConsoleEntry(e, label, paint)),
      display: (d, owner) => out(late(owner) + formatDisplay(d, paint)),
      uncaught: (e, owner) => out(paint('red', `Uncaught in background work${owner ? ` of cell ${owner.label}` : ''}: `) + formatError(e, label, paint)),
      cellFinished: (r) => {
        if (r.value && r.value.type !== 'undefined') out(formatValue(r.value, paint));
        if (r.error) out(formatError(r.error, label, paint));
        if (r.status === 'interrupted') out(paint('yellow', 'Interrupted'));
        if (r.status === 'timeout') out(paint('red', `Timed out after ${opts.cellTimeoutMs} ms (interrupted)`));
      },
    });
  } catch (err) {
    kernelError = (err as Error).message;
  } finally {
    process.off('SIGINT', onSigint);
    await kernel.dispose();
  }
  const failed = reports.filter((r) => r.status !== 'ok' && r.status !== 'skipped').length + (kernelError ? 1 : 0);
  if (opts.json) {
    out(JSON.stringify({ file, runtime: kernel.info.runtime, runtimeVersion: kernel.info.runtimeVersion, ok: failed === 0, error: kernelError, cells: reports }, null, 2));
  } else {
    if (kernelError) out(paint('red', kernelError));
    out(formatSummary(reports.filter((r) => r.status !== 'skipped').length, failed, reports.length, Date.now() - started, paint));
  }
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`coda: unexpected failure: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
