// The Getting Started walkthrough: opened once on the first activation after install (the e2e user settings keep it
// shut for the other scenarios: workbench.welcomePage.walkthroughs.openOnInstall false), and its first step completes
// when a notebook is created.
import fs from 'node:fs';
import path from 'node:path';

export default async function walkthrough(t) {
  const { page } = t;
  // the user settings of this code-server (run.sh: $RUN/ud next to $RUN/workspace)
  const settingsFile = path.join(t.workspace, '..', 'ud', 'User', 'settings.json');
  const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
  const step = (id) => page.locator(`.gettingStartedContainer button.getting-started-step[data-step-id$="${id}"]`).first();

  const opened = await t.step('the walkthrough opens on the first activation', async () => {
    fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, 'workbench.welcomePage.walkthroughs.openOnInstall': true }, null, 2));
    await page.waitForTimeout(1000); // the workbench reads the changed settings file
    await t.runCommand('Developer: Reload Window');
    await page.locator('.gettingStartedContainer', { hasText: 'Get Started with CodaJS' }).first().waitFor({ timeout: 90_000 });
    await step('createNotebook').waitFor({ timeout: 15_000 });
    await t.picture('walkthrough');
  });
  if (opened) {
    await t.step('its first step completes when a notebook is created', async () => {
      await t.runCommand('CodaJS: New CodaJS Notebook');
      await t.cellRow(0).waitFor({ timeout: 30_000 });
      await page.locator('.tabs-container .tab', { hasText: 'Welcome' }).first().click();
      await step('createNotebook').locator('.codicon.complete').waitFor({ timeout: 15_000 });
      if (await step('runScratch').locator('.codicon.complete').count()) throw new Error('an untouched step is complete too');
    });
  }
  fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
  await t.screenshot('walkthrough-final');
}
