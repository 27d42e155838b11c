// The Variables and Pending Work views in the real UI (issue 15): a variable a cell defined is listed and a Map
// expands; an http server a cell started appears in Pending Work with its port, and Cancel there frees the port
// (a connection from here is refused afterwards). Everything is read from the workbench's DOM.
import net from 'node:net';

/** Whether something on this machine accepts connections on the port. */
function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export default async function inspect(t) {
  const { page } = t;
  const pane = (title) => page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) });
  const rows = (title) => pane(title).locator('.pane-body .monaco-list-row');

  const opened = await t.step('opens inspect.coda and runs its cells', async () => {
    await t.openFile('inspect.coda');
    await page.locator('.notebook-editor:visible .code-cell-row').first().waitFor({ timeout: 60_000 });
    await t.runCommand('Notebook: Run All');
    await t.outputs().locator('.coda-tree .coda-v-number').first().waitFor({ timeout: 60_000 });
  });
  if (!opened) return;

  await t.step('the Variables view lists a variable a cell defined, with its type and preview', async () => {
    await t.runCommand('Focus on CodaJS Variables View');
    await rows('CodaJS Variables').filter({ hasText: 'greeting' }).filter({ hasText: "string 'hello inspector'" }).first().waitFor({ timeout: 30_000 });
  });

  await t.step('a Map expands in the Variables view', async () => {
    const map = rows('CodaJS Variables').filter({ hasText: 'inventory' }).first();
    await map.waitFor({ timeout: 15_000 });
    await map.getByText('Map(2)').first().waitFor();
    await map.click();
    await rows('CodaJS Variables').filter({ hasText: "'pears' =>" }).filter({ hasText: 'number 5' }).first().waitFor({ timeout: 15_000 });
  });

  let port;
  await t.step('the http server a cell started is in the Pending Work view, with its port and line', async () => {
    await t.runCommand('Focus on CodaJS Pending Work View');
    const row = rows('CodaJS Pending Work').filter({ hasText: 'http server :' }).first();
    await row.waitFor({ timeout: 30_000 });
    port = Number(/http server :(\d+)/.exec(await row.innerText())?.[1]);
    if (!port) throw new Error(`no port in ${await row.innerText()}`);
    if (!(await row.innerText()).includes('line 3')) throw new Error(`no creation line in ${await row.innerText()}`);
    if (!(await accepts(port))) throw new Error(`port ${port} does not accept connections before the cancel`);
  });

  await t.step('Cancel in the Pending Work view closes the server and frees its port', async () => {
    if (!port) throw new Error('the previous step found no server');
    const row = rows('CodaJS Pending Work')
      .filter({ hasText: `http server :${port}` })
      .first();
    await row.hover();
    await row.locator('.action-label.codicon-close').first().click();
    await rows('CodaJS Pending Work')
      .filter({ hasText: `http server :${port}` })
      .first()
      .waitFor({ state: 'detached', timeout: 15_000 });
    for (let i = 0; i < 20 && (await accepts(port)); i++) await page.waitForTimeout(250);
    if (await accepts(port)) throw new Error(`port ${port} still accepts connections`);
  });
  await t.screenshot('inspect-final');
}
