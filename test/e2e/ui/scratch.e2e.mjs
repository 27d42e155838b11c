// Run Scratch in the real UI: click the CodeLens of a plain .js file, read the inline value and console line
// from the editor DOM, then stop a looping scratch.
import fs from 'node:fs';
import path from 'node:path';

export default async function scratch(t) {
  const { page } = t;
  // `after` decorations are drawn as CSS pseudo-element content, not DOM text: read their computed content
  const annotations = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('.editor-group-container.active .monaco-editor .view-lines span')]
        .flatMap((el) => [getComputedStyle(el, '::after').content, getComputedStyle(el, '::before').content])
        .filter((c) => c && c !== 'none' && c !== 'normal')
        .join('\n'),
    );
  const seeAnnotation = async (text, ms) => {
    const end = Date.now() + ms;
    for (;;) {
      const all = await annotations();
      if (all.includes(text)) return;
      if (Date.now() > end) throw new Error(`no inline annotation containing ${JSON.stringify(text)}; saw ${JSON.stringify(all.slice(0, 300))}`);
      await page.waitForTimeout(200);
    }
  };
  const lens = (title) => page.locator('.editor-group-container.active .monaco-editor .codelens-decoration a', { hasText: title }).first();

  const opened = await t.step('shows a Run Scratch CodeLens in a .js file', async () => {
    await t.openFile('scratch.js');
    await lens('Run Scratch').waitFor({ timeout: 60_000 });
    await lens('Run Cell').waitFor({ timeout: 10_000 });
  });
  if (!opened) return;

  await t.step('clicking the CodeLens shows values and console output at the end of their lines', async () => {
    await lens('Run Scratch').click();
    await seeAnnotation('→ 42', 60_000);
    await seeAnnotation('» hello from scratch', 10_000);
    await seeAnnotation('→ 80', 10_000);
    await t.picture('run-scratch');
  });

  await t.step('after an edit, values stay on their moved lines until the next run', async () => {
    // the annotations drawn on the line whose code contains `code`
    const onLine = (code) =>
      page.evaluate((needle) => {
        const line = [...document.querySelectorAll('.editor-group-container.active .monaco-editor .view-line')].find((l) =>
          l.textContent.replace(/\u00a0/g, ' ').includes(needle),
        );
        if (!line) return '';
        return [...line.querySelectorAll('span')]
          .flatMap((el) => [getComputedStyle(el, '::after').content, getComputedStyle(el, '::before').content])
          .filter((c) => c && c !== 'none' && c !== 'normal')
          .join('\n');
      }, code);
    await page.locator('.editor-group-container.active .monaco-editor .view-line').first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Enter');
    // before the debounced re-run: the old value, moved down with its line (an edit used to clear them all)
    const end = Date.now() + 500;
    let seen = '';
    while (Date.now() < end && !seen.includes('→ 42')) seen = await onLine('base + 2');
    if (!seen.includes('→ 42')) throw new Error(`the value of base + 2 did not stay on its line after the edit: ${JSON.stringify(seen)}`);
    // edits re-run a file that has run (coda.scratch.runOnChange is on by default): the value is there after it too
    await page.waitForTimeout(2500);
    if (!(await onLine('base + 2')).includes('→ 42')) throw new Error('the re-run lost the value');
  });

  await t.step('a scratch file installs what it imports before it runs (as a notebook does)', async () => {
    await t.openFile('deps.js');
    await lens('Run Scratch').waitFor({ timeout: 30_000 });
    await lens('Run Scratch').click();
    await seeAnnotation('→ true', 120_000);
    await t.picture('add-package');
  });

  await t.step('a helper module the file imports, changed on disk, runs the file again with its new version', async () => {
    fs.writeFileSync(path.join(t.workspace, 'scratch-helper.mjs'), 'export const version = () => "helper v1";\n');
    fs.writeFileSync(path.join(t.workspace, 'uses-helper.js'), 'import { version } from "./scratch-helper.mjs";\nversion()\n');
    await t.openFile('uses-helper.js');
    await lens('Run Scratch').waitFor({ timeout: 30_000 });
    await lens('Run Scratch').click();
    await seeAnnotation('helper v1', 60_000);
    // as an editor elsewhere, or git, would change it: the file watcher sees it, the kernel loads the new version
    fs.writeFileSync(path.join(t.workspace, 'scratch-helper.mjs'), 'export const version = () => "helper v2, edited";\n');
    await seeAnnotation('helper v2, edited', 60_000);
  });

  await t.step("a line's pending promise shows its value once it settles, in place of <pending>", async () => {
    fs.writeFileSync(
      path.join(t.workspace, 'settles.js'),
      'const later = (v, ms) => new Promise((r) => setTimeout(() => r(v), ms));\nlater("settled later", 1500)\n',
    );
    await t.openFile('settles.js');
    await lens('Run Scratch').waitFor({ timeout: 30_000 });
    await lens('Run Scratch').click();
    await seeAnnotation('<pending>', 60_000);
    await seeAnnotation("Promise { 'settled later' }", 15_000);
    if ((await annotations()).includes('<pending>')) throw new Error('the pending value stayed beside the settled one');
  });

  await t.step('stops a looping scratch', async () => {
    await t.openFile('loop.js');
    await lens('Run Scratch').waitFor({ timeout: 30_000 });
    await lens('Run Scratch').click();
    await lens('Stop Scratch').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000);
    await lens('Stop Scratch').click();
    await seeAnnotation('Interrupted', 30_000);
  });
  await t.screenshot('scratch-final');
}
