/** Starts real kernels (dist/worker.js) for tests, and collects their events. */
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CellSource, ConsoleEntry, ExecuteResult, InitParams, RemoteValue, ScriptPlace, WorkerEventName, KernelEvents } from '../../../protocol';
import type { Kernel } from '../../../host/kernel/Kernel';
import { KernelProcess } from '../../../host/kernel/KernelProcess';
import { requireRuntimes, runtimeBinary } from '../../runtimeBinaries';
export { nodeBinaries } from '../../nodeBinaries';

export const ROOT = join(__dirname, '..', '..', '..');
export const WORKER = join(ROOT, 'dist', 'worker.js');

export interface TestKernel {
  kernel: KernelProcess;
  console: ConsoleEntry[];
  events: { name: WorkerEventName; body: unknown }[];
  run(
    code: string,
    opts?: { language?: 'javascript' | 'typescript'; cellId?: string; instrumentLines?: boolean; source?: CellSource; script?: ScriptPlace },
  ): Promise<ExecuteResult>;
  value(code: string): Promise<string>;
  waitFor<E extends WorkerEventName>(name: E, pred?: (b: KernelEvents[E]) => boolean, ms?: number): Promise<KernelEvents[E]>;
}

let seq = 0;

/** The execution id the next cell any test kernel runs gets (they are numbered across kernels). */
export const nextExecutionId = (): number => seq + 1;

/** Runs code as numbered cells on a kernel, and reads a cell's value as short text (failing on anything but ok). */
export function cellRunner(kernel: Kernel): Pick<TestKernel, 'run' | 'value'> {
  const run: TestKernel['run'] = (code, o = {}) => {
    const n = ++seq;
    return kernel.execute({
      cellId: o.cellId ?? `cell-${n}`,
      cellLabel: `[${n}]`,
      executionId: n,
      code,
      language: o.language ?? 'javascript',
      instrumentLines: o.instrumentLines,
      source: o.source,
      ...(o.script && { script: o.script }),
    });
  };
  const value = async (code: string) => {
    const r = await run(code);
    if (r.status !== 'ok') throw new Error(`cell failed: ${r.status === 'error' ? (r.error.stack ?? r.error.message) : r.status}`);
    return shownValue(r.value);
  };
  return { run, value };
}

/** A cell value as short text: an object's preview, a string's value, a number's text. */
export const shownValue = (v: RemoteValue | undefined): string =>
  !v ? '(no value)' : v.type === 'object' ? v.preview : v.type === 'string' ? v.value : 'text' in v ? v.text : 'value' in v ? String(v.value) : v.type;

export async function startKernel(
  opts: {
    nodePath?: string;
    cwd?: string;
    execArgv?: string[];
    modulePaths?: string[];
    init?: Partial<InitParams>;
    log?: (level: string, message: string) => void;
  } = {},
): Promise<TestKernel> {
  if (!existsSync(WORKER)) throw new Error('dist/worker.js is missing: run `npm run build` first');
  const cwd = opts.cwd ?? mkdtempSync(join(tmpdir(), 'coda-test-'));
  const kernel = await KernelProcess.start({
    workerPath: WORKER,
    nodePath: opts.nodePath ?? process.execPath,
    execArgv: opts.execArgv,
    log: opts.log,
    init: { cwd, documentPath: join(cwd, 'test.coda'), runtime: 'node', modulePaths: opts.modulePaths, ...opts.init },
  });
  const t: TestKernel = {
    kernel,
    console: [],
    events: [],
    ...cellRunner(kernel),
    waitFor(name, pred = () => true, ms = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${name} event within ${ms} ms`)), ms);
        const off = kernel.onEvent(name, (b) => {
          if (!pred(b)) return;
          clearTimeout(timer);
          off();
          resolve(b);
        });
      });
    },
  };
  kernel.onEvent('console', (b) => t.console.push(...b.entries));
  for (const name of ['cellWork', 'uncaught', 'display', 'lineValue'] as const) kernel.onEvent(name, (body) => t.events.push({ name, body }));
  return t;
}

/** A folder with node_modules fixtures: a CommonJS package and an ESM-only package. */
export function packageFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coda-pkgs-'));
  const pkg = (name: string, json: object, files: Record<string, string>) => {
    const p = join(dir, 'node_modules', name);
    mkdirSync(p, { recursive: true });
    writeFileSync(join(p, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...json }));
    for (const [f, text] of Object.entries(files)) writeFileSync(join(p, f), text);
  };
  pkg('cjs-pkg', { main: 'index.js' }, { 'index.js': 'exports.kind = "cjs"; exports.add = (a, b) => a + b;' });
  pkg(
    'esm-only',
    { type: 'module', exports: { '.': { import: './index.js' } } },
    { 'index.js': 'export const kind = "esm"; export default function twice(x) { return 2 * x }' },
  );
  // a UMD bundle (as lodash ships): Node's static analysis finds none of its names
  pkg(
    'umd-pkg',
    { main: 'umd.js' },
    { 'umd.js': '(function (root, factory) { module.exports = factory(); })(this, function () { return { pair: (a, b) => [a, b] }; });' },
  );
  // CommonJS compiled from an ES module (TypeScript's and Babel's output), with a default and without
  const compiled = 'Object.defineProperty(exports, "__esModule", { value: true }); exports.named = 2;';
  pkg('compiled-pkg', { main: 'index.js' }, { 'index.js': `${compiled} exports.default = function theDefault() { return "default"; };` });
  pkg('compiled-nodefault', { main: 'index.js' }, { 'index.js': compiled });
  writeFileSync(join(dir, 'local.mjs'), 'export const local = "relative import";');
  writeFileSync(join(dir, 'data.json'), '{ "x": 5 }');
  writeFileSync(join(dir, 'util.ts'), 'export const double = (n: number): number => n * 2;\n');
  return dir;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A kernel on Node, Deno or Bun for a describe's `before` (Deno and Bun from the runtime store); without that runtime
 * the suite is skipped, or fails where every runtime is required (CI).
 */
export async function kernelOn(ctx: Mocha.Context, runtime: 'node' | 'deno' | 'bun', opts: { storeNode?: boolean; cwd?: string } = {}): Promise<TestKernel> {
  // `storeNode`: the Node of the runtime store (24) rather than the one running the tests
  const fromStore = runtime !== 'node' || opts.storeNode === true;
  const binary = fromStore ? runtimeBinary(runtime) : undefined;
  if (fromStore && !binary) {
    if (requireRuntimes) throw new Error(`${runtime} is not in the runtime store: run \`coda runtimes fetch ${runtime}\``);
    ctx.skip();
  }
  if (runtime === 'node') return startKernel({ nodePath: binary, cwd: opts.cwd });
  return startKernel({ cwd: opts.cwd, init: { runtime, runtimePath: binary } });
}

/** Every string inside a value, keys included (to look for what must never appear in an output). */
export function allStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => allStrings(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.push(k);
      allStrings(x, out);
    }
  }
  return out;
}
