// Saving under another name keeps the kernel: the first Save As of an untitled notebook (VS Code closes the untitled
// document and opens the saved file as a new one) must not lose the variables the user built up.
export default async function saving(t) {
  const { page } = t;
  const out = t.outputs();
  const created = await t.step('a new untitled notebook runs a cell that counts its runs', async () => {
    await t.runCommand('CodaJS: New CodaJS Notebook');
    const editor = t.cellRow(0).locator('.monaco-editor').first();
    await editor.waitFor({ timeout: 30_000 });
    await editor.click();
    await page.keyboard.type('globalThis.runs = (globalThis.runs ?? 0) + 1; `runs: ${runs}`');
    // the notebook's kernel is chosen before the run (a click before it was once lost: nothing ran, nothing was asked)
    await page
      .locator('.notebook-editor:visible .kernel-label, .notebook-toolbar-container', { hasText: 'CodaJS: Node.js' })
      .first()
      .waitFor({ timeout: 30_000 });
    await t.runCell(0);
    await out.locator('.coda-tree, .coda-value', { hasText: 'runs: 1' }).first().waitFor({ timeout: 60_000 });
    await t.picture('create-notebook');
  });
  if (!created) return;

  await t.step('after Save As the same kernel runs the cell again (its variables kept)', async () => {
    await t.runCommand('File: Save As...');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    // the save dialog fills in a proposed path of its own first: replace it once it is there
    const end = Date.now() + 15_000;
    while (!(await input.inputValue()).endsWith('.coda') && Date.now() < end) await page.waitForTimeout(100);
    await input.fill(`${t.workspace}/saved-as.coda`);
    await page.waitForTimeout(300);
    if ((await input.inputValue()) !== `${t.workspace}/saved-as.coda`) await input.fill(`${t.workspace}/saved-as.coda`);
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab', { hasText: 'saved-as.coda' }).first().waitFor({ timeout: 30_000 });
    await t.runCell(0);
    await out.locator('.coda-tree, .coda-value', { hasText: 'runs: 2' }).first().waitFor({ timeout: 60_000 });
  });
  await t.screenshot('saving-final');
}
