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
import { cellText, type CodaDocument, type DisplayData } from '../../../protocol';
import { runtimeBinary } from '../../runtimeBinaries';
import { ROOT, startKernel } from '../helpers/kernel';

/** Longest a fixture cell may run (a cell waiting on the network is interrupted). */
export const CELL_TIMEOUT_MS = 8000;

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
}

export function readFixture(file: string): CodaDocument {
  const r = ipynbToCoda(readFileSync(join(CORPUS, file), 'utf8'));
  if (!r.ok) throw new Error(`${file}: ${JSON.stringify(r.problems)}`);
  return r.doc;
}

/** worker/jupyter as one CommonJS file a cell can require. */
export function bundleCompat(dir: string): string {
  const outfile = join(dir, 'jupyter-compat.cjs');
  buildSync({ entryPoints: [join(ROOT, 'worker', 'jupyter', 'installJupyterCompat.ts')], bundle: true, format: 'cjs', platform: 'node', outfile, logLevel: 'silent' });
  return outfile;
}

export async function runNotebook(doc: CodaDocument, compat: string | undefined): Promise<CellRun[]> {
  const runtime = doc.metadata.runtime === 'deno' ? 'deno' : 'node';
  const cwd = mkdtempSync(join(tmpdir(), 'coda-corpus-'));
  const k = await startKernel({ cwd, init: { runtime, ...(runtime === 'deno' ? { runtimePath: runtimeBinary('deno') } : {}) } });
  const displays = new Map<string, DisplayData[][]>();
  k.kernel.onEvent('display', (d) => displays.set(d.cellId, [...(displays.get(d.cellId) ?? []), d.data]));
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
      const run: CellRun = { index: index++, usesDisplayApi: DISPLAY_API.test(source), status: 'ok', displayed: [] };
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
      // late display from timers of this cell (ijavascript's $$.async cells answer after a second)
      if (run.usesDisplayApi) await new Promise((r) => setTimeout(r, 1200));
      run.displayed = (displays.get(cellId) ?? []).map((d) => d.map((x) => x.mime).join('+'));
    }
  } finally {
    await k.kernel.dispose();
    rmSync(cwd, { recursive: true, force: true });
  }
  return runs;
}
