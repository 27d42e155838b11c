// CodaJS in German: its command titles come from package.nls.de.json and its runtime messages (vscode.l10n.t) from
// l10n/bundle.l10n.de.json once VS Code's display language is German. VS Code shows a language only when a language
// pack for it is installed, and the server serves the workbench in the `locale` of the User argv.json (what Configure
// Display Language writes). Microsoft's German Language Pack is not on the npm registry: test/e2e/languagepack-de
// stands in for it, a language pack that translates none of VS Code's own strings, so every German word on the
// screen is CodaJS's.
import fs from 'node:fs';
import path from 'node:path';
import { packLanguagePack } from '../languagePack.mjs';

/** How long the file dialog's path must stay as typed before it is accepted. */
const FILE_DIALOG_SETTLE_MS = 500;
/**
 * How long the file dialog gets to list the folder of the typed path (a clean-clone CI run saw it still listing the
 * home folder, its progress bar running, after five settles: 2.5 s).
 */
const FILE_DIALOG_LIST_MS = 20_000;
/** How many times Install from VSIX is run, and how long each time the file dialog has to open. */
const DIALOG_TRIES = 3;
const DIALOG_WAIT_MS = 10_000;

/** Whether the quick input turns into a file dialog (it holds a path, not the palette's `>`) within DIALOG_WAIT_MS. */
async function fileDialogOpens(input) {
  const end = Date.now() + DIALOG_WAIT_MS;
  while (Date.now() < end) {
    const value = (await input.isVisible()) ? await input.inputValue().catch(() => '') : '';
    if (value.startsWith('/')) return true;
    await input.page().waitForTimeout(250);
  }
  return false;
}

export default async function l10n(t) {
  const { page } = t;
  const argv = path.join(t.userData, 'User', 'argv.json');
  try {
    const german = await t.step('the workbench opens in German once a German language pack is installed', async () => {
      const vsix = await packLanguagePack(path.join(path.dirname(t.workspace), 'languagepack-de.vsix'));
      // code-server's file dialog is a path in the quick input. In one CI run (stop 29) no dialog showed within 30 s
      // of the command (why was not seen: its screenshot stayed on that machine): run it again until one shows
      const input = page.locator('.quick-input-widget input');
      for (let attempt = 1; ; attempt++) {
        await t.runCommand('Extensions: Install from VSIX...');
        if (await fileDialogOpens(input)) break;
        if (attempt === DIALOG_TRIES) throw new Error(`no file dialog opened after ${DIALOG_TRIES} tries`);
      }
      // the dialog rewrites the path once it has resolved the folder it opens on: type the path until it stays and
      // the dialog lists the file
      const file = page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(vsix) }).first();
      for (const end = Date.now() + FILE_DIALOG_LIST_MS; ;) {
        if ((await input.inputValue()) !== vsix) await input.fill(vsix);
        await page.waitForTimeout(FILE_DIALOG_SETTLE_MS);
        if ((await input.inputValue()) === vsix && (await file.isVisible())) break;
        if (Date.now() > end) throw new Error(`the file dialog holds ${await input.inputValue()} and does not list ${path.basename(vsix)}`);
      }
      await page.keyboard.press('Enter');
      await t.notification('Completed installing extension', 60_000);
      fs.writeFileSync(argv, JSON.stringify({ locale: 'de' }));
      await page.reload();
      await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
      const language = await page.evaluate(() => globalThis._VSCODE_NLS_LANGUAGE);
      if (language !== 'de') throw new Error(`the workbench's language is ${language}`);
    });
    if (!german) return;
    await t.step('the command palette lists CodaJS commands by their German titles', async () => {
      // the English title stays searchable, shown under the German one
      for (const [german, english] of [
        ['CodaJS: Neues CodaJS-Notebook', 'CodaJS: New CodaJS Notebook'],
        ['CodaJS: Laufzeit installieren (Deno, Bun, Sandbox)', 'CodaJS: Install Runtime (Deno, Bun, Sandbox)'],
      ]) {
        const label = await (await t.findCommand(english)).locator('.label-name').first().innerText();
        if (label !== german) throw new Error(`${english} is listed as ${JSON.stringify(label)}`);
      }
      await page.keyboard.press('Escape');
    });
    await t.step("a scratch file's CodeLens is German (vscode.l10n.t)", async () => {
      await t.openFile('scratch.js');
      await page.locator('.codelens-decoration', { hasText: 'Scratch ausführen' }).first().waitFor({ timeout: 60_000 });
    });
  } finally {
    fs.rmSync(argv, { force: true });
    await t.screenshot('l10n-final');
  }
}
