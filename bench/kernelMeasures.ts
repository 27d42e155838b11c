/** Measurements every kernel bench takes, whatever the runtime: round trip, console flood, interrupt latency. */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { RuntimeKind } from '../protocol';
import type { Kernel } from '../host/kernel/Kernel';
import { median, ms, type Row } from './stats';

let seq = 0;
export const exec = (k: Kernel, code: string) => k.execute({ cellId: `b${++seq}`, cellLabel: `[${seq}]`, executionId: seq, code, language: 'javascript' });

/** Median time of a trivial cell after `warmup` unmeasured ones. */
export async function medianRoundTrip(k: Kernel, warmup: number, runs: number): Promise<number> {
  for (let i = 0; i < warmup; i++) await exec(k, '1+1');
  const rt: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await exec(k, '1+1');
    rt.push(performance.now() - t);
  }
  return median(rt);
}

/** Times until all of a 100k-line console.log loop has reached the host, `runs` times in a row in kernel `k`. */
export async function floodAtHost(k: Kernel, runs: number): Promise<{ median: number; first: number }> {
  let lines = 0;
  const off = k.onEvent('console', (b) => (lines += b.entries.length));
  const times: number[] = [];
  try {
    for (let run = 0; run < runs; run++) {
      lines = 0;
      const t = performance.now();
      await exec(k, 'for (let i = 0; i < 100000; i++) console.log("line", i)');
      while (lines < 100_000) await new Promise((r) => setImmediate(r));
      times.push(performance.now() - t);
    }
  } finally {
    off();
  }
  return { median: median(times), first: times[0]! };
}

/**
 * The same 100k-line loop run directly by the runtime (Node 24 for the sandbox), output discarded: the median of
 * `runs` processes' own timing of the loop.
 */
export async function bareFlood(runtime: RuntimeKind, bin: string, runs: number): Promise<number> {
  const code = 'const t=performance.now();for(let i=0;i<100000;i++)console.log("line",i);console.error(String(performance.now()-t))';
  const args = runtime === 'deno' ? ['eval', code] : ['-e', code];
  const once = () =>
    new Promise<number>((resolve) => {
      let err = '';
      const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.on('exit', () => resolve(Number(err.trim().split('\n').pop())));
    });
  const times: number[] = [];
  for (let run = 0; run < runs; run++) times.push(await once());
  return median(times);
}

/** The first flood of a kernel beside the figure, as a row of its own: its code paths are not warm yet. */
export function firstFloodRow(label: string, first: number): Row {
  return { figure: `${label}  the first of those floods in that kernel`, value: ms(first), baseline: '-', baselineValue: '-', target: '-', pass: undefined };
}

/** Median time from an interrupt to the cell settling, over 5 runs of `code`. */
export async function interruptLatency(k: Kernel, code: string): Promise<number> {
  const lat: number[] = [];
  for (let i = 0; i < 5; i++) {
    const p = exec(k, code);
    await new Promise((r) => setTimeout(r, 150));
    const t = performance.now();
    k.interrupt();
    await p;
    lat.push(performance.now() - t);
  }
  return median(lat);
}

/** Issue 17's interrupt target: every kind of loop stopped in under 5 ms, state kept. */
export const FAST_INTERRUPT_MS = 5;

/** The loops issue 17 names: a synchronous one, an async one (microtasks only) and one in a timer callback. */
export const INTERRUPTED_LOOPS: [string, string][] = [
  ['while(true){}', 'while (true) {}'],
  ['an async loop', 'for (;;) await null'],
  ['a loop in a timer', 'await new Promise(() => setTimeout(() => { while (true) {} }, 0))'],
];

/** One row per loop: the interrupt latency, and whether a variable set before it survived. */
export async function interruptRows(k: Kernel, prefix: string, loops: [string, string][]): Promise<Row[]> {
  const rows: Row[] = [];
  await exec(k, 'var kept = 42');
  for (const [label, code] of loops) {
    const latMed = await interruptLatency(k, code);
    const after = await exec(k, 'kept');
    const keptState = after.status === 'ok' && after.value?.type === 'number' && after.value.text === '42';
    rows.push({
      figure: `${prefix}interrupt of ${label} until the cell settles (median of 5)${keptState ? '' : ' — STATE LOST'}`,
      value: ms(latMed),
      baseline: "Deno's Jupyter kernel, while(true){} (issue 17's figure)",
      baselineValue: '2.4–3.9 ms',
      target: `< ${FAST_INTERRUPT_MS} ms, state kept`,
      pass: latMed < FAST_INTERRUPT_MS && keptState,
    });
  }
  return rows;
}
