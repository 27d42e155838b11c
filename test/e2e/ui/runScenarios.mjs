// Runs every test/e2e/ui/*.e2e.mjs scenario against one code-server.
// Usage: runScenarios.mjs BASE_URL WORKSPACE RESULTS_DIR USER_DATA_DIR (the server's --user-data-dir)
// A scenario opens the workspace unless it exports `workbench`, how its window opens:
//   folder        a fixture folder test/e2e/<folder>, copied beside the workspace and opened instead of it
//   userSettings  User settings for this scenario's window only (merged in before it opens, taken out after)
//   prepare(dir)  called with the copied folder before the window opens (files whose content needs its path)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openWorkbench } from './harness.mjs';

const [base, workspace, results, userData] = process.argv.slice(2);
const dir = path.dirname(fileURLToPath(import.meta.url));
let passed = 0;
let failed = 0;
// CODA_E2E_SCENARIOS=saving,scratch runs only those scenarios (while working on them)
const only = process.env.CODA_E2E_SCENARIOS?.split(',').filter(Boolean);
const FIRST = 'firstrun.e2e.mjs';

/** Adds `settings` to the server's User settings; returns what puts the file back as it was. */
function withUserSettings(settings) {
  const file = path.join(userData, 'User', 'settings.json');
  const before = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(before), ...settings }, null, 2));
  return () => fs.writeFileSync(file, before);
}

for (const file of fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.e2e.mjs') && (!only || only.includes(f.replace('.e2e.mjs', ''))))
  // the first-run scenario first: it sees the walkthrough open on the first activation, then turns that off
  .sort((a, b) => (a === FIRST ? -1 : b === FIRST ? 1 : a.localeCompare(b)))) {
  console.log(`${file}`);
  let t;
  let restoreSettings;
  try {
    const scenario = await import(pathToFileURL(path.join(dir, file)).href);
    const { folder, userSettings, prepare } = scenario.workbench ?? {};
    let opened = workspace;
    if (folder) {
      opened = path.join(path.dirname(workspace), folder);
      fs.cpSync(path.join(dir, '..', folder), opened, { recursive: true });
      await prepare?.(opened);
    }
    if (userSettings) restoreSettings = withUserSettings(userSettings);
    t = await openWorkbench(base, opened, results, userData);
    await scenario.default(t);
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
    restoreSettings?.();
  }
}
console.log(`ui: ${passed} passed, ${failed} failed`);
process.exit(0);
