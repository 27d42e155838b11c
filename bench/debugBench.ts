/**
 * Issue 15 items 1 and 3 figures, on the Node or the Deno kernel: a cell's run time with a debugger attached (a CDP client that
 * does what js-debug does on attach: Debugger and Runtime enabled, a pause before each script with a source map,
 * resumed at once, and a breakpoint set in another cell) beside the same cell with no debugger; and the cost of one
 * checkpoint hit (a `//?` line in a loop) beside the same loop without it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { kernelLaunch } from '../host/kernel/kernelLaunch';
import type { RuntimeKind } from '../protocol';
import { KernelProcess } from '../host/kernel/KernelProcess';
import { toolsDir } from '../test/runtimeBinaries';
import { median, ms, type Row } from './stats';

const WORKER = join(__dirname, '..', 'dist', 'worker.js');
/** Issue 15: a debugged cell runs at most this much slower. */
export const DEBUG_SLOWDOWN_TARGET = 1.5;
/**
 * What one checkpoint hit may cost: V8 evaluates a breakpoint condition through debug-evaluate, about 0.1 ms (a
 * checkpoint passed 1,000 times a second takes a tenth of a core); a line instrumented by the transform would be far
 * cheaper but needs the cell to run again.
 */
export const CHECKPOINT_HIT_BUDGET_US = 250;
const RUNS = 15;
/** RUNS runs of each side, in this many alternating blocks. */
const ROUNDS = 3;
const HITS = 10_000;
const SOURCE = { uri: 'vscode-notebook-cell:/bench/b.coda#W0sZmlsZQ%3D%3D' };
const CELL = 'let s = 0;\nfor (let i = 0; i < 3e6; i++) s += Math.sqrt(i) % 7;\ns';
const LOOP = `var acc = 0;\nfor (let i = 0; i < ${HITS}; i++) {\n  acc += i;\n}\nacc`;

let seq = 0;
async function cellMs(k: KernelProcess, code: string): Promise<number> {
  const n = ++seq;
  const r = await k.execute({ cellId: `d${n}`, cellLabel: `[${n}]`, executionId: n, code, language: 'javascript', source: SOURCE });
  if (r.status !== 'ok') throw new Error(`the bench cell failed: ${r.status}`);
  return r.durationMs;
}

/**
 * Medians of `code` run without and with `on` in force, in ROUNDS alternating blocks (`on` turned on before each block
 * and off after it, by what it returns): a slow spell of the machine falls on both sides, not on one.
 */
async function alternating(k: KernelProcess, code: string, on: () => Promise<() => Promise<void>>): Promise<[number, number]> {
  for (let i = 0; i < 3; i++) await cellMs(k, code);
  const off: number[] = [];
  const with_: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < RUNS / ROUNDS; i++) off.push(await cellMs(k, code));
    const undo = await on();
    // one run unmeasured in the new state, as the warm-up before the first block
    await cellMs(k, code);
    for (let i = 0; i < RUNS / ROUNDS; i++) with_.push(await cellMs(k, code));
    await undo();
  }
  return [median(off), median(with_)];
}

/** A debugger client attached the way js-debug attaches. */
async function attach(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 0;
  const send = (method: string, params: object = {}) => ws.send(JSON.stringify({ id: ++id, method, params }));
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { method?: string };
    if (msg.method === 'Debugger.paused') send('Debugger.resume');
  });
  send('Runtime.enable');
  send('Debugger.enable');
  send('Debugger.setInstrumentationBreakpoint', { instrumentation: 'beforeScriptWithSourceMapExecution' });
  send('Debugger.setBreakpointByUrl', { urlRegex: 'never-loaded\\.js$', lineNumber: 0 });
  send('Runtime.runIfWaitingForDebugger');
  await new Promise((r) => setTimeout(r, 200));
  return ws;
}

/** Deno: the debugger attaches through the worker's relay onto Deno's inspector (worker/sidecar/InspectorRelay.ts). */
export async function debugBench(runtime: Extract<RuntimeKind, 'node' | 'deno'> = 'node', nodePath?: string): Promise<Row[]> {
  const cwd = mkdtempSync(join(tmpdir(), 'coda-bench-debug-'));
  const k = await KernelProcess.start(
    await kernelLaunch({ cwd, documentPath: join(cwd, 'b.coda'), runtime }, { workerPath: WORKER, storage: toolsDir(), ...(nodePath ? { nodePath } : {}) }),
  );
  try {
    const [plain, debugged] = await alternating(k, CELL, async () => {
      const ws = await attach((await k.debugOpen()).webSocketUrl);
      return async () => {
        ws.close();
        await k.debugClose();
      };
    });
    const [without, withCheckpoint] = await alternating(k, LOOP, async () => {
      await k.setCheckpoints({ uri: SOURCE.uri, checkpoints: [{ id: 'acc', line: 2, expression: 'acc' }] });
      return async () => void (await k.setCheckpoints({ uri: SOURCE.uri, checkpoints: [] }));
    });
    const perHitUs = ((withCheckpoint - without) / HITS) * 1000;
    return [
      {
        figure: `a cell's run with the debugger attached (median of ${RUNS}, in ${ROUNDS} blocks alternating with the baseline)`,
        value: `${ms(debugged)} (${(debugged / plain).toFixed(2)}x)`,
        baseline: 'the same cell, no debugger',
        baselineValue: ms(plain),
        target: `< ${DEBUG_SLOWDOWN_TARGET}x`,
        pass: debugged / plain < DEBUG_SLOWDOWN_TARGET,
      },
      {
        figure: `one checkpoint hit (${HITS} hits in a loop, median of ${RUNS}, ${ROUNDS} alternating blocks)`,
        value: `${perHitUs.toFixed(1)} µs`,
        baseline: 'the same loop, no checkpoint',
        baselineValue: ms(without),
        target: `< ${CHECKPOINT_HIT_BUDGET_US} µs`,
        pass: perHitUs < CHECKPOINT_HIT_BUDGET_US,
      },
    ];
  } finally {
    await k.dispose();
  }
}
