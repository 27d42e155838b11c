// A notebook that names a kernel plugin (test/e2e/workspace/money-plugin.js): the plugin's formatValue preview shows
// in the object inspector, and expanding the value lists the plugin's rows.
export default async function plugins(t) {
  const { page } = t;
  const out = t.outputs();
  const opened = await t.step('opens plugins.coda as a notebook', async () => {
    await t.openFile('plugins.coda');
    await page.locator('.notebook-editor:visible .code-cell-row').first().waitFor({ timeout: 60_000 });
  });
  if (!opened) return;

  await t.step("the plugin's preview shows in the inspector", async () => {
    await t.runCommand('Notebook: Run All');
    // a one-line preview of the object around it stays the default; its row for the value is the plugin's
    const root = out.locator('.coda-tree .coda-row', { hasText: 'price' }).first();
    await root.waitFor({ timeout: 60_000 });
    await root.click();
    const price = out.locator('.coda-tree .coda-row[data-name="price"]', { hasText: '12.50 EUR' }).first();
    await price.waitFor({ timeout: 15_000 });
    await price.click();
    await out.locator('.coda-tree .coda-row[data-name="amount"]', { hasText: '12.5' }).first().waitFor({ timeout: 15_000 });
    await out.locator('.coda-tree .coda-row[data-name="currency"]', { hasText: 'EUR' }).first().waitFor({ timeout: 15_000 });
  });
  await t.screenshot('plugins-final');
}
