// Debug Cell, Debug Scratch and checkpoints in the real UI (issue 15 items 1 and 3), with VS Code's own JavaScript
// debugger: a breakpoint in a function an earlier cell defined is hit from Debug Cell and the paused line is shown in
// that notebook cell itself (no read-only copy opens), its local is read in the Variables pane, Step Over moves one
// line, Step Out opens the calling cell, and after Continue the next cell sees the state; Debug Scratch stops at a
// breakpoint in a `// %%` file on disk, shows the paused line there and a local, and the kernel keeps its state; a
// `//?` checkpoint in a setInterval callback records three hits, shown in the Checkpoints view. Then the same debugger
// on a Deno notebook: a breakpoint in a cell is hit from Debug Cell, a local is read in the Variables pane, and after
// Continue the next cell sees the state. Everything is read from the workbench's DOM.

/**
 * The text of each line an editor inside `scope` marks as the top stack frame (VS Code's debugger decorates it with
 * `debug-top-stack-frame-line` in the editor's view overlays, at the same `top` as the line).
 */
function pausedLines(scope) {
  return scope.evaluate((root) =>
    (root.matches('.monaco-editor') ? [root] : [...root.querySelectorAll('.monaco-editor')]).flatMap((editor) =>
      [...editor.querySelectorAll('.view-overlays .debug-top-stack-frame-line')].map((mark) => {
        const top = mark.parentElement?.style.top;
        const line = [...editor.querySelectorAll('.view-lines .view-line')].find((l) => l.style.top === top);
        return line ? line.textContent.replace(/\u00a0/g, ' ').trim() : `(a line at ${top})`;
      }),
    ),
  );
}

/** Waits until the only paused line inside `scope` is `text` (or one of the texts given). */
async function seePausedLine(page, scope, text, ms = 20_000) {
  const texts = [text].flat();
  const end = Date.now() + ms;
  for (;;) {
    const lines = await pausedLines(scope).catch(() => []);
    if (lines.length === 1 && texts.includes(lines[0])) return;
    if (Date.now() > end) throw new Error(`the paused line is not ${JSON.stringify(text)}: saw ${JSON.stringify(lines)}`);
    await page.waitForTimeout(200);
  }
}

/**
 * Puts the cursor on line 3 of the first cell and toggles a breakpoint there (F9), selects the second cell, runs
 * `beforeDebug`, then Debug Cell.
 */
async function debugSecondCell(t, beforeDebug = async () => {}) {
  await t.cellRow(0).locator('.monaco-editor .view-lines').first().click();
  await t.page.keyboard.press('Control+Home');
  await t.page.keyboard.press('ArrowDown');
  await t.page.keyboard.press('ArrowDown');
  await t.page.keyboard.press('F9');
  await t.cellRow(1).locator('.monaco-editor .view-lines').first().click();
  await beforeDebug();
  await t.runCommand('CodaJS: Debug Cell');
}

/** The debug views and editor tabs, read from the DOM. */
function workbench(page) {
  const pane = (title) => page.locator('.pane', { has: page.locator('.pane-header', { hasText: new RegExp(`^\\s*${title}`) }) });
  const rows = (title) => pane(title).locator('.pane-body .monaco-list-row');
  const tabs = () => page.locator('.tabs-container .tab').allInnerTexts();
  const local = () => rows('Variables').filter({ hasText: 'Local' }).first();
  return {
    rows,
    tabs,
    /** Waits for a row of the paused frame's Local scope matching `pattern`. */
    async seeLocal(pattern) {
      await local().waitFor({ timeout: 20_000 });
      if ((await local().getAttribute('aria-expanded')) !== 'true') await local().click();
      await rows('Variables').filter({ hasText: pattern }).first().waitFor({ timeout: 20_000 });
    },
    /** Fails when an editor tab opened since `before` (the read-only copy of a cell did). */
    async noNewTab(before) {
      const added = (await tabs()).filter((tab) => !before.includes(tab));
      if (added.length) throw new Error(`an editor opened beside the notebook or file: ${JSON.stringify(added)}`);
    },
  };
}

export default async function debug(t) {
  const { page } = t;
  const { rows, tabs, seeLocal, noNewTab } = workbench(page);

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

  let tabsBefore = [];
  const paused = await t.step('a breakpoint on line 3 of the first cell stops Debug Cell of the second, shown in the first cell', async () => {
    // a breakpoint on line 3 of cell 1 (const height = h * 2;), then Debug Cell of cell 2
    await debugSecondCell(t, async () => {
      tabsBefore = await tabs();
    });
    await rows('Call Stack').filter({ hasText: 'area' }).first().waitFor({ timeout: 60_000 });
    // the paused line is highlighted in the notebook cell itself, and no read-only copy of the cell opened
    await seePausedLine(page, t.cellRow(0), 'const height = h * 2;');
    await noNewTab(tabsBefore);
    const frame = await rows('Call Stack').filter({ hasText: 'area' }).first().innerText();
    if (!frame.includes('debug.coda, cell 1')) throw new Error(`the frame does not name its cell: ${JSON.stringify(frame)}`);
  });

  if (paused) {
    await t.step('the Variables pane shows the local width = 6 of the paused frame', async () => {
      await seeLocal(/width\s*[:=]\s*6\b/);
    });

    await t.step('Step Over moves one line: height is assigned (8) and the paused line is 4, in the cell', async () => {
      await t.runCommand('Debug: Step Over');
      await seeLocal(/height\s*[:=]\s*8\b/);
      const frame = rows('Call Stack').filter({ hasText: 'area' }).first();
      const text = await frame.innerText();
      if (!/\b4:\d+\b/.test(text)) throw new Error(`the top frame is not on line 4: ${JSON.stringify(text)}`);
      await seePausedLine(page, t.cellRow(0), 'return width * height;');
    });

    await t.step('Step Out returns to the second cell: the paused line moves there', async () => {
      await t.runCommand('Debug: Step Out');
      // V8 stops at the caller's next pause location: the rest of line 1 or line 2 of the second cell
      await seePausedLine(page, t.cellRow(1), ['const total = area(3, 4);', 'total']);
      const inFirst = await pausedLines(t.cellRow(0));
      if (inFirst.length) throw new Error(`the first cell still shows a paused line: ${JSON.stringify(inFirst)}`);
      await noNewTab(tabsBefore);
    });

    await t.step('after Continue the cell ends with its value', async () => {
      await t.runCommand('Debug: Continue');
      await t.outputs().getByText('48', { exact: true }).first().waitFor({ timeout: 30_000 });
      await noNewTab(tabsBefore);
    });

    await t.step('Debug Cell stops at a breakpoint in the debugged cell itself, which sees the state the others made', async () => {
      // the cell's script is compiled by this run, after the breakpoint was set
      await t.cellRow(2).locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('F9');
      await t.runCommand('CodaJS: Debug Cell');
      await seePausedLine(page, t.cellRow(2), 'total + 1', 60_000);
      await t.runCommand('Debug: Continue');
      await t.outputs().getByText('49', { exact: true }).first().waitFor({ timeout: 30_000 });
      await noNewTab(tabsBefore);
    });
  }

  await t.step('a //? checkpoint in a setInterval callback records three hits, shown in the Checkpoints view', async () => {
    await t.runCell(3);
    await t.runCommand('Focus on CodaJS Checkpoints View');
    await rows('CodaJS Checkpoints').filter({ hasText: '3× 3' }).first().waitFor({ timeout: 30_000 });
  });
  await t.screenshot('debug-final');

  await debugScratch(t);
  await debugDeno(t);
}

/** Debug Scratch on debug-scratch.js: a breakpoint in half(), then the kernel keeps `runs` for the next run. */
export async function debugScratch(t) {
  const { page } = t;
  const { rows, tabs, seeLocal, noNewTab } = workbench(page);
  const editor = page.locator('.editor-group-container.active .monaco-editor').first();
  // `after` decorations (the scratch file's values) are CSS pseudo-element content: read their computed content
  const seeValue = async (text, ms) => {
    const end = Date.now() + ms;
    for (;;) {
      const all = await editor.evaluate((root) =>
        [...root.querySelectorAll('.view-lines span')]
          .map((el) => getComputedStyle(el, '::after').content)
          .filter((c) => c && c !== 'none' && c !== 'normal')
          .join('\n'),
      );
      if (all.includes(text)) return;
      if (Date.now() > end) throw new Error(`no value ${JSON.stringify(text)} in the file; saw ${JSON.stringify(all.slice(0, 300))}`);
      await page.waitForTimeout(200);
    }
  };

  const opened = await t.step('opens debug-scratch.js and sets a breakpoint in half()', async () => {
    await t.openFile('debug-scratch.js');
    await editor.locator('.view-lines').filter({ hasText: 'function half' }).waitFor({ timeout: 60_000 });
    await editor.locator('.view-lines').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('F9');
    await editor.locator('.codicon-debug-breakpoint').first().waitFor({ timeout: 10_000 });
  });
  if (!opened) return;

  let tabsBefore = [];
  const paused = await t.step('Debug Scratch from the palette stops there, shown in the file, with the local n = 84', async () => {
    tabsBefore = await tabs();
    await t.runCommand('CodaJS: Debug Scratch');
    await rows('Call Stack').filter({ hasText: 'half' }).first().waitFor({ timeout: 60_000 });
    await seePausedLine(page, editor, 'const h = n / 2;');
    await noNewTab(tabsBefore);
    await seeLocal(/\bn\s*[:=]\s*84\b/);
  });
  if (!paused) return;

  await t.step('after Continue the run ends with its values, and the next run finds what the debugged one left', async () => {
    await t.runCommand('Debug: Continue');
    await seeValue('→ 42', 30_000);
    await seeValue('→ 10', 10_000);
    // the debug session has ended: the call stack is empty, the breakpoint stays and does not stop a plain run
    await rows('Call Stack').filter({ hasText: 'half' }).first().waitFor({ state: 'detached', timeout: 20_000 });
    await t.runCommand('CodaJS: Run Scratch');
    await seeValue('→ 20', 30_000);
    await noNewTab(tabsBefore);
  });
  await t.screenshot('debug-scratch-final');
}

/** Debug Cell on a Deno kernel: the debugger attaches through the worker's relay onto Deno's inspector. */
async function debugDeno(t) {
  const { page } = t;
  const { rows } = workbench(page);
  const opened = await t.step('Deno: opens debug-deno.coda and runs the cell that defines scale()', async () => {
    await t.openFile('debug-deno.coda');
    await t.cellRow(0).waitFor({ timeout: 60_000 });
    await t.runCell(0);
    await t.cellRow(0).locator('.codicon-notebook-state-success').first().waitFor({ timeout: 90_000 });
  });
  if (!opened) return;

  const paused = await t.step('Deno: a breakpoint on line 3 of the first cell stops Debug Cell of the second', async () => {
    // a breakpoint on line 3 of cell 1 (const shifted = doubled + 1;), then Debug Cell of cell 2
    await debugSecondCell(t);
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
