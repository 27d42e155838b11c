/** Issue 3 figures: round trip, cold start, console flood, big-array preview, interrupt latency. */
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import vm from 'node:vm';
import { WORKER_FLAGS } from '../host/kernel/forkWorker';
import { KernelProcess } from '../host/kernel/KernelProcess';
import { codeCacheFile } from '../host/codeCacheFile';
import { buildCodeCache } from '../host/kernel/workerCodeCache';
import { bareFlood, exec, firstFloodRow, floodAtHost, INTERRUPTED_LOOPS, interruptRows, medianRoundTrip } from './kernelMeasures';
import { median, ms, type Row } from './stats';

const ROOT = join(__dirname, '..');

const WORKER = join(ROOT, 'dist', 'worker.js');
const CLI = join(ROOT, 'dist', 'cli.js');

async function start(nodePath: string, codeCache?: false) {
  const cwd = mkdtempSync(join(tmpdir(), 'coda-bench-'));
  return KernelProcess.start({ workerPath: WORKER, nodePath, codeCache, init: { cwd, documentPath: join(cwd, 'bench.coda'), runtime: 'node' } });
}

/** The worker's code cache for this Node (host/kernel/workerCodeCache.ts), built first when it is not there yet. */
async function ensureCodeCache(nodePath: string): Promise<void> {
  const launch = { workerPath: WORKER, node: nodePath, execArgv: WORKER_FLAGS };
  const file = codeCacheFile(launch);
  if (!file || existsSync(file)) return;
  const build = buildCodeCache(launch);
  if (build) await new Promise((r) => build.once('exit', r));
}

export async function kernelBench(nodePath: string): Promise<Row[]> {
  const rows: Row[] = [];
  const k = await start(nodePath);
  try {
    // 1. warm round trip vs in-process eval
    const rtMed = await medianRoundTrip(k, 300, 1000);
    const ev: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const t = performance.now();
      vm.runInThisContext('1+1');
      ev.push(performance.now() - t);
    }
    rows.push({
      figure: 'warm trivial cell round trip (median of 1000)',
      value: ms(rtMed),
      baseline: 'in-process vm eval of 1+1',
      baselineValue: ms(median(ev)),
      target: '< 1 ms',
      pass: rtMed < 1,
    });

    // 3. 100k console.log lines
    const flood = await floodAtHost(k, 3);
    const floodBase = await bareFlood('node', nodePath, 3);
    rows.push({
      figure: '100k console.log lines in one cell, all at the host (median of 3 in one kernel)',
      value: ms(flood.median),
      baseline: 'same loop in node, stdout to /dev/null',
      baselineValue: ms(floodBase),
      target: '< 2x baseline',
      pass: flood.median < 2 * floodBase,
    });
    rows.push(firstFloodRow('', flood.first));

    // 4. first preview of a 1e6-element array
    await exec(k, 'globalThis.big = Array.from({ length: 1e6 }, (_, i) => i); 0');
    const t4 = performance.now();
    const r4 = await exec(k, 'big');
    const previewMs = performance.now() - t4;
    const bytes = Buffer.byteLength(JSON.stringify(r4));
    rows.push({
      figure: 'first preview of a 1e6-element array: time',
      value: ms(previewMs),
      baseline: 'trivial cell round trip',
      baselineValue: ms(rtMed),
      target: '< 20 ms',
      pass: previewMs < 20,
    });
    rows.push({
      figure: 'first preview of a 1e6-element array: bytes',
      value: `${bytes} B`,
      baseline: 'JSON.stringify of the array',
      baselineValue: `${Buffer.byteLength(JSON.stringify(Array.from({ length: 1e6 }, (_, i) => i)))} B`,
      target: '< 16 KB',
      pass: bytes < 16 * 1024,
    });

    // 5. interrupt latency (issue 17: every kind of loop stopped in < 5 ms, state kept)
    rows.push(...(await interruptRows(k, '', INTERRUPTED_LOOPS)));
  } finally {
    await k.dispose();
  }

  // 2. cold start to first result vs node -e (the worker's code cache built, as after a kernel's first start)
  await ensureCodeCache(nodePath);
  const cold: number[] = [];
  /** Kernel.dispose after that first result, until the host may go on (the worker's last frame, else its exit). */
  const stops: number[] = [];
  const uncached: number[] = [];
  const bare: number[] = [];
  const echo: number[] = [];
  const runs: number[] = [];
  const runnerFloor: number[] = [];
  const oneCell = join(mkdtempSync(join(tmpdir(), 'coda-bench-run-')), 'one.coda');
  writeFileSync(oneCell, JSON.stringify({ coda: 1, metadata: {}, cells: [{ kind: 'code', language: 'javascript', source: ['1 + 1'] }] }));
  /** Runs `nodePath` with `args` until it exits, output discarded. */
  const untilExit = (args: string[], env = process.env) => new Promise((r) => spawn(nodePath, args, { stdio: 'ignore', env }).on('exit', r));
  const codaRun = () => untilExit([CLI, 'run', oneCell], { ...process.env, NO_COLOR: '1' });
  await codaRun();
  for (let i = 0; i < 7; i++) {
    let t = performance.now();
    const kk = await start(nodePath);
    await exec(kk, '1+1');
    cold.push(performance.now() - t);
    t = performance.now();
    await kk.dispose();
    stops.push(performance.now() - t);
    t = performance.now();
    const plain = await start(nodePath, false);
    await exec(plain, '1+1');
    uncached.push(performance.now() - t);
    await plain.dispose();
    t = performance.now();
    await untilExit(['-e', '0']);
    bare.push(performance.now() - t);
    // the floor of any forked kernel: a child that only echoes one IPC message
    t = performance.now();
    const child = fork(join(__dirname, 'fixtures', 'echo.cjs'), [], { execPath: nodePath, execArgv: [], stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    await new Promise((r) => {
      child.once('message', r);
      child.send({ ping: 1 });
    });
    echo.push(performance.now() - t);
    child.kill();
    t = performance.now();
    await codaRun();
    runs.push(performance.now() - t);
    t = performance.now();
    await untilExit([join(__dirname, 'fixtures', 'forkEcho.cjs')]);
    runnerFloor.push(performance.now() - t);
  }
  const coldMed = median(cold);
  const bareMed = median(bare);
  rows.splice(
    1,
    0,
    {
      figure: 'cold start to first result (median of 7)',
      value: ms(coldMed),
      baseline: 'node -e 0',
      baselineValue: ms(bareMed),
      target: '<= 1x baseline (issue 17)',
      pass: coldMed <= bareMed,
    },
    {
      figure: 'cold start to first result, no code cache of the worker yet (first start)',
      value: ms(median(uncached)),
      baseline: 'node -e 0',
      baselineValue: ms(bareMed),
      target: '-',
      pass: undefined,
    },
    {
      figure: 'cold start to first result (same runs)',
      value: ms(coldMed),
      baseline: 'fork + one IPC echo (empty script)',
      baselineValue: ms(median(echo)),
      target: '-',
      pass: undefined,
    },
    {
      figure: 'kernel stop: dispose after its first result, until the host goes on (median of 7)',
      value: ms(median(stops)),
      baseline: '-',
      baselineValue: '-',
      target: '-',
      pass: undefined,
    },
    {
      figure: 'coda run of a one-cell notebook (median of 7)',
      value: ms(median(runs)),
      baseline: 'node -e 0',
      baselineValue: ms(bareMed),
      target: '< 2x baseline (issue 17)',
      pass: median(runs) < 2 * bareMed,
    },
    {
      figure: '  the floor of a runner that forks its kernel: node forks a child that echoes one IPC message, then ends',
      value: ms(median(runnerFloor)),
      baseline: 'node -e 0',
      baselineValue: ms(bareMed),
      target: '-',
      pass: undefined,
    },
  );
  return rows;
}
