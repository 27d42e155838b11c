// A folder nobody trusted yet cannot point CodaJS at a program: package.json lists coda.nodePath, coda.denoPath and
// coda.bunPath in `restrictedConfigurations`, so VS Code leaves the folder's values of them out while it is in Restricted
// Mode. The folder (test/e2e/untrusted) brings a .vscode/settings.json that points both paths at bogus-deno, a script
// that leaves a mark whenever something runs it. Nothing may run it while the folder is untrusted, although CodaJS
// reads coda.denoPath as soon as a Deno notebook opens (the editor's types come from the Deno binary); once the user
// trusts the folder, the same setting is used (the control that shows the mark would appear).
// This window has Workspace Trust on (run.sh turns it off for the others) and no startup prompt, as a user who
// answered it "No" or set it to never.
import fs from 'node:fs';
import path from 'node:path';

export const workbench = {
  folder: 'untrusted',
  userSettings: { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' },
  prepare(folder) {
    const bogus = path.join(folder, 'bogus-deno');
    fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'coda.nodePath': bogus, 'coda.denoPath': bogus }, null, 2));
  },
};

export default async function trust(t) {
  const { page } = t;
  const bogus = path.join(t.workspace, 'bogus-deno');
  const mark = path.join(t.workspace, 'bogus-deno-ran');
  const ran = () => (fs.existsSync(mark) ? fs.readFileSync(mark, 'utf8').trim().split('\n') : []);
  const dialog = page.locator('.monaco-dialog-box', { hasText: 'Executing a notebook cell will run code from this workspace' });

  const restricted = await t.step('the folder opens in Restricted Mode', async () => {
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 30_000 });
  });
  if (!restricted) return;

  await t.step("Settings show the folder's runtime paths as not applied", async () => {
    // the settings editor opens with its search box focused
    await t.runCommand('Preferences: Open Workspace Settings');
    await page.locator('.settings-editor').first().waitFor({ timeout: 15_000 });
    for (const [key, title] of [
      ['coda.nodePath', 'Node Path'],
      ['coda.denoPath', 'Deno Path'],
    ]) {
      await page.keyboard.press('Control+A');
      await page.keyboard.type(key);
      const item = page.locator('.settings-editor .setting-item-contents', { hasText: title }).first();
      await item.waitFor({ timeout: 15_000 });
      await item.locator('.setting-indicators-container', { hasText: 'Requires workspace trust' }).first().waitFor({ timeout: 15_000 });
    }
    await page.keyboard.press('Escape');
  });

  await t.step("Run Scratch refuses with CodaJS's message", async () => {
    await t.openFile('untrusted.js');
    const lens = page.locator('.editor-group-container.active .monaco-editor .codelens-decoration a', { hasText: 'Run Scratch' }).first();
    await lens.waitFor({ timeout: 60_000 });
    await lens.click();
    const warning = await t.notification('CodaJS does not run code in an untrusted workspace.');
    await warning.locator('.monaco-button', { hasText: 'Manage Workspace Trust' }).waitFor();
  });

  await t.step('a Deno notebook opens and asks for trust before a cell runs; no runtime path of the folder is run', async () => {
    await t.openFile('trust.coda');
    await t.cellRow(0).waitFor({ timeout: 60_000 });
    await t.runCell(0);
    await dialog.waitFor({ timeout: 15_000 });
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).first().click();
    await dialog.waitFor({ state: 'detached', timeout: 15_000 });
    if (ran().length) throw new Error(`the folder's ${bogus} ran: ${ran().join('; ')}`);
  });

  await t.step('once the folder is trusted, its coda.nodePath / coda.denoPath is used (the control)', async () => {
    await t.runCell(0);
    await dialog.waitFor({ timeout: 15_000 });
    await dialog.locator('.monaco-button', { hasText: 'Trust Folder & Continue' }).first().click();
    await t.outputs().locator('.coda-error-head', { hasText: bogus }).first().waitFor({ timeout: 60_000 });
    if (!ran().length) throw new Error(`${bogus} never ran`);
  });
  await t.screenshot('trust-final');
}
