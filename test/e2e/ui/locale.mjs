// The German translation, in a code-server started with `--locale de` (run.sh): the command palette shows CodaJS's
// command titles from package.nls.de.json. Usage: locale.mjs BASE_URL WORKSPACE RESULTS_DIR; ends with
// `locale: N passed, N failed`.
import { openWorkbench } from './harness.mjs';

const [base, workspace, results] = process.argv.slice(2);
let t;
let crashed = 0;
try {
  t = await openWorkbench(base, workspace, results);
  console.log('locale.mjs');
  await t.step('with --locale de the palette shows the German command titles', async () => {
    await t.page.keyboard.press('F1');
    const input = t.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    // the extension's commands arrive a moment after the workbench: type again until they are listed
    const rows = t.page.locator('.quick-input-list .monaco-list-row', { hasText: 'CodaJS' });
    for (let i = 0; i < 20 && !(await rows.count()); i++) {
      await input.fill('');
      await input.fill('>CodaJS');
      await t.page.waitForTimeout(1000);
    }
    console.log(`    listed: ${(await rows.allInnerTexts()).slice(0, 4).join(' | ').replace(/\s+/g, ' ')}`);
    for (const title of ['Neues CodaJS-Notebook', 'Kernel neu starten', 'Laufzeit installieren']) {
      await t.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
    }
    await t.screenshot('locale-de');
  });
} catch (err) {
  crashed = 1;
  console.log(`  ✗ locale.mjs could not run: ${String(err?.message ?? err).split('\n')[0]}`);
}
const { passed, failed } = t?.counts ?? { passed: 0, failed: 0 };
await t?.close();
console.log(`locale: ${passed} passed, ${failed + crashed} failed`);
