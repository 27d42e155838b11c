/**
 * Issue 15 figures: a Variables view refresh (the `variables` request, as the view sends it after a cell) with 1,000
 * top-level bindings, on each runtime that is available, beside a trivial cell's round trip on the same kernel.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RUNTIME_LABELS, type RuntimeKind } from '../protocol';
import { kernelLaunch } from '../host/kernel/kernelLaunch';
import { KernelProcess } from '../host/kernel/KernelProcess';
import { toolsDir } from '../test/runtimeBinaries';
import { exec, medianRoundTrip } from './kernelMeasures';
import { median, ms, type Row } from './stats';

const WORKER = join(__dirname, '..', 'dist', 'worker.js');
/** What the user notices: the view catching up with a cell. */
export const VARIABLES_REFRESH_BUDGET_MS = 50;
export const BINDINGS = 1000;
const RUNS = 20;

/** 1,000 bindings of every shape the view previews: numbers, strings, objects, arrays, Maps, functions. */
const DECLARE = Array.from({ length: BINDINGS }, (_, i) => {
  const shapes = [
    `${i}`,
    `'value ${i}'`,
    `{ id: ${i}, name: 'n${i}', tags: ['a', 'b'] }`,
    `[${i}, ${i + 1}, ${i + 2}]`,
    `new Map([[${i}, 'x']])`,
    `() => ${i}`,
  ];
  return `const v${i} = ${shapes[i % shapes.length]};`;
}).join('\n');

async function start(runtime: RuntimeKind, nodePath?: string): Promise<KernelProcess> {
  const cwd = mkdtempSync(join(tmpdir(), `coda-bench-inspect-${runtime}-`));
  const options = await kernelLaunch(
    { cwd, documentPath: join(cwd, 'b.coda'), runtime },
    { workerPath: WORKER, storage: toolsDir(), sandboxMemoryMb: 512, sandboxCellTimeoutMs: 0, ...(nodePath ? { nodePath } : {}) },
  );
  return KernelProcess.start(options);
}

export async function inspectBench(runtimes: readonly RuntimeKind[], nodePath?: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const runtime of runtimes) {
    let k: KernelProcess;
    try {
      k = await start(runtime, runtime === 'node' ? nodePath : undefined);
    } catch (err) {
      rows.push({
        figure: `${RUNTIME_LABELS[runtime]}: not measured`,
        value: '-',
        baseline: (err as Error).message.split('\n')[0]!,
        baselineValue: '-',
        target: '-',
        pass: undefined,
      });
      continue;
    }
    try {
      const declared = await exec(k, `${DECLARE}\n0`);
      if (declared.status !== 'ok') throw new Error(`the bindings cell failed: ${declared.status}`);
      const times: number[] = [];
      let listed = 0;
      for (let i = 0; i < RUNS + 3; i++) {
        const t = performance.now();
        listed = (await k.variables()).variables.length;
        if (i >= 3) times.push(performance.now() - t);
      }
      const refresh = median(times);
      rows.push({
        figure: `${RUNTIME_LABELS[runtime]}: Variables refresh, ${listed} bindings (median of ${RUNS})`,
        value: ms(refresh),
        baseline: 'trivial cell round trip',
        baselineValue: ms(await medianRoundTrip(k, 20, 100)),
        target: `< ${VARIABLES_REFRESH_BUDGET_MS} ms`,
        pass: refresh < VARIABLES_REFRESH_BUDGET_MS,
      });
    } finally {
      await k.dispose();
    }
  }
  return rows;
}
