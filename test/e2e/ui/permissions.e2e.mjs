// Permissions in the real UI: a notebook that declares permissions asks to grant them on its first run (a modal
// dialog that lists them), runs with exactly those once granted, and a denied access shows an error naming the
// capability to grant.
export default async function permissions(t) {
  const { page } = t;
  const out = t.outputs();
  const opened = await t.step('opens a notebook that declares permissions', async () => {
    await t.openFile('permissions.coda');
    await t.cellRow(0).waitFor({ timeout: 60_000 });
  });
  if (!opened) return;

  const asked = await t.step('the first run asks to grant the declared permissions', async () => {
    await t.runCell(0);
    const dialog = page.locator('.monaco-dialog-box', { hasText: 'asks for these permissions' });
    await dialog.waitFor({ timeout: 60_000 });
    await dialog.locator('text=the environment variable CODA_VISIBLE').first().waitFor();
    await t.screenshot('permissions-prompt');
    await dialog.locator('.monaco-button', { hasText: 'Grant and Run' }).click();
  });
  if (!asked) return;

  await t.step('once granted, the cell runs and sees only the granted variables', async () => {
    await out.locator('.coda-console', { hasText: 'env seen: 0 other variables' }).first().waitFor({ timeout: 60_000 });
  });

  await t.step('a denied read shows PermissionDenied naming the capability, without asking again', async () => {
    await t.runCell(1);
    await out.locator('text=/Permission denied: read access to/').first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(300);
    if (await page.locator('.monaco-dialog-box').count()) throw new Error('the grant was asked for again');
  });
  await t.screenshot('permissions-final');
}
