// Run Scratch in the real UI: click the CodeLens of a plain .js file, read the inline value and console line
// from the editor DOM, then stop a looping scratch.
export default async function scratch(t) {
  const { page } = t;
  const editorText = () => page.locator('.editor-group-container.active .monaco-editor .view-lines');
  const lens = (title) => page.locator('.editor-group-container.active .monaco-editor .codelens-decoration a', { hasText: title }).first();

  const opened = await t.step('shows a Run Scratch CodeLens in a .js file', async () => {
    await t.openFile('scratch.js');
    await lens('Run Scratch').waitFor({ timeout: 60_000 });
    await lens('Run Cell').waitFor({ timeout: 10_000 });
  });
  if (!opened) return;

  await t.step('clicking the CodeLens shows values and console output at the end of their lines', async () => {
    await lens('Run Scratch').click();
    await editorText().filter({ hasText: '→ 42' }).waitFor({ timeout: 60_000 });
    await editorText().filter({ hasText: '» hello from scratch' }).waitFor({ timeout: 10_000 });
    await editorText().filter({ hasText: '→ 80' }).waitFor({ timeout: 10_000 });
  });

  await t.step('stops a looping scratch', async () => {
    await t.openFile('loop.js');
    await lens('Run Scratch').waitFor({ timeout: 30_000 });
    await lens('Run Scratch').click();
    await lens('Stop Scratch').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000);
    await lens('Stop Scratch').click();
    await editorText().filter({ hasText: 'Interrupted' }).waitFor({ timeout: 30_000 });
  });
  await t.screenshot('scratch-final');
}
