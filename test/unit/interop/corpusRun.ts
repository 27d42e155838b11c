/**
 * Runs the fixture notebooks headless, cell by cell, in real kernels (Node, or Deno for Deno notebooks), without and
 * with the Jupyter compatibility, and tells for each code cell whether it ran and which outputs it produced.
 * The compatibility is installed by a first cell that requires a bundle of worker/jupyter/ (the kernel wiring is
 * NodeRuntime's): until that wiring, bundles show through display() and their richest type only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { ipynbToCoda } from '../../../host/notebook/ipynb';
import { DisplayIds } from '../../../host/run/DisplayIds';
import { cellText, MIME_CONSOLE, MIME_ERROR, type CodaDocument, type CodaOutput, type DisplayData } from '../../../protocol';
import { runtimeBinary } from '../../runtimeBinaries';
import { ROOT, startKernel } from '../helpers/testKernel';

/** Longest a fixture cell may run (a cell waiting on the network is interrupted). */
export const CELL_TIMEOUT_MS = 8000;
/** How long output of the cells' timers is waited for after the last cell. */
const LATE_OUTPUT_MS = 1500;

export const CORPUS = join(ROOT, 'test', 'fixtures', 'ipynb');

/** The display API calls counted in the fixtures' README. */
export const DISPLAY_API = /Deno\.jupyter|Jupyter\.display|\$display|\$\$\.|\btslab\.|\bdisplay\(|\b(html|md|svg)`/;

export interface CellRun {
  index: number;
  usesDisplayApi: boolean;
  status: 'ok' | 'error' | 'timeout' | 'skipped';
  error?: string;
  /** MIME types of the display outputs the cell produced. */
  displayed: string[];
  /** Whether the cell ran and produced what its original kernel saved (see `matchesSaved`). */
  matches: boolean;
  /** The cell had a completion value (ijavascript saved even `undefined` as a result). */
  value?: boolean;
}

export function readFixture(file: string): CodaDocument {
  const r = ipynbToCoda(readFileSync(join(CORPUS, file), 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r.problems)}`);
  return r.doc;
}

/** worker/jupyter as one CommonJS file a cell can require. */
export function bundleCompat(dir: string): string {
  const outfile = join(dir, 'jupyter-compat.cjs');
  buildSync({
    entryPoints: [join(ROOT, 'worker', 'jupyter', 'installJupyterCompat.ts')],
    bundle: true,
    format: 'cjs',
    platform: 'node',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;
const words = (s: string) =>
  s
    .replace(ANSI, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * Whether a cell produced what its original kernel saved, as far as two kernels can agree: every line the kernel
 * printed was printed (value formatting differs between kernels, so a saved result with a text/plain form only needs
 * a value), and every saved display output, or result with no text/plain form, has a display output of one of its
 * MIME types.
 */
export function matchesSaved(saved: CodaOutput[], printed: string, displayed: DisplayData[][], value: boolean): boolean {
  const lines = new Set(words(printed));
  const shown = displayed.map((d) => new Set(d.map((x) => x.mime)));
  let next = 0;
  for (const o of saved) {
    const mimes = o.items.map((i) => i.mime);
    if (mimes.includes(MIME_CONSOLE)) {
      const text = o.items.find((i) => i.mime === 'text/plain')?.data;
      if (!words(typeof text === 'string' ? text : '').every((l) => lines.has(l))) return false;
    } else if (mimes.includes(MIME_ERROR))
      return false; // the original kernel failed here: nothing to match
    else if ((o.metadata?.ipynb as { outputType?: string } | undefined)?.outputType === 'execute_result' && mimes.includes('text/plain')) {
      if (!value && !shown.length) return false;
    } else {
      // display data, or a rich result: shown with one of its MIME types
      const found = shown.findIndex((s, i) => i >= next && mimes.some((m) => s.has(m)));
      if (found < 0) return false;
      next = found + 1;
    }
  }
  return true;
}

function hasValue(result: unknown): boolean {
  const r = result as { status?: string; value?: { type: string } } | string;
  return typeof r === 'object' && r.status === 'ok' && !!r.value;
}

export async function runNotebook(doc: CodaDocument, compat: string | undefined): Promise<CellRun[]> {
  const runtime = doc.metadata.runtime === 'deno' ? 'deno' : 'node';
  const cwd = mkdtempSync(join(tmpdir(), 'coda-corpus-'));
  const k = await startKernel({ cwd, init: { runtime, ...(runtime === 'deno' ? { runtimePath: runtimeBinary('deno') } : {}) } });
  // each cell's display outputs as last shown: a display id's updates replace them, as in VS Code and `coda run`
  const displays = new Map<string, DisplayData[][]>();
  const ids = new DisplayIds<{ cellId: string; index: number }>();
  k.kernel.onEvent('display', (d) => {
    const route = ids.route(d);
    for (const t of route.replace) displays.get(t.cellId)![t.index] = d.data;
    if (!route.add) return;
    const list = displays.get(d.cellId) ?? [];
    displays.set(d.cellId, [...list, d.data]);
    if (d.displayId !== undefined) ids.add(d.displayId, { cellId: d.cellId, index: list.length });
  });
  const runs: CellRun[] = [];
  try {
    if (compat) {
      const setup = await k.run(`require(${JSON.stringify(compat)}).installJupyterCompat(display); undefined`);
      if (setup.status !== 'ok') throw new Error(`installing the compatibility failed: ${JSON.stringify(setup)}`);
    }
    let index = 0;
    for (const cell of doc.cells) {
      if (cell.kind !== 'code') continue;
      const source = cellText(cell);
      const cellId = `fixture-${index}`;
      const run: CellRun = { index: index++, usesDisplayApi: DISPLAY_API.test(source), status: 'ok', displayed: [], matches: false };
      runs.push(run);
      if (!k.kernel.alive) {
        run.status = 'skipped';
        continue;
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), CELL_TIMEOUT_MS)));
      const result = await Promise.race([k.run(source, { cellId, language: cell.language === 'typescript' ? 'typescript' : 'javascript' }), timeout]);
      clearTimeout(timer);
      if (result === 'timeout') {
        run.status = 'timeout';
        k.kernel.interrupt();
        await new Promise((r) => setTimeout(r, 300));
      } else if (result.status !== 'ok') {
        run.status = 'error';
        run.error = result.status === 'error' ? `${result.error.name}: ${result.error.message}`.split('\n')[0] : result.status;
      }
      run.value = hasValue(result);
    }
    // output of the cells' timers (ijavascript's $$.async cells answer after a second) is theirs, however late
    await new Promise((r) => setTimeout(r, LATE_OUTPUT_MS));
    const code = doc.cells.filter((c) => c.kind === 'code');
    for (const run of runs) {
      const cellId = `fixture-${run.index}`;
      run.displayed = (displays.get(cellId) ?? []).map((d) => d.map((x) => x.mime).join('+'));
      const printed = k.console
        .filter((e) => e.cellId === cellId)
        .map((e) => e.text)
        .join('\n');
      run.matches = run.status === 'ok' && matchesSaved(code[run.index]!.outputs ?? [], printed, displays.get(cellId) ?? [], run.value === true);
    }
  } finally {
    await k.kernel.dispose();
    rmSync(cwd, { recursive: true, force: true });
  }
  return runs;
}
