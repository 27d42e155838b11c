// Runs every test suite in layers and ends with one line `N passed, N failed` summing them all.
// Usage: node test/runAll.mjs [unit|renderer|e2e ...]   (default: all suites)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mocha = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');

/**
 * The unit suite's files run in this many mocha workers at once (CODA_TEST_JOBS; 1 runs them one after another): one
 * worker keeps one core ~85% busy with the kernels, runtimes and installers its tests start; two take ~5.3 min on two
 * cores where one takes ~8.
 */
const unitJobs = process.env.CODA_TEST_JOBS ?? '2';
const parallel = unitJobs === '1' ? [] : ['--parallel', '--jobs', unitJobs];

/** Each suite prints mocha's spec summary (`N passing`, `N failing`) or a `N passed, N failed` line. */
const suites = {
  unit: { cmd: process.execPath, args: [mocha, '--import=tsx', '--timeout', '20000', ...parallel, 'test/unit/**/*.test.ts'], glob: 'test/unit' },
  renderer: { cmd: process.execPath, args: [mocha, '--import=tsx', '--timeout', '20000', 'test/renderer/**/*.test.ts'], glob: 'test/renderer' },
  e2e: { cmd: 'bash', args: ['test/e2e/run.sh'], glob: 'test/e2e/run.sh' },
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(suites);

function run(name, suite) {
  return new Promise((resolve) => {
    if (!existsSync(join(root, suite.glob))) {
      console.log(`\n=== ${name}: no tests yet (${suite.glob} missing)`);
      resolve({ passed: 0, failed: 0 });
      return;
    }
    console.log(`\n=== ${name}`);
    const child = spawn(suite.cmd, suite.args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d;
    });
    child.on('close', (code) => {
      const num = (re) => {
        const all = [...out.matchAll(re)];
        return all.length ? Number(all[all.length - 1][1]) : 0;
      };
      // a suite's own `N passed, N failed` summary wins; otherwise mocha's `N passing` / `N failing`
      const summary = [...out.matchAll(/^(\d+) passed, (\d+) failed/gm)].pop();
      let passed = summary ? Number(summary[1]) : num(/^\s*(\d+) passing/gm);
      let failed = summary ? Number(summary[2]) : num(/^\s*(\d+) failing/gm);
      // a suite that crashed before reporting counts as one failure, never as a silent pass
      if (code !== 0 && failed === 0) failed = 1;
      if (code === 0 && passed === 0 && failed === 0) console.log(`(${name} ran no test)`);
      resolve({ passed, failed });
    });
  });
}

// every suite runs against fresh bundles
const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.log('build failed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// the runtimes the conformance suite needs (Deno, Bun, Node 24 + isolated-vm), fetched from the npm registry with
// the product's own integrity-checked downloader into the tools folder; already present ones are kept
if (wanted.includes('unit')) {
  const tools = process.env.CODA_TOOLS_DIR ?? join(root, '.tools');
  const fetched = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'runtimes', 'fetch', 'all', '--dir', tools], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (fetched.status !== 0) console.log('runtimes: could not fetch every runtime; their tests fail under CI and are skipped elsewhere');
}

let passed = 0;
let failed = 0;
for (const name of wanted) {
  const suite = suites[name];
  if (!suite) {
    console.error(`unknown suite ${name}; known: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  const r = await run(name, suite);
  console.log(`--- ${name}: ${r.passed} passed, ${r.failed} failed`);
  passed += r.passed;
  failed += r.failed;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
