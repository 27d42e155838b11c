/**
 * Issue 15 figures for the Pending Work view's tracking: what a top-level `await` costs now that it goes through the
 * await hook, that a library's promises cost what they cost outside a kernel (no hook sees them), and, for reference,
 * what a PromiseHook that records each promise's creation stack would have cost (the design CodaJS does not use).
 * Each loop is timed by the runtime itself. A top-level await's baseline is the same loop in code the cell transform
 * never saw (an indirect eval) in the same kernel; a library's promises are compared with the bare runtime.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUNTIME_LABELS, type RuntimeKind } from '../protocol';
import { kernelLaunch } from '../host/kernel/kernelLaunch';
import { KernelProcess } from '../host/kernel/KernelProcess';
import { fetchedRuntime } from '../host/runtimes/runtimeStore';
import { toolsDir } from '../test/runtimeBinaries';
import { exec } from './kernelMeasures';
import { median, type Row } from './stats';

const WORKER = join(__dirname, '..', 'dist', 'worker.js');
/** Awaits per measured loop. */
const AWAITS = 200_000;
const RUNS = 7;
/** What a top-level await may cost more than an untracked one. */
export const AWAIT_HOOK_BUDGET_NS = 1000;
/** A library's promises in a kernel, against the bare runtime. */
export const UNTRACKED_PROMISE_FACTOR = 1.1;

/** ns per await of `await p` in a loop, the loop as top-level code of a cell. */
const TOP_LEVEL = `var p = Promise.resolve(1); var t0 = performance.now();
for (let i = 0; i < ${AWAITS}; i++) await p;
(performance.now() - t0) * 1e6 / ${AWAITS}`;
/** The same loop in an async function the transform never saw. */
const UNTRANSFORMED = `await (0, eval)(\`(async () => { const p = Promise.resolve(1); const t0 = performance.now();
for (let i = 0; i < ${AWAITS}; i++) await p; return (performance.now() - t0) * 1e6 / ${AWAITS} })()\`)`;
/** Promise-heavy code the transform never saw (a library's): each turn creates, resolves and awaits a promise. */
const CHURN = `(async () => { const t0 = performance.now();
for (let i = 0; i < ${AWAITS}; i++) await new Promise((r) => r(i)); return (performance.now() - t0) * 1e6 / ${AWAITS} })()`;
const CHURN_IN_KERNEL = `await (0, eval)(\`${CHURN}\`)`;
/** The churn under a PromiseHook that keeps every promise's creation stack (Node's v8.promiseHooks). */
const CHURN_WITH_PROMISE_HOOK = `var stacks = new WeakMap();
var stopHook = require('node:v8').promiseHooks.onInit((promise) => { const o = {}; Error.captureStackTrace(o); stacks.set(promise, o) });
var took;
try { took = ${CHURN_IN_KERNEL} } finally { stopHook() }
took`;

async function start(runtime: RuntimeKind, nodePath?: string): Promise<KernelProcess> {
  const cwd = mkdtempSync(join(tmpdir(), `coda-bench-pending-${runtime}-`));
  const options = await kernelLaunch(
    { cwd, documentPath: join(cwd, 'b.coda'), runtime },
    { workerPath: WORKER, storage: toolsDir(), sandboxMemoryMb: 512, sandboxCellTimeoutMs: 0, ...(nodePath ? { nodePath } : {}) },
  );
  return KernelProcess.start(options);
}

/** Median of the number each run of the cell returns (after one unmeasured run). */
async function nsPer(k: KernelProcess, code: string): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const r = await exec(k, code);
    if (r.status !== 'ok' || r.value?.type !== 'number') throw new Error(`the measured cell failed: ${JSON.stringify(r).slice(0, 300)}`);
    if (i > 0) values.push(Number(r.value.text));
  }
  return median(values);
}

/**
 * The churn in the bare runtime, no kernel around it: the same code run the same way as in the kernel (each loop an
 * indirect eval of its own: inline, Bun's JIT keeps the loop's code across runs, ~39 against ~52 ns), warmed up as
 * there, the median of RUNS loops.
 */
function bareChurn(runtime: RuntimeKind, nodePath: string | undefined): number | undefined {
  const script = `(async () => { const xs = []; for (let j = 0; j < ${RUNS + 1}; j++) xs.push(${CHURN_IN_KERNEL});
xs.shift(); xs.sort((a, b) => a - b); console.log(xs[xs.length >> 1]) })()`;
  const store = toolsDir();
  const commands: Partial<Record<RuntimeKind, [string | undefined, string[]]>> = {
    node: [nodePath ?? process.execPath, ['-e', script]],
    deno: [fetchedRuntime(store, 'deno'), ['eval', script]],
    bun: [fetchedRuntime(store, 'bun'), ['-e', script]],
  };
  const [bin, args] = commands[runtime] ?? [undefined, []];
  return bin ? Number(execFileSync(bin, args, { encoding: 'utf8' }).trim()) : undefined;
}

const ns = (x: number) => `${x.toFixed(0)} ns`;
const notMeasured = (label: string, err: unknown): Row => ({
  figure: `${label}: not measured`,
  value: '-',
  baseline: (err as Error).message.split('\n')[0]!,
  baselineValue: '-',
  target: '-',
  pass: undefined,
});

export async function pendingBench(runtimes: readonly RuntimeKind[], nodePath?: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const runtime of runtimes) {
    const label = RUNTIME_LABELS[runtime];
    let k: KernelProcess;
    try {
      k = await start(runtime, runtime === 'node' ? nodePath : undefined);
    } catch (err) {
      rows.push(notMeasured(label, err));
      continue;
    }
    try {
      const tracked = await nsPer(k, TOP_LEVEL);
      const plain = await nsPer(k, UNTRANSFORMED);
      rows.push({
        figure: `${label}: a top-level await of a settled promise (listed while pending)`,
        value: ns(tracked),
        baseline: 'the same await, untracked',
        baselineValue: ns(plain),
        target: `< +${AWAIT_HOOK_BUDGET_NS} ns`,
        pass: tracked - plain < AWAIT_HOOK_BUDGET_NS,
      });
      const churn = await nsPer(k, CHURN_IN_KERNEL);
      const bare = bareChurn(runtime, nodePath);
      rows.push({
        figure: `${label}: a promise created and awaited in a library's code (no hook sees it)`,
        value: ns(churn),
        baseline: 'the same code in the bare runtime',
        baselineValue: bare === undefined ? '-' : ns(bare),
        target: `< ${UNTRACKED_PROMISE_FACTOR}x`,
        pass: bare === undefined ? undefined : churn < bare * UNTRACKED_PROMISE_FACTOR,
      });
      if (runtime === 'node') {
        rows.push({
          figure: `${label}: the same under a PromiseHook keeping each promise's creation stack (not used; for reference)`,
          value: ns(await nsPer(k, CHURN_WITH_PROMISE_HOOK)),
          baseline: 'without the hook',
          baselineValue: ns(churn),
          target: '-',
          pass: undefined,
        });
      }
    } catch (err) {
      rows.push(notMeasured(label, err));
    } finally {
      await k.dispose();
    }
  }
  return rows;
}
