/**
 * Issue 17 item 2: a cold install of the six common packages (empty caches, a new installer process, no lock) beside
 * `bun install` of the same set with an empty cache, interleaved in the same run, with where CodaJS's time goes
 * (InstallResult.phases). Part of storeBench (`npm run bench`); `npx tsx bench/coldInstallBench.ts` prints each run.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InstallerClient } from '../host/deps/InstallerClient';
import { median, ms, type Row } from './stats';
import { project, run, STORE_PACKAGES, tools } from './registryTools';

/** Cold installs of each, interleaved. */
const RUNS = 5;
/** The target of issue 17: a cold install at most this many times bun's. */
export const COLD_TARGET = 2;

export interface ColdFigures {
  coda: number[];
  bun: number[];
  /** Per CodaJS run: the installer's phases. */
  phases: Record<string, number>[];
}

/**
 * Cold installs by CodaJS and by `bun` (a binary), `runs` times each, taking turns (odd runs bun first), in folders
 * under `root` that stay until the caller removes `root`. Nothing is deleted between installs: on ext4 without a
 * journal (this project's machines) creating a file skips over inodes freed in the last minutes (a profile of the
 * kernel showed ext4's `recently_deleted` under `ext4_create`), so each install paid for the removal of the other
 * tool's ten thousand files just before it, and bun, which creates them fastest, paid the most (its median: 2.2-2.4
 * s with the removals, 1.0-1.2 s without, on the same machine).
 */
export async function coldInstallFigures(bun: string, root: string, runs = RUNS): Promise<ColdFigures> {
  const out: ColdFigures = { coda: [], bun: [], phases: [] };
  const installerPath = join(__dirname, '..', 'dist', 'installer.js');
  const coda = async (i: number) => {
    const cache = join(root, `cold-coda-${i}`);
    mkdirSync(cache, { recursive: true });
    const client = new InstallerClient({ installerPath });
    const t = performance.now();
    try {
      const r = await client.install({
        storeDir: join(cache, 'stores', 'nb'),
        cacheDir: join(cache, 'cacache'),
        dependencies: Object.fromEntries(STORE_PACKAGES.map((p) => [p, '*'])),
        allowScripts: false,
        npmrcFrom: root,
      });
      out.coda.push(performance.now() - t);
      out.phases.push(r.phases ?? {});
    } finally {
      client.dispose();
    }
  };
  const bunOnce = (i: number) => {
    const dir = project(root, `cold-bun-${i}`);
    const b = performance.now();
    run(bun, ['install', '--ignore-scripts', '--silent'], dir, { ...process.env, BUN_INSTALL_CACHE_DIR: join(root, `cold-bun-cache-${i}`) });
    out.bun.push(performance.now() - b);
  };
  for (let i = 0; i < runs; i++) {
    if (i % 2) bunOnce(i);
    await coda(i);
    if (!(i % 2)) bunOnce(i);
  }
  return out;
}

/** The phases of the run whose time is the median, largest first (`types guess 2.1 s, …`). */
function medianPhases(f: ColdFigures): string {
  const i = f.coda.indexOf(median(f.coda));
  const phases = Object.entries(f.phases[i] ?? {}).filter(([, v]) => v >= 50);
  return phases
    .sort(([, a], [, b]) => b - a)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
    .join(', ');
}

export async function coldInstallRows(bun: string, root: string): Promise<Row[]> {
  const f = await coldInstallFigures(bun, root);
  const coda = median(f.coda);
  const bunMedian = median(f.bun);
  return [
    {
      figure: `cold install of ${STORE_PACKAGES.join(', ')} (empty caches, new installer, median of ${f.coda.length})`,
      value: ms(coda),
      baseline: 'bun install, empty cache, new folder',
      baselineValue: ms(bunMedian),
      target: `<= ${COLD_TARGET}x baseline`,
      pass: coda <= COLD_TARGET * bunMedian,
    },
    {
      figure: '  where that cold install went (its median run)',
      value: medianPhases(f) || '-',
      baseline: '-',
      baselineValue: '-',
      target: '-',
      pass: undefined,
    },
  ];
}

if (require.main === module) {
  const root = mkdtempSync(join(tmpdir(), 'coda-cold-bench-'));
  void coldInstallFigures(tools(root).bun, root)
    .then((f) => {
      f.coda.forEach((t, i) => {
        console.log(`run ${i + 1}: CodaJS ${ms(t)}, bun ${ms(f.bun[i]!)}`);
        for (const [phase, d] of Object.entries(f.phases[i]!)) console.log(`  ${phase.padEnd(30)} ${ms(d)}`);
      });
      console.log(`median: CodaJS ${ms(median(f.coda))}, bun ${ms(median(f.bun))}, target <= ${COLD_TARGET}x bun`);
    })
    .finally(() => rmSync(root, { recursive: true, force: true }));
}
