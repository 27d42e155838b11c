// Types in notebook cells from the installed VSIX (docs/types.md): the TypeScript plugin the VSIX ships, configured
// by the extension, read from the editor DOM (suggest widget rows, squiggles, hovers).
export default async function types(t) {
  const { page } = t;
  const squiggles = (n) => t.cellRow(n).locator('.squiggly-error');
  const hoverText = () => page.locator('.monaco-hover:visible').first();

  /** Types `text` at the end of cell `n` and waits until the suggest widget offers `expected` (asking again while the
   * TypeScript server starts or the runtime's types are generated). */
  const complete = async (n, text, expected, ms = 90_000) => {
    await t.suggest(t.cellRow(n), text, expected, ms);
    await page.keyboard.press('Escape');
  };
  /** Hovers the first `word` in cell `n` until a hover containing `expected` (a string or a RegExp) shows. */
  const hover = async (n, word, expected, ms = 90_000) => {
    const token = t.cellRow(n).locator('.view-line span span', { hasText: word }).first();
    const end = Date.now() + ms;
    for (;;) {
      await page.mouse.move(0, 0);
      await token.hover();
      const shown = await hoverText()
        .waitFor({ timeout: 3000 })
        .then(
          async () => {
            const text = await hoverText().innerText();
            return typeof expected === 'string' ? text.includes(expected) : expected.test(text);
          },
          () => false,
        );
      if (shown) return;
      if (Date.now() > end) throw new Error(`hovering ${word} never showed ${JSON.stringify(expected)}`);
      await page.waitForTimeout(1000);
    }
  };
  const open = async (file) => {
    await t.openFile(file);
    await t.cellRow(0).waitFor({ timeout: 60_000 });
  };

  const opened = await t.step('types: a Node notebook opens', () => open('types.coda'));
  if (opened) {
    await t.step('types: a real type error across cells is squiggled in its cell only', async () => {
      // `const count: number = label` where an earlier cell made `label` a string
      await squiggles(3).first().waitFor({ timeout: 90_000 });
      await hover(3, 'count', "Type 'string' is not assignable to type 'number'");
    });
    await t.step('types: a re-declared const shows no squiggle', async () => {
      for (const n of [0, 1, 2]) if ((await squiggles(n).count()) > 0) throw new Error(`cell ${n} has a squiggle`);
    });
    await t.step('types: a name from an earlier module cell completes', () => complete(4, 'fromMo', 'fromModule'));
    await t.runCommand('File: Revert File').catch(() => undefined);
  }

  if (await t.step('types: a Node notebook on the Node that runs code-server opens', () => open('node-types.coda'))) {
    await t.step('types: a Node notebook has the types of the Node that runs it (fs.glob from 22, diagnostics_channel.boundedChannel from 26)', async () => {
      // the kernel runs on the Node code-server runs on, the one running this harness (test/e2e/run.sh)
      const major = Number(process.versions.node.split('.')[0]);
      // a hover on the error says the notebook's diagnostics have arrived; on Node 26 the other cell is checked after
      if (major < 26) await hover(1, 'boundedChannel', /has no exported member (named )?'boundedChannel'/);
      else await hover(1, 'boundedChannel', 'function boundedChannel');
      if ((await squiggles(0).count()) > 0 !== major < 22) throw new Error(`fs.glob is ${major < 22 ? 'not ' : ''}flagged on Node ${major}`);
      if (major >= 26 && (await squiggles(1).count()) > 0) throw new Error(`diagnostics_channel.boundedChannel is flagged on Node ${major}`);
    });
  }

  // issue 13 item 8: a JS cell re-assigning a number type-checks in the notebook, and must in the exported .ts too
  if (await t.step('types: a notebook with JS and TS cells opens', () => open('mixed-export.coda'))) {
    await t.step('types: its export to a .ts script has the one type error the notebook has, none in the JS cell', async () => {
      await squiggles(1).first().waitFor({ timeout: 90_000 });
      if ((await squiggles(0).count()) > 0) throw new Error('the JS cell is squiggled in the notebook');
      await t.runCommand('CodaJS: Export Notebook as Script');
      const script = page.locator('.editor-group-container.active .monaco-editor');
      await script.locator('.view-line', { hasText: "const wrong: number = 'two';" }).first().waitFor({ timeout: 30_000 });
      const errors = script.locator('.view-overlays .squiggly-error');
      await errors.first().waitFor({ timeout: 90_000 });
      // the diagnostics of the whole file arrive together; give a late one time to show
      await page.waitForTimeout(3000);
      const lines = await script
        .locator('.view-overlays > div')
        .evaluateAll((rows) => rows.map((r, i) => (r.querySelector('.squiggly-error') ? i : -1)).filter((i) => i >= 0));
      if (lines.length !== 1) throw new Error(`the exported script shows ${lines.length} squiggled lines, the notebook one`);
      await t.runCommand('View: Close Editor').catch(() => undefined);
    });
    await t.runCommand('File: Revert File').catch(() => undefined);
  }

  if (await t.step('types: a Deno notebook opens', () => open('deno-ts.coda'))) {
    await t.step('types: in a Deno notebook `Deno.` completes', () => complete(1, 'Deno.readTe', 'readTextFile'));
    await t.runCommand('File: Revert File').catch(() => undefined);
  }

  if (await t.step('types: a Sandbox notebook opens', () => open('sandbox-ts.coda'))) {
    await t.step("types: in a Sandbox notebook require('fs') is flagged", async () => {
      await squiggles(0).first().waitFor({ timeout: 90_000 });
      await hover(0, 'require', 'the Sandbox runtime has no require');
      if ((await squiggles(1).count()) > 0) throw new Error('console.log is flagged in the Sandbox');
    });
  }

  if (await t.step('types: a notebook importing lodash opens', () => open('lodash-ts.coda'))) {
    await t.step('types: after its install, hovering a lodash function shows its signature from @types/lodash', async () => {
      await t.runCell(0);
      // the run installs lodash and @types/lodash into the notebook's store; the hover asks again until they are there
      await hover(0, 'chunk', /chunk<number>\(array: (_\.)?List<number> \| null \| undefined, size\?: number\): number\[\]\[\]/, 180_000);
    });
  }
  await t.screenshot('types-final');
}
