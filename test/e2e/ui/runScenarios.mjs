// Runs every test/e2e/ui/*.e2e.mjs scenario against one code-server. Usage: runScenarios.mjs BASE_URL WORKSPACE RESULTS_DIR
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openWorkbench } from './harness.mjs';

const [base, workspace, results] = process.argv.slice(2);
const dir = path.dirname(fileURLToPath(import.meta.url));
let passed = 0;
let failed = 0;
// CODA_E2E_SCENARIOS=saving,scratch runs only those scenarios (while working on them)
const only = process.env.CODA_E2E_SCENARIOS?.split(',').filter(Boolean);
const FIRST = 'firstrun.e2e.mjs';
for (const file of fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.e2e.mjs') && (!only || only.includes(f.replace('.e2e.mjs', ''))))
  // the first-run scenario first: it sees the walkthrough open on the first activation, then turns that off
  .sort((a, b) => (a === FIRST ? -1 : b === FIRST ? 1 : a.localeCompare(b)))) {
  console.log(`${file}`);
  let t;
  try {
    t = await openWorkbench(base, workspace, results);
    const scenario = (await import(pathToFileURL(path.join(dir, file)).href)).default;
    await scenario(t);
  } catch (err) {
    failed++;
    console.log(`  ✗ ${file} could not run: ${String(err?.message ?? err).split('\n')[0]}`);
    await t?.page.screenshot({ path: path.join(results, `${file}-crash.png`) }).catch(() => undefined);
  } finally {
    if (t) {
      passed += t.counts.passed;
      failed += t.counts.failed;
      await t.close();
    }
  }
}
console.log(`ui: ${passed} passed, ${failed} failed`);
process.exit(0);
