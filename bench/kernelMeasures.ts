/** Measurements every kernel bench takes, whatever the runtime: round trip, console flood, interrupt latency. */
import { performance } from 'node:perf_hooks';
import type { Kernel } from '../host/kernel/Kernel';
import { median } from './stats';

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

/** Median time until all of a 100k-line console.log loop has reached the host. */
export async function floodAtHost(k: Kernel, runs: number): Promise<number> {
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
  return median(times);
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
