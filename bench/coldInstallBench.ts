/**
 * Issue 17 item 2: a cold install of the six common packages (empty caches, a new installer process, no lock) beside
 * `bun install` of the same set with an empty cache, interleaved in the same run, with where CodaJS's time goes
 * (InstallResult.phases): as the editor installs (the packages, which the kernel waits for, then the editor's types
 * over that store) and as `coda run` installs (both in one install); and an installer process's start with its code
 * cache beside one without (installer/entry.ts). Part of storeBench (`npm run bench`);
 * `npx tsx bench/coldInstallBench.ts` prints each run.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { InstallParams } from '../protocol';
import { storeFacts, storeGeneration } from '../host/deps/atomicStore';
import { InstallerClient } from '../host/deps/InstallerClient';
import { installerNode, type InstallerNode } from '../host/deps/installerNode';
import { nodeBinaries } from '../test/nodeBinaries';
import { median, ms, type Row } from './stats';
import { project, run, STORE_PACKAGES, tools } from './registryTools';

/** Cold installs of each, interleaved. */
const RUNS = 5;
/** Starts of an installer with and without its code cache, interleaved. */
const STARTS = 9;
const INSTALLER = join(__dirname, '..', 'dist', 'installer.js');
/** The target of issue 17: a cold install at most this many times bun's. */
export const COLD_TARGET = 2;

export interface ColdFigures {
  /** The packages alone (editorTypes false): what a notebook's kernel waits for in the editor. */
  coda: number[];
  /** Then the install that adds the editor's types over that store (in the background in the editor). */
  types: number[];
  /** The packages and their types in one install, as `coda run` installs (in a cache of its own). */
  whole: number[];
  /** After that install answered: until its downloads were in the HTTP cache (written behind it: installer/cacheBehind.ts). */
  behind: number[];
  bun: number[];
  /** Per CodaJS run: the installer's phases (of the packages' install). */
  phases: Record<string, number>[];
  /** Per CodaJS run: the installer process's CPU time during the packages' install (all threads). */
  cpu: number[];
  /** The packages alone again, the installer on the kernel's own Node (when the chosen one is another). */
  own: number[];
}

/** The Node running the bench stands for the kernel's: the installer runs where `coda run` would run it (installerNode.ts). */
export function benchInstallerNode(): InstallerNode {
  const storage = process.env.CODA_RUNTIMES_DIR ?? process.env.CODA_TOOLS_DIR ?? join(__dirname, '..', '.tools');
  return installerNode({ path: process.execPath, version: process.version }, storage, false);
}

/**
 * Cold installs by CodaJS and by `bun` (a binary), `runs` times each, taking turns (odd runs bun first), in folders
 * under `root` that stay until the caller removes `root`. Nothing is deleted between installs: on ext4 without a
 * journal (this project's machines) creating a file skips over inodes freed in the last minutes (a profile of the
 * kernel showed ext4's `recently_deleted` under `ext4_create`), so each install paid for the removal of the other
 * tool's ten thousand files just before it, and bun, which creates them fastest, paid the most (its median: 2.2-2.4
 * s with the removals, 1.0-1.2 s without, on the same machine).
 */
export async function coldInstallFigures(
  bun: string,
  root: string,
  runs = RUNS,
  codeCacheDir?: string,
  installer: InstallerNode = benchInstallerNode(),
  ownCodeCacheDir?: string,
): Promise<ColdFigures> {
  const out: ColdFigures = { coda: [], types: [], whole: [], behind: [], bun: [], phases: [], cpu: [], own: [] };
  const install = async (cache: string, then: (client: InstallerClient, params: InstallParams) => Promise<void>, onOwn = false) => {
    mkdirSync(cache, { recursive: true });
    const cacheDir = onOwn ? ownCodeCacheDir : codeCacheDir;
    const client = new InstallerClient({
      installerPath: INSTALLER,
      nodePath: onOwn ? process.execPath : installer.path,
      ...(cacheDir && { codeCacheDir: cacheDir }),
    });
    const params: InstallParams = {
      storeDir: join(cache, 'stores', 'nb'),
      cacheDir: join(cache, 'cacache'),
      dependencies: Object.fromEntries(STORE_PACKAGES.map((p) => [p, '*'])),
      allowScripts: false,
      npmrcFrom: root,
      nodeVersion: installer.nodeVersion,
    };
    try {
      await then(client, params);
    } finally {
      await client.close();
    }
  };
  // as the editor installs: the packages, then (the kernel running) the types over that store
  const coda = (i: number) =>
    install(join(root, `cold-coda-${i}`), async (client, params) => {
      const t = performance.now();
      const r = await client.install({ ...params, editorTypes: false });
      out.coda.push(performance.now() - t);
      out.phases.push(r.phases ?? {});
      out.cpu.push(r.cpuMs ?? Number.NaN);
      const over = storeGeneration((await storeFacts(params.storeDir)) ?? {});
      const u = performance.now();
      const typed = await client.install({ ...params, lock: r.lock, editorTypes: true, addsTypesTo: over });
      if (typed.superseded || !Object.keys(typed.lock).some((k) => k.startsWith('node_modules/@types/'))) throw new Error('the types were not added');
      out.types.push(performance.now() - u);
    });
  const whole = (i: number) =>
    install(join(root, `cold-whole-${i}`), async (client, params) => {
      const t = performance.now();
      await client.install(params);
      out.whole.push(performance.now() - t);
      const u = performance.now();
      await client.cacheWritten();
      out.behind.push(performance.now() - u);
    });
  // the same, for a user without the Node 24 CodaJS keeps (the installer on the kernel's Node)
  const own = (i: number) =>
    install(
      join(root, `cold-own-${i}`),
      async (client, params) => {
        const t = performance.now();
        await client.install({ ...params, editorTypes: false });
        out.own.push(performance.now() - t);
      },
      true,
    );
  const bunOnce = (i: number) => {
    const dir = project(root, `cold-bun-${i}`);
    const b = performance.now();
    run(bun, ['install', '--ignore-scripts', '--silent'], dir, { ...process.env, BUN_INSTALL_CACHE_DIR: join(root, `cold-bun-cache-${i}`) });
    out.bun.push(performance.now() - b);
  };
  for (let i = 0; i < runs; i++) {
    if (i % 2) bunOnce(i);
    await coda(i);
    await whole(i);
    if (installer.path !== process.execPath) await own(i);
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

/**
 * The installer's code cache (installer/entry.ts) as a user has it after a first install, on `node`: written by one
 * install (of the six packages, in a cache of its own) as its installer exits. Returns the folder.
 */
async function primedCodeCache(root: string, node: { name: string; path: string }): Promise<string> {
  const dir = join(root, `installer-code-cache-${node.name.replace(/\W+/g, '-')}`);
  const cache = join(root, `prime-${node.name.replace(/\W+/g, '-')}`);
  const client = new InstallerClient({ installerPath: INSTALLER, nodePath: node.path, codeCacheDir: dir });
  try {
    const r = await client.install({
      storeDir: join(cache, 'stores', 'nb'),
      cacheDir: join(cache, 'cacache'),
      dependencies: Object.fromEntries(STORE_PACKAGES.map((p) => [p, '*'])),
      allowScripts: false,
      npmrcFrom: root,
      editorTypes: false,
    });
    if (r.codeCache !== 'absent') throw new Error(`a new folder's installer code cache was ${r.codeCache}`);
  } finally {
    await client.close();
  }
  return dir;
}

/** From the fork of an installer to its first answer (a `writeCache` request, which costs nothing), in ms. */
async function installerStart(node: string, codeCacheDir: string): Promise<number> {
  const t = performance.now();
  const client = new InstallerClient({ installerPath: INSTALLER, nodePath: node, codeCacheDir });
  try {
    await client.cacheWritten();
    return performance.now() - t;
  } finally {
    await client.close();
  }
}

/** The installer's start with its code cache beside one without (a new folder each time: Node's compile cache only). */
async function installerStartRows(root: string): Promise<{ rows: Row[]; primed: string }> {
  const rows: Row[] = [];
  let primed = '';
  for (const node of nodeBinaries()) {
    const dir = await primedCodeCache(root, node);
    if (node.path === process.execPath) primed = dir;
    const withCache: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      withCache.push(await installerStart(node.path, dir));
      without.push(await installerStart(node.path, join(root, `no-code-cache-${i}`)));
    }
    rows.push({
      figure: `installer process, fork to its first answer, through its code cache (${node.name}; median of ${STARTS})`,
      value: ms(median(withCache)),
      baseline: "without it (Node's compile cache alone, Node >= 22.1)",
      baselineValue: ms(median(without)),
      target: '-',
      pass: undefined,
    });
  }
  return { rows, primed };
}

export async function coldInstallRows(bun: string, root: string): Promise<Row[]> {
  // the installer's code cache as a user has it after a first install (the cold installs below fork new installers)
  const starts = await installerStartRows(root);
  const installer = benchInstallerNode();
  const onOther = installer.path !== process.execPath;
  // the chosen installer's code cache, primed the same way when it is another Node than the kernel's
  const chosenCache = onOther ? await primedCodeCache(root, { name: 'chosen installer node', path: installer.path }) : starts.primed || undefined;
  const f = await coldInstallFigures(bun, root, RUNS, chosenCache, installer, starts.primed || undefined);
  const where = onOther ? `installer on the Node 24 CodaJS keeps, for a kernel on node ${process.version}` : `installer on node ${process.version}`;
  const coda = median(f.coda);
  const bunMedian = median(f.bun);
  const whole = median(f.whole);
  return [
    {
      figure: `cold install of ${STORE_PACKAGES.join(', ')}, the packages a kernel waits for (empty caches, new installer, ${where}; median of ${f.coda.length})`,
      value: ms(coda),
      baseline: 'bun install, empty cache, new folder',
      baselineValue: ms(bunMedian),
      target: `<= ${COLD_TARGET}x baseline`,
      pass: coda <= COLD_TARGET * bunMedian,
    },
    ...(onOther
      ? [
          {
            figure: `  the same, the installer on the kernel's own node ${process.version} (no Node 24 kept; median, same runs)`,
            value: ms(median(f.own)),
            baseline: 'bun install, empty cache, new folder',
            baselineValue: ms(bunMedian),
            target: '-',
            pass: undefined,
          },
        ]
      : []),
    {
      figure: '  where that cold install went (its median run)',
      value: medianPhases(f) || '-',
      baseline: '-',
      baselineValue: '-',
      target: '-',
      pass: undefined,
    },
    {
      figure: `  the installer's CPU time in that install (all its threads, ${cpus().length} cores; median)`,
      value: ms(median(f.cpu)),
      baseline: 'its wall time (median)',
      baselineValue: ms(coda),
      target: '-',
      pass: undefined,
    },
    {
      figure: "  then the editor's @types added over that store, the kernel running (median)",
      value: ms(median(f.types)),
      baseline: '-',
      baselineValue: '-',
      target: '-',
      pass: undefined,
    },
    {
      figure: 'cold install of the same, packages and @types in one install (as coda run installs; median)',
      value: ms(whole),
      baseline: 'bun install, empty cache, new folder',
      baselineValue: ms(bunMedian),
      target: `<= ${COLD_TARGET}x baseline`,
      pass: whole <= COLD_TARGET * bunMedian,
    },
    {
      figure: '  then its downloads written into the HTTP cache, after it answered (median)',
      value: ms(median(f.behind)),
      baseline: '-',
      baselineValue: '-',
      target: '-',
      pass: undefined,
    },
    ...starts.rows,
  ];
}

if (require.main === module) {
  const root = mkdtempSync(join(tmpdir(), 'coda-cold-bench-'));
  void coldInstallFigures(tools(root).bun, root)
    .then((f) => {
      f.coda.forEach((t, i) => {
        console.log(
          `run ${i + 1}: CodaJS ${ms(t)}${f.own[i] === undefined ? '' : ` (kernel's own Node: ${ms(f.own[i])})`} (CPU ${ms(f.cpu[i]!)}; then types ${ms(f.types[i]!)}; in one install ${ms(f.whole[i]!)}, its cache written ${ms(f.behind[i]!)} later), bun ${ms(f.bun[i]!)}`,
        );
        for (const [phase, d] of Object.entries(f.phases[i]!)) console.log(`  ${phase.padEnd(30)} ${ms(d)}`);
      });
      console.log(`median: CodaJS ${ms(median(f.coda))} (CPU ${ms(median(f.cpu))}), bun ${ms(median(f.bun))}, target <= ${COLD_TARGET}x bun`);
    })
    .finally(() => rmSync(root, { recursive: true, force: true }));
}
