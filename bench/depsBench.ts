/**
 * Issue 6 figures: installing a package with ~30 transitive dependencies (winston@3) through CodaJS's installer,
 * cold (empty cache) and warm, beside `npm install` of the same spec in the same cache states, in the same run.
 * Uses the registry of the user's npm config (network required); skipped with a note when it is unreachable.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { InstallerClient } from '../host/deps/InstallerClient';
import { ms, type Row } from './stats';

export const DEPS_SPEC = { name: 'winston', range: '3' };

function npmInstall(dir: string, cache: string): number {
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, dependencies: { [DEPS_SPEC.name]: DEPS_SPEC.range } }));
  const t = performance.now();
  const r = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--silent', '--cache', cache], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm install failed: ${r.stderr}`);
  return performance.now() - t;
}

export async function depsBench(): Promise<Row[]> {
  const root = mkdtempSync(join(tmpdir(), 'coda-deps-bench-'));
  try {
    const npmCache = join(root, 'npm-cache');
    const npmDir = mkdtempSync(join(root, 'npm-'));
    const npmCold = npmInstall(npmDir, npmCache);
    const npmWarmSame = npmInstall(npmDir, npmCache);
    const npmWarmNew = npmInstall(mkdtempSync(join(root, 'npm-')), npmCache);

    const installerPath = join(__dirname, '..', 'dist', 'installer.js');
    const cacheDir = join(root, 'coda-cache');
    const params = (store: string, lock?: Record<string, never> | import('../protocol').DependencyLock) => ({
      storeDir: join(root, store),
      cacheDir,
      dependencies: { [DEPS_SPEC.name]: DEPS_SPEC.range },
      lock,
      allowScripts: false,
      npmrcFrom: root,
    });
    const cold = new InstallerClient({ installerPath });
    let t = performance.now();
    const first = await cold.install(params('store-a'));
    const codaCold = performance.now() - t;
    // its downloads are in the HTTP cache once it exited (written behind the install): the warm installs read them
    await cold.close();
    const packages = Object.keys(first.lock).length;
    const warm = new InstallerClient({ installerPath });
    t = performance.now();
    await warm.install(params('store-a', first.lock));
    const codaWarmSame = performance.now() - t;
    t = performance.now();
    await warm.install(params('store-b', first.lock));
    const codaWarmNew = performance.now() - t;
    await warm.close();
    const spec = `${DEPS_SPEC.name}@${DEPS_SPEC.range} (${packages} packages)`;
    return [
      {
        figure: `cold install of ${spec}, empty caches`,
        value: ms(codaCold),
        baseline: 'npm install, empty cache',
        baselineValue: ms(npmCold),
        target: '<= baseline',
        pass: codaCold <= npmCold,
      },
      {
        figure: 'warm: the same notebook again (store + lock present)',
        value: ms(codaWarmSame),
        baseline: 'npm install again in the same folder',
        baselineValue: ms(npmWarmSame),
        target: '< 0.1x baseline',
        pass: codaWarmSame < 0.1 * npmWarmSame,
      },
      {
        figure: 'warm cache, new notebook (locked)',
        value: ms(codaWarmNew),
        baseline: 'npm install, warm cache, new folder',
        baselineValue: ms(npmWarmNew),
        target: '< 0.1x baseline',
        pass: codaWarmNew < 0.1 * npmWarmNew,
      },
      {
        figure: 'packages in node_modules (CodaJS / npm)',
        value: String(readdirSync(join(root, 'store-a', 'node_modules')).filter((f) => !f.startsWith('.')).length),
        baseline: 'npm',
        baselineValue: String(readdirSync(join(npmDir, 'node_modules')).filter((f) => !f.startsWith('.')).length),
        target: '-',
        pass: undefined,
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
