// The first run after install (this scenario sorts first, so its workbench is the first this code-server shows):
// the Getting Started walkthrough opens by itself, and its first step completes when a notebook is created.
// CodaJS opens it on its first activation in a browser profile when the machine setting
// workbench.welcomePage.walkthroughs.openOnInstall is on: run.sh turns it on only when this scenario runs, and this
// scenario turns it off for the scenarios after it (each opens a fresh browser profile).
import fs from 'node:fs';
import path from 'node:path';

export default async function firstrun(t) {
  const { page } = t;
  // the server's Machine settings
  const settingsFile = path.join(t.userData, 'Machine', 'settings.json');
  const step = (id) => page.locator(`.gettingStartedContainer button.getting-started-step[data-step-id$="${id}"]`).first();
  try {
    const opened = await t.step('the walkthrough opens on first install', async () => {
      await page.locator('.gettingStartedContainer', { hasText: 'Get Started with CodaJS' }).first().waitFor({ timeout: 60_000 });
      await step('createNotebook').waitFor({ timeout: 15_000 });
      await t.picture('walkthrough');
    });
    if (!opened) return;
    await t.step('its first step completes when a notebook is created', async () => {
      await t.runCommand('CodaJS: New CodaJS Notebook');
      await t.cellRow(0).waitFor({ timeout: 30_000 });
      // the notebook took the walkthrough's (preview) tab: open it again, as Help › Welcome would
      await t.runCommand('Welcome: Open Walkthrough...');
      const input = page.locator('.quick-input-widget input');
      await input.fill('Get Started with CodaJS');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get Started with CodaJS' }).first().waitFor({ timeout: 15_000 });
      await page.keyboard.press('Enter');
      await step('createNotebook').locator('.codicon.complete').waitFor({ timeout: 15_000 });
      if (await step('runScratch').locator('.codicon.complete').count()) throw new Error('an untouched step is complete too');
    });
    // no dirty untitled notebook for hot exit to bring back into the scenarios after this one
    await t.step('the new notebook closes without saving', async () => {
      await page.locator('.tabs-container .tab', { hasText: 'Untitled-1' }).first().click();
      await t.runCommand('View: Revert and Close Editor');
      await page.locator('.tabs-container .tab', { hasText: 'Untitled-1' }).first().waitFor({ state: 'detached', timeout: 15_000 });
    });
  } finally {
    fs.writeFileSync(settingsFile, JSON.stringify({ 'workbench.welcomePage.walkthroughs.openOnInstall': false }));
    await t.screenshot('firstrun-final');
  }
}
