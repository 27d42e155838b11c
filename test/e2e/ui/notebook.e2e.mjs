// The notebook in the real UI: run cells, read console output and expand an object from the output webview,
// interrupt a while(true) cell, read an earlier variable after it, restart and see the state cleared; a notebook in a
// sub-folder reads the file beside it.
export default async function notebook(t) {
  const { page } = t;
  const out = t.outputs();
  const opened = await t.step('opens demo.coda as a notebook', async () => {
    await t.openFile('demo.coda');
    await page.locator('.notebook-editor:visible .code-cell-row').first().waitFor({ timeout: 60_000 });
  });
  if (!opened) return;

  await t.step('Run All: console output from the webview', async () => {
    await t.runCommand('Notebook: Run All');
    await out.locator('.coda-console', { hasText: 'hello from cell 1' }).first().waitFor({ timeout: 60_000 });
    await out.locator('.coda-console .coda-level-warn', { hasText: 'careful' }).first().waitFor();
    await out.locator('.coda-console table.coda-table', { hasText: 'apples' }).first().waitFor();
    await t.picture('run-cell');
  });

  await t.step('interrupts the while(true) cell Run All reached', async () => {
    await page.waitForTimeout(500);
    await t.runCommand('CodaJS: Interrupt Kernel');
    await out.locator('.coda-interrupted').first().waitFor({ timeout: 30_000 });
  });

  await t.step('expands an object in the inspector', async () => {
    const root = out.locator('.coda-tree .coda-row', { hasText: 'nested' }).first();
    await root.waitFor({ timeout: 30_000 });
    await root.click();
    const child = out.locator('.coda-tree .coda-row[data-name="nested"]').first();
    await child.waitFor({ timeout: 15_000 });
    await child.click();
    await out.locator('.coda-tree .coda-row[data-name="deep"]', { hasText: 'true' }).first().waitFor({ timeout: 15_000 });
    await t.picture('inspect-value');
  });

  await t.step('reads an earlier variable after the interrupt', async () => {
    await t.runCell(3);
    await out.locator('.coda-tree .coda-v-number', { hasText: '43' }).first().waitFor({ timeout: 30_000 });
  });

  await t.step('restart clears the kernel state', async () => {
    await t.runCommand('CodaJS: Restart Kernel');
    await page.waitForTimeout(1000);
    await t.runCell(4);
    await out.locator('.coda-tree .coda-v-string', { hasText: "'undefined'" }).first().waitFor({ timeout: 30_000 });
  });
  await t.screenshot('notebook-final');

  // extensionKind ["workspace"]: the extension host, and so the kernel, runs on the server with the files (code-server
  // runs its extension host server-side, like Remote SSH / Dev Containers / Codespaces / WSL)
  await t.step('a notebook reads a file next to it (the kernel runs where the files are)', async () => {
    await t.openFile('reads-beside.coda');
    await page.locator('.notebook-editor:visible .code-cell-row').first().waitFor({ timeout: 60_000 });
    await t.runCell(0);
    await out.locator('.coda-tree .coda-v-string', { hasText: 'read on the side of the files' }).first().waitFor({ timeout: 60_000 });
  });
}
