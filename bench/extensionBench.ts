/** Issue 4 figures: extension activation time and the VSIX / bundle sizes. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, ms, type Row } from './stats';

const ROOT = join(__dirname, '..');
/** Budgets for what users download. */
export const VSIX_BUDGET_BYTES = 1024 * 1024;
export const RENDERER_BUDGET_BYTES = 100 * 1024;
export const ACTIVATION_BUDGET_MS = 50;

export function extensionBench(): Row[] {
  const pkg = spawnSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, encoding: 'utf8' });
  if (pkg.status !== 0) throw new Error(`npm run package failed:\n${pkg.stdout}${pkg.stderr}`);
  // the extension's code cache (extension/entry.ts) in a folder of this run: none at first, then the one written
  const cacheHome = mkdtempSync(join(tmpdir(), 'coda-activation-'));
  const noCacheHome = mkdtempSync(join(tmpdir(), 'coda-activation-none-'));
  const run = (arg: string, cache = cacheHome, awaitCache = false) => {
    const env = { ...process.env, XDG_CACHE_HOME: cache, CODA_BENCH_AWAIT_CACHE: awaitCache ? '1' : '' };
    const r = spawnSync(process.execPath, [join(__dirname, 'activation.cjs'), arg], { encoding: 'utf8', env });
    const value = Number.parseFloat(r.stdout);
    // a harness that failed must not read as a fast activation
    if (r.status !== 0 || !Number.isFinite(value))
      throw new Error(`the activation harness failed: ${r.stderr.split('\n').find((l) => /Error/.test(l)) ?? r.stderr.slice(0, 200)}`);
    return value;
  };
  const extension = join(ROOT, 'dist', 'extension.js');
  // the first activation after an install or update: it compiles, and writes the cache a few seconds later
  const first = run(extension, cacheHome, true);
  if (!readdirSync(join(cacheHome, 'codajs', 'compile-cache')).some((n) => n.startsWith('extension-')))
    throw new Error('the first activation wrote no code cache (extension/entry.ts)');
  const act: number[] = [];
  const uncached: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < 7; i++) {
    act.push(run(extension));
    uncached.push(run(extension, noCacheHome));
    base.push(run('--baseline'));
  }
  rmSync(cacheHome, { recursive: true, force: true });
  rmSync(noCacheHome, { recursive: true, force: true });
  const size = (f: string) => (existsSync(join(ROOT, f)) ? statSync(join(ROOT, f)).size : NaN);
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const vsix = size('dist/codajs.vsix');
  const renderer = size('dist/renderer.js');
  const actMed = median(act);
  return [
    {
      figure: 'extension activation: require + activate() (median of 7, stub vscode API, the code cache an earlier activation wrote)',
      value: ms(actMed),
      baseline: 'empty activation in the same harness',
      baselineValue: ms(median(base)),
      target: `< ${ACTIVATION_BUDGET_MS} ms`,
      pass: actMed < ACTIVATION_BUDGET_MS,
    },
    {
      figure: '  the same without a code cache (median of 7; the first activation after an install or update)',
      value: ms(median(uncached)),
      baseline: 'the very first activation of this run',
      baselineValue: ms(first),
      target: '-',
      pass: undefined,
    },
    { figure: 'VSIX size', value: kb(vsix), baseline: 'budget', baselineValue: kb(VSIX_BUDGET_BYTES), target: '< budget', pass: vsix < VSIX_BUDGET_BYTES },
    { figure: 'bundle: dist/extension.js (production)', value: kb(size('dist/extension.js')), baseline: '-', baselineValue: '-', target: '-', pass: undefined },
    {
      figure: 'bundle: dist/worker-main.js (production; dist/worker.js loads it)',
      value: kb(size('dist/worker-main.js')),
      baseline: 'dist/worker.js, its loader',
      baselineValue: kb(size('dist/worker.js')),
      target: '-',
      pass: undefined,
    },
    {
      figure: 'bundle: dist/renderer.js (production)',
      value: kb(renderer),
      baseline: 'budget',
      baselineValue: kb(RENDERER_BUDGET_BYTES),
      target: '< budget',
      pass: renderer < RENDERER_BUDGET_BYTES,
    },
  ];
}
