// Debug Cell and checkpoints in the real UI (issue 15 items 1 and 3), with VS Code's own JavaScript debugger:
// a breakpoint in a function an earlier cell defined is hit from Debug Cell, its local is read in the Variables
// pane, Step Over moves one line, and after Continue the next cell sees the state; a `//?` checkpoint in a
// setInterval callback records three hits, shown in the Checkpoints view. Then the same debugger on a Deno notebook:
// a breakpoint in a cell is hit from Debug Cell, a local is read in the Variables pane, and after Continue the next
// cell sees the state. Everything is read from the workbench's DOM.

export default async function debug(t) {
  const { page } = t;
  const pane = (title) => page.locator('.pane', { has: page.locator('.pane-header', { hasText: new RegExp(`^\\s*${title}`) }) });
  const rows = (title) => pane(title).locator('.pane-body .monaco-list-row');

  const opened = await t.step('opens debug.coda and runs the cell that defines area()', async () => {
    // Quick Open can find nothing while the workspace is still being indexed: the Explorer opens it too
    await t.openFile('debug.coda').catch(async () => {
      await page.keyboard.press('Escape');
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'debug.coda' }).first().dblclick();
    });
    await t.cellRow(0).waitFor({ timeout: 60_000 });
    await t.runCell(0);
    await t.cellRow(0).locator('.codicon-notebook-state-success').first().waitFor({ timeout: 60_000 });
  });
  if (!opened) return;

  const paused = await t.step('a breakpoint on line 3 of the first cell stops Debug Cell of the second', async () => {
    // the cursor on line 3 of cell 1 (const height = h * 2;), then Toggle Breakpoint (F9)
    await t.cellRow(0).locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('F9');
    // select cell 2 and debug it
    await t.cellRow(1).locator('.monaco-editor .view-lines').first().click();
    await t.runCommand('CodaJS: Debug Cell');
    await rows('Call Stack').filter({ hasText: 'area' }).first().waitFor({ timeout: 60_000 });
  });

  if (paused) {
    const local = () => rows('Variables').filter({ hasText: 'Local' }).first();
    const expandLocal = async () => {
      await local().waitFor({ timeout: 20_000 });
      if ((await local().getAttribute('aria-expanded')) !== 'true') await local().click();
    };
    await t.step('the Variables pane shows the local width = 6 of the paused frame', async () => {
      await expandLocal();
      await rows('Variables')
        .filter({ hasText: /width\s*[:=]\s*6\b/ })
        .first()
        .waitFor({ timeout: 20_000 });
    });

    await t.step('Step Over moves one line: height is assigned (8) and the paused line is 4', async () => {
      await t.runCommand('Debug: Step Over');
      await expandLocal();
      await rows('Variables')
        .filter({ hasText: /height\s*[:=]\s*8\b/ })
        .first()
        .waitFor({ timeout: 20_000 });
      const frame = rows('Call Stack').filter({ hasText: 'area' }).first();
      const text = await frame.innerText();
      if (!/\b4:\d+\b/.test(text)) throw new Error(`the top frame is not on line 4: ${JSON.stringify(text)}`);
    });

    await t.step('after Continue the cell ends, and the next cell sees the state it made', async () => {
      await t.runCommand('Debug: Continue');
      // the paused line was shown in a read-only copy of the cell: back to the notebook
      await page
        .locator('.tabs-container .tab', { hasText: /^debug\.coda$/ })
        .first()
        .click();
      await t.outputs().getByText('48', { exact: true }).first().waitFor({ timeout: 30_000 });
      await t.runCell(2);
      await t.outputs().getByText('49', { exact: true }).first().waitFor({ timeout: 30_000 });
    });
  }

  await t.step('a //? checkpoint in a setInterval callback records three hits, shown in the Checkpoints view', async () => {
    await t.runCell(3);
    await t.runCommand('Focus on CodaJS Checkpoints View');
    await rows('CodaJS Checkpoints').filter({ hasText: '3× 3' }).first().waitFor({ timeout: 30_000 });
  });
  await t.screenshot('debug-final');

  await debugDeno(t, rows);
}

/** Debug Cell on a Deno kernel: the debugger attaches through the worker's relay onto Deno's inspector. */
async function debugDeno(t, rows) {
  const { page } = t;
  const opened = await t.step('Deno: opens debug-deno.coda and runs the cell that defines scale()', async () => {
    await t.openFile('debug-deno.coda');
    await t.cellRow(0).waitFor({ timeout: 60_000 });
    await t.runCell(0);
    await t.cellRow(0).locator('.codicon-notebook-state-success').first().waitFor({ timeout: 90_000 });
  });
  if (!opened) return;

  const paused = await t.step('Deno: a breakpoint on line 3 of the first cell stops Debug Cell of the second', async () => {
    // the cursor on line 3 of cell 1 (const shifted = doubled + 1;), then Toggle Breakpoint (F9)
    await t.cellRow(0).locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('F9');
    await t.cellRow(1).locator('.monaco-editor .view-lines').first().click();
    await t.runCommand('CodaJS: Debug Cell');
    const frame = rows('Call Stack').filter({ hasText: 'scale' }).first();
    await frame.waitFor({ timeout: 60_000 });
    const text = await frame.innerText();
    if (!/\b3:\d+\b/.test(text)) throw new Error(`the top frame is not on line 3: ${JSON.stringify(text)}`);
  });
  if (!paused) return;

  await t.step('Deno: the Variables pane shows the local doubled = 40 of the paused frame', async () => {
    const local = rows('Variables').filter({ hasText: 'Local' }).first();
    await local.waitFor({ timeout: 20_000 });
    if ((await local.getAttribute('aria-expanded')) !== 'true') await local.click();
    await rows('Variables')
      .filter({ hasText: /doubled\s*[:=]\s*40\b/ })
      .first()
      .waitFor({ timeout: 20_000 });
  });

  await t.step('Deno: after Continue the cell ends, and the next cell sees the state it made', async () => {
    await t.runCommand('Debug: Continue');
    await page
      .locator('.tabs-container .tab', { hasText: /^debug-deno\.coda$/ })
      .first()
      .click();
    await t.outputs().getByText('41', { exact: true }).first().waitFor({ timeout: 30_000 });
    await t.runCell(2);
    await t.outputs().getByText('42', { exact: true }).first().waitFor({ timeout: 30_000 });
  });
  await t.screenshot('debug-deno-final');
}
