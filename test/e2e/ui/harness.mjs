// The UI test harness: a real VS Code (code-server) driven by playwright-core and Debian chromium.
// A scenario file test/e2e/ui/<name>.e2e.mjs default-exports `async function (t)`, where t offers:
//   t.page                       the Playwright page with the workbench
//   t.workspace                  the folder the window has open: the throw-away copy of test/e2e/workspace, or of the
//                                scenario's own fixture folder (runScenarios.mjs: `export const workbench`)
//   t.userData                   the server's user data folder (User/settings.json, User/argv.json, Machine/settings.json)
//   await t.step(name, fn)       one test: prints ✓/✗, keeps a screenshot of a failure, counts it
//   await t.runCommand(title)    runs a command palette entry by its title
//   await t.findCommand(title)   types it in the command palette and returns its row, palette open
//   await t.openFile(name)       opens a workspace file through Quick Open (until its tab is the active one)
//   await t.notification(text)   opens the notification center and returns its entry containing text (a toast may
//                                not show: a notification that came while the window was busy goes to the center only)
//   t.outputs()                  a FrameLocator for the notebook output webview (outputs, renderers)
//   t.cellRow(n) / t.runCell(n)  the n-th code cell of the visible notebook / run it with its gutter button
//   await t.screenshot(name)     saves test-results/e2e/<name>.png
//   await t.picture(name)        with CODA_E2E_SCREENSHOTS=<dir> (scripts/screenshots.sh), saves <dir>/<name>.png: the
//                                README's and the walkthrough's pictures, taken of the real extension
// A step that throws fails; later steps still run unless they depend on it (scenarios decide).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** How often runCommand and openFile press F1 or Ctrl+P, and how long they wait each time for the quick input. */
const PALETTE_TRIES = 5;
const PALETTE_WAIT_MS = 2000;
/** How long runCommand tries to click the active editor tab (to take focus from a webview) before it goes on. */
const TAB_CLICK_MS = 2000;
/** How many times runCommand types a title, and how long it waits each time for the palette to list it. */
const COMMAND_TRIES = 3;
const COMMAND_WAIT_MS = 5000;
/** How many times openFile opens a file through Quick Open, and how long it waits each time for its tab to be active. */
const OPEN_TRIES = 3;
const OPEN_WAIT_MS = 10_000;
/** The active editor tab of the workbench. */
const ACTIVE_TAB = '.tabs-container .tab.active';
/** How long t.notification waits for a notification to arrive. */
const NOTIFICATION_WAIT_MS = 15_000;
/** How long the notifications center gets to list the notification before it is opened again (when it closed). */
const NOTIFICATION_POLL_MS = 5_000;
/** The part of the 1400×1000 workbench a picture keeps (the status bar and the window's bottom are cut). */
const PICTURE_CLIP = { x: 0, y: 0, width: 1400, height: 760 };

/** Whether `locator` shows within `ms`: a dialog or row that may or may not come (never throws). */
function shows(locator, ms) {
  return locator.waitFor({ timeout: ms }).then(
    () => true,
    () => false,
  );
}

/**
 * Types `text` into the quick input, opening it with `key` when it is not open. F1 or Ctrl+P can be swallowed while the
 * workbench moves focus (a cell finishing as the step starts), and a quick input still closing on an Escape passes for
 * open and then closes under fill (a clean-clone run once waited 30 s there): open it and type until the text is in it.
 */
async function typeInQuickInput(page, key, text, what) {
  const input = page.locator('.quick-input-widget input');
  for (let i = 1; ; i++) {
    if (!(await input.isVisible())) await page.keyboard.press(key);
    const typed = await input.fill(text, { timeout: PALETTE_WAIT_MS }).then(
      () => true,
      () => false,
    );
    if (typed) return;
    if (i === PALETTE_TRIES) throw new Error(`${what} did not open`);
  }
}

/** Closes any quick input and lets it close (one that is closing, a file dialog just accepted, still looks open). */
async function closeQuickInput(page) {
  await page.keyboard.press('Escape');
  await page
    .locator('.quick-input-widget input')
    .waitFor({ state: 'hidden', timeout: PALETTE_WAIT_MS })
    .catch(() => undefined);
}

/** Debian's chromium, headless, with nothing that reaches the network by itself (UI scenarios and the exthost runner). */
export function launchChromium(userDataDir, options = {}) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    ...options,
  });
}

export async function openWorkbench(base, workspace, results, userData) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coda-chromium-'));
  const ctx = await launchChromium(userDataDir, { viewport: { width: 1400, height: 1000 } });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const browserLog = fs.createWriteStream(path.join(results, 'browser.log'));
  page.on('console', (m) => m.type() === 'error' && browserLog.write(`[console] ${m.text()}\n`));
  page.on('pageerror', (e) => browserLog.write(`[pageerror] ${String(e)}\n`));
  await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
  let passed = 0;
  let failed = 0;
  const t = {
    page,
    workspace,
    userData,
    shows,
    async step(name, fn) {
      const started = Date.now();
      try {
        await fn();
        passed++;
        console.log(`  ✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
        return true;
      } catch (err) {
        failed++;
        const shot = path.join(results, `${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`);
        await page.screenshot({ path: shot }).catch(() => undefined);
        console.log(`  ✗ ${name}: ${String(err?.message ?? err).split('\n')[0]} (screenshot ${shot})`);
        return false;
      }
    },
    async findCommand(title) {
      // focus may be inside an output webview, which keeps F1 from the workbench: focus the active tab first (if any
      // editor is open). A tab something covers (the debug toolbar floats over it, a palette left open lies on it) would
      // hold the click for Playwright's 30 s default: give up on it soon, F1 is pressed anyway
      const tab = page.locator(ACTIVE_TAB).first();
      if (await tab.count()) await tab.click({ timeout: TAB_CLICK_MS }).catch(() => undefined);
      await closeQuickInput(page);
      const type = (text) => typeInQuickInput(page, 'F1', text, `the command palette (to run ${title})`);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title.split(': ').pop() }).first();
      // a command registered after the palette opened (the Extensions commands of a window just opened) is listed
      // only when the filter changes: type the title again. The palette may have closed meanwhile (a clean-clone run
      // once found it gone here, and the fill waited 30 s for it): it is opened again
      for (let attempt = 1; ; attempt++) {
        await type(`>${title}`);
        if (await shows(row, COMMAND_WAIT_MS)) break;
        if (attempt === COMMAND_TRIES) throw new Error(`the command palette never listed ${title}`);
        await type('>');
      }
      return row;
    },
    async runCommand(title) {
      await t.findCommand(title);
      await page.keyboard.press('Enter');
    },
    async openFile(name) {
      const type = (text) => typeInQuickInput(page, 'Control+P', text, `Quick Open (to open ${name})`);
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
      const active = page.locator(ACTIVE_TAB, { hasText: name });
      // the window restores the editors an earlier scenario left open, and one restored late takes the active tab
      // back (a clean-clone run then waited on the other notebook's cells): open the file until its tab is the active one
      for (let opening = 1; ; opening++) {
        await closeQuickInput(page);
        // a busy machine can leave the first file search without results: type the name again
        for (let attempt = 1; ; attempt++) {
          await type(name);
          if (await shows(row, 15_000)) break;
          if (attempt === 3) throw new Error(`Quick Open never listed ${name}`);
          await type('');
        }
        await page.keyboard.press('Enter');
        if (await shows(active, OPEN_WAIT_MS)) return;
        if (opening === OPEN_TRIES) {
          const other = await page
            .locator(ACTIVE_TAB)
            .first()
            .innerText()
            .catch(() => 'none');
          throw new Error(`Quick Open did not make ${name} the active editor (the active tab is ${JSON.stringify(other)})`);
        }
      }
    },
    async notification(text, ms = NOTIFICATION_WAIT_MS) {
      const entry = page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
      const center = page.locator('.notifications-center.visible');
      const end = Date.now() + ms;
      for (;;) {
        // the command can miss the palette while another quick input closes (a clean-clone CI run: Enter in the
        // Install from VSIX dialog, then a minute with the center never open and the notification's dot on the bell):
        // open the center again whenever it is not open
        if (!(await center.isVisible())) await t.runCommand('Notifications: Show Notifications');
        if (await shows(entry, Math.max(1, Math.min(NOTIFICATION_POLL_MS, end - Date.now())))) return entry;
        if (Date.now() >= end) throw new Error(`no notification ${JSON.stringify(text)} within ${ms} ms`);
      }
    },
    /**
     * Types `text` at the end of the editor `where` (a locator of a cell row or an editor) and asks for suggestions
     * until they offer `expected` (while the TypeScript server starts); returns the rows offered, suggest widget open.
     */
    async suggest(where, text, expected, ms = 90_000) {
      await where.scrollIntoViewIfNeeded();
      await where.locator('.view-lines').first().click();
      await page.keyboard.press('Control+End');
      await page.keyboard.type(text);
      const item = page.locator('.suggest-widget.visible .monaco-list-row', { hasText: expected }).first();
      const end = Date.now() + ms;
      for (;;) {
        await page.keyboard.press('Control+Space');
        if (await shows(item, 3000)) return page.locator('.suggest-widget.visible .monaco-list-row').allInnerTexts();
        if (Date.now() > end) throw new Error(`the suggestions after ${JSON.stringify(text)} never offered ${expected}`);
        await page.keyboard.press('Escape');
      }
    },
    outputs() {
      return page.frameLocator('.notebook-editor:visible iframe.webview.ready').frameLocator('#active-frame');
    },
    cellRow(n) {
      return page.locator('.notebook-editor:visible .code-cell-row').nth(n);
    },
    async runCell(n) {
      const row = t.cellRow(n);
      await row.scrollIntoViewIfNeeded();
      await row.hover();
      // the run button in the cell's gutter (keyboard shortcuts differ between browsers and platforms)
      await row.locator('.run-button-container .codicon-notebook-execute').first().click();
    },
    async screenshot(name) {
      await page.screenshot({ path: path.join(results, `${name}.png`) });
    },
    async picture(name) {
      const dir = process.env.CODA_E2E_SCREENSHOTS;
      if (!dir) return;
      fs.mkdirSync(dir, { recursive: true });
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(dir, `${name}.png`), clip: PICTURE_CLIP });
    },
    get counts() {
      return { passed, failed };
    },
    async close() {
      browserLog.end();
      await ctx.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
  return t;
}
