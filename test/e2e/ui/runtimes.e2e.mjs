// Runtimes in the real UI, from the installed VSIX: a notebook whose metadata names Deno opens with the Deno kernel
// selected (VS Code picks none by itself when an extension offers several) and its cells run in Deno; Interrupt stops
// its while(true) cell and the kernel keeps its variables.
export default async function runtimes(t) {
  const out = t.outputs();
  const opened = await t.step('opens a notebook whose metadata names Deno', async () => {
    await t.openFile('deno.coda');
    await t.cellRow(0).waitFor({ timeout: 60_000 });
  });
  if (!opened) return;
  await t.step('Run All runs it on the Deno kernel the metadata names, without asking', async () => {
    await t.page
      .locator('.notebook-editor:visible .kernel-label, .statusbar, .notebook-toolbar-container', { hasText: 'CodaJS: Deno' })
      .first()
      .waitFor({ timeout: 30_000 });
    await t.runCommand('Notebook: Run All');
    await out.locator('.coda-console', { hasText: 'hello from deno' }).first().waitFor({ timeout: 60_000 });
  });
  await t.step('Interrupt stops the while(true) cell Run All reached on Deno (the claim on its synchronous part)', async () => {
    await t.page.waitForTimeout(500);
    await t.runCommand('CodaJS: Interrupt Kernel');
    await out.locator('.coda-interrupted').first().waitFor({ timeout: 30_000 });
  });
  await t.step('the Deno kernel kept its variables through the interrupt', async () => {
    await t.runCell(2);
    await out.locator('.coda-tree .coda-v-number', { hasText: '15' }).first().waitFor({ timeout: 30_000 });
  });
  await t.step('the kernel picker lists all four runtimes (at its first level, or under "Select Another Kernel…")', async () => {
    await t.runCommand('Notebook: Select Notebook Kernel');
    const rows = t.page.locator('.quick-input-list .monaco-list-row');
    // VS Code's most-recently-used picker may show only the selected kernel first (it did once in CI, whatever the
    // notebook.kernelPicker.type setting): the runtimes are then one step away
    await rows.first().waitFor({ timeout: 15_000 });
    const another = rows.filter({ hasText: 'Select Another Kernel' });
    if ((await rows.filter({ hasText: 'CodaJS: Node.js' }).count()) === 0 && (await another.count()) > 0) {
      await another.first().click();
      const ours = rows.filter({ hasText: 'CodaJS' });
      await ours.first().waitFor({ timeout: 15_000 });
      if ((await rows.filter({ hasText: 'CodaJS: Node.js' }).count()) === 0) await ours.first().click();
    }
    for (const label of ['CodaJS: Node.js', 'CodaJS: Deno', 'CodaJS: Bun', 'CodaJS: Sandbox (isolated-vm)']) {
      await rows.filter({ hasText: label }).first().waitFor({ timeout: 15_000 });
    }
    await t.screenshot('kernel-picker');
    await t.picture('pick-runtime');
    await t.page.keyboard.press('Escape');
  });
  await t.screenshot('runtimes-final');
}
