/**
 * Issue 17 figures: a cold install beside bun's (coldInstallBench.ts), the shared content store (disk for ten
 * notebooks), a new notebook with a warm cache beside bun and pnpm (installed from the npm registry for this run, never
 * guessed), and `coda run` of a notebook with packages the second time beside a notebook with none. Uses the registry
 * of the user's npm config (network required).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cacheSize } from '../host/deps/cachePrune';
import { InstallerClient } from '../host/deps/InstallerClient';
import { nodeBinaries } from '../test/nodeBinaries';
import { median, ms, type Row } from './stats';
import { coldInstallRows } from './coldInstallBench';
import { project, run, STORE_PACKAGES, tools } from './registryTools';

const NOTEBOOKS = 10;
const RUNS = 7;
/** New notebooks (folders) installed from a warm cache with a lock, by each tool in turn; the median is the figure. */
const WARM_NEW = 7;
/** Re-runs of a locked notebook measured (issue 17: < 5 ms). */
const RERUNS = 15;

const time = (f: () => void) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

/**
 * A first install by a tool (its cache filled, its lockfile written), then a function that times one warm-cache install
 * into a new folder bringing that lockfile (as a locked notebook does).
 */
function warmNew(root: string, tag: string, lockfile: string, install: (dir: string) => void): (i: number) => number {
  const first = project(root, `${tag}-first`);
  install(first);
  return (i) => {
    const next = project(root, `${tag}-new${i}`);
    copyFileSync(join(first, lockfile), join(next, lockfile));
    return time(() => install(next));
  };
}

/** Medians of `coda run` of two notebooks by `node`, interleaved (after one run of each fills the store and warms the disk). */
function codaRunMedians(node: string, cli: string, files: [string, string], cache: string): [number, number] {
  const env = { ...process.env, XDG_CACHE_HOME: cache, NO_COLOR: '1' };
  const once = (file: string) => time(() => execFileSync(node, [cli, 'run', file], { env, stdio: 'ignore' }));
  files.forEach(once);
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < RUNS; i++) files.forEach((f, k) => times[k]!.push(once(f)));
  return [median(times[0]), median(times[1])];
}

/**
 * What loading `packages` costs a bare `node` (no CodaJS) from the tree `coda run` linked for them, with Node's compile
 * cache on as in a kernel: the median of `node -e "require(…)…"` less the median of `node -e 0`, interleaved.
 */
function bareLoad(node: string, packages: string[], cache: string): number {
  const trees = join(cache, 'codajs', 'trees');
  const cwd = join(
    trees,
    readdirSync(trees).find((d) => !d.startsWith('.'))!,
  );
  const env = { ...process.env, NODE_COMPILE_CACHE: join(cache, 'bare-compile-cache') };
  const once = (code: string) => time(() => execFileSync(node, ['-e', code], { cwd, env, stdio: 'ignore' }));
  const load = packages.map((p) => `require(${JSON.stringify(p)})`).join(';');
  once(load);
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < RUNS; i++) [load, '0'].forEach((c, k) => times[k]!.push(once(c)));
  return median(times[0]) - median(times[1]);
}

export async function storeBench(): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'coda-store-bench-'));
  try {
    const { bun, pnpm } = tools(root);
    // first, with nothing cached anywhere yet: the cold installs (issue 17 item 2)
    const cold = await coldInstallRows(bun, root);
    const installerPath = join(__dirname, '..', 'dist', 'installer.js');
    const cache = join(root, 'coda-cache');
    const params = (n: number, lock?: import('../protocol').DependencyLock) => ({
      storeDir: join(cache, 'stores', `nb${n}`),
      cacheDir: join(cache, 'cacache'),
      dependencies: Object.fromEntries(STORE_PACKAGES.map((p) => [p, '*'])),
      lock,
      allowScripts: false,
      npmrcFrom: root,
    });
    const bunEnv = { ...process.env, BUN_INSTALL_CACHE_DIR: join(root, 'bun-cache') };
    const bunNew = warmNew(root, 'bun', 'bun.lock', (dir) => run(bun, ['install', '--ignore-scripts', '--silent'], dir, bunEnv));
    const pnpmNew = warmNew(root, 'pnpm', 'pnpm-lock.yaml', (dir) =>
      run(pnpm, ['install', '--ignore-scripts', '--silent', '--store-dir', join(root, 'pnpm-store')], dir),
    );
    const bunTimes: number[] = [];
    const pnpmTimes: number[] = [];
    const client = new InstallerClient({ installerPath });
    let one = 0;
    let ten = 0;
    let warmNewCoda = 0;
    let warmNewUnlocked = 0;
    let rerun = 0;
    const bunAgain: number[] = [];
    const bunSame = () => time(() => run(bun, ['install', '--ignore-scripts', '--silent'], join(root, 'bun-first'), bunEnv));
    try {
      const first = await client.install(params(0));
      // a warm cache is one fully written: the installer writes its downloads into the HTTP cache after it answers
      // (0.5–0.9 s, on both cores), and bun's first install has written its cache before it returns
      await client.cacheWritten();
      const size = async () => {
        const s = await cacheSize(cache);
        return s.stores + s.content;
      };
      one = await size();
      const locked: number[] = [];
      // in turn, so that a slow spell of the machine falls on every tool
      for (let n = 1; n <= WARM_NEW; n++) {
        const t = performance.now();
        await client.install(params(n, first.lock));
        locked.push(performance.now() - t);
        bunTimes.push(bunNew(n));
        pnpmTimes.push(pnpmNew(n));
      }
      warmNewCoda = median(locked);
      // the same notebook again: its store and lock present (a new window's first run, `coda run`); no process starts
      const again: number[] = [];
      for (let n = 0; n < RERUNS; n++) {
        const t = performance.now();
        await client.install(params(0, first.lock));
        again.push(performance.now() - t);
        bunAgain.push(bunSame());
      }
      rerun = median(again);
      const t = performance.now();
      await client.install(params(WARM_NEW + 1));
      warmNewUnlocked = performance.now() - t;
      for (let n = WARM_NEW + 2; n < NOTEBOOKS; n++) await client.install(params(n, first.lock));
      ten = await size();
    } finally {
      await client.close();
    }
    const bunWarm = median(bunTimes);
    const pnpmWarm = median(pnpmTimes);

    const cli = join(__dirname, '..', 'dist', 'cli.js');
    const nb = (name: string, code: string) => {
      const file = join(root, name);
      writeFileSync(file, JSON.stringify({ coda: 1, metadata: {}, cells: [{ kind: 'code', language: 'javascript', source: [code] }] }));
      return file;
    };
    const runCache = join(root, 'run-cache');
    const runPackages = ['lodash', 'zod', 'chalk'];
    const files: [string, string] = [nb('with.coda', `${runPackages.map((p) => `require('${p}');`).join(' ')} 1`), nb('without.coda', '1')];
    const runRows: Row[] = [];
    for (const node of nodeBinaries()) {
      const [withPackages, without] = codaRunMedians(node.path, cli, files, runCache);
      if (!existsSync(join(runCache, 'codajs', 'store'))) throw new Error('coda run did not fill the shared store');
      runRows.push(
        {
          figure: `coda run of a notebook with packages (${runPackages.join(', ')}), second time (${node.name})`,
          value: ms(withPackages),
          baseline: 'coda run of a notebook with none',
          baselineValue: ms(without),
          target: '< 1.5x baseline',
          pass: withPackages < 1.5 * without,
        },
        {
          figure: `  of which the packages' own load: required by a bare ${node.name} from the same tree`,
          value: ms(bareLoad(node.path, runPackages, runCache)),
          baseline: '-',
          baselineValue: '-',
          target: '-',
          pass: undefined,
        },
      );
    }
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
    return [
      ...cold,
      {
        figure: `disk: ${NOTEBOOKS} notebooks with ${STORE_PACKAGES.join(', ')}`,
        value: mb(ten),
        baseline: 'one notebook',
        baselineValue: mb(one),
        target: '< 1.2x baseline',
        pass: ten < 1.2 * one,
      },
      {
        figure: `warm cache, new notebook (locked), median of ${WARM_NEW}`,
        value: ms(warmNewCoda),
        baseline: `bun install, warm cache, new folder with bun.lock, median of ${WARM_NEW}`,
        baselineValue: ms(bunWarm),
        target: '<= 1x baseline',
        pass: warmNewCoda <= bunWarm,
      },
      {
        figure: `re-run of a locked notebook, its store present (a new window, coda run; median of ${RERUNS})`,
        value: ms(rerun),
        baseline: `bun install again in the same folder (median of ${RERUNS})`,
        baselineValue: ms(median(bunAgain)),
        target: '< 5 ms (issue 17)',
        pass: rerun < 5,
      },
      {
        figure: 'warm cache, new notebook (locked)',
        value: ms(warmNewCoda),
        baseline: 'pnpm install, warm store, new folder with pnpm-lock.yaml',
        baselineValue: ms(pnpmWarm),
        target: '-',
        pass: undefined,
      },
      {
        figure: 'warm cache, new notebook without a lock (installer resolves)',
        value: ms(warmNewUnlocked),
        baseline: 'bun install, warm cache, new folder with bun.lock',
        baselineValue: ms(bunWarm),
        target: '-',
        pass: undefined,
      },
      ...runRows,
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
