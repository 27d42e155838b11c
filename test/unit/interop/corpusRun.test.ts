/**
 * The fixture notebooks (test/fixtures/ipynb, real notebooks for Deno, tslab and ijavascript) run headless in real
 * kernels, which have the Jupyter compatibility built in. Prints, per notebook, how many code cells ran and how many
 * cells that call a kernel display API ran; asserts that no display API call fails for want of the API and that the
 * self-contained display cells show what their kernel saved.
 */
import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { requireRuntimes, runtimeBinary } from '../../runtimeBinaries';
import { CORPUS, readFixture, runNotebook } from './corpusRun';

/** Errors a cell gets only because its kernel's display API is missing. */
const MISSING_API = /\$\$ is not defined|Deno\.jupyter is only available|Cannot find (?:package|module) 'tslab'|\b(?:md|html|svg|display) is not a function/;

/**
 * Display cells that need no package, file or network: each shows these MIME types and matches what its kernel
 * saved.
 */
const SELF_CONTAINED: Record<string, Record<number, string[]>> = {
  'deno-display.ipynb': { 0: ['text/markdown'], 1: [], 2: ['application/json+text/plain'] },
  // md`…` and html`…` results show as their rich output, as Deno's kernel showed them
  'deno-tagged-templates.ipynb': { 0: [], 1: ['text/markdown'], 2: ['text/markdown'], 3: ['text/html'] },
  'ijavascript-async.ipynb': { 2: [], 3: ['text/plain'], 4: ['text/plain'], 5: ['text/plain'] },
  'ijavascript-custom.ipynb': { 3: ['text/html'], 4: ['image/svg+xml'], 7: ['text/html'] },
};

describe('interop: the fixture notebooks run headless, with the Jupyter compatibility every kernel has', function () {
  this.timeout(600_000);
  const deno = runtimeBinary('deno');
  const rows: string[] = [];
  const totals = { cells: 0, after: 0, api: 0, apiAfter: 0, matchAfter: 0 };
  after(() => {
    console.log(`    notebook: code cells, ran, matched saved outputs; display API cells, ran\n${rows.join('\n')}`);
    // before the compatibility (measured when it was added): 32 cells ran, 26 matched, 2 display-API cells ran; with it
    // but before JSX cells and display ids (issue 16's second part): 47 ran, 41 matched, 17 display-API cells ran
    console.log(
      `    interop corpus: ${totals.cells} code cells, ${totals.after} ran (47 before JSX, 32 without the compatibility), ${totals.matchAfter} match their saved outputs (41 before JSX, 26 without); ${totals.api} call a display API, ${totals.apiAfter} ran (17 before JSX, 2 without)`,
    );
  });

  for (const file of readdirSync(CORPUS)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()) {
    const doc = readFixture(file);
    const needsDeno = doc.metadata.runtime === 'deno';
    (needsDeno && !deno && !requireRuntimes ? it.skip : it)(file, async () => {
      // every kernel has the compatibility built in (NodeRuntime installs it)
      const runs = await runNotebook(doc, undefined);
      const ok = (api = false) => runs.filter((r) => r.status === 'ok' && (!api || r.usesDisplayApi)).length;
      const api = runs.filter((r) => r.usesDisplayApi).length;
      const matched = runs.filter((r) => r.matches).length;
      rows.push(`    ${file}: ${runs.length}, ${ok()} ran, ${matched} matched; ${api}, ${ok(true)} ran`);
      totals.cells += runs.length;
      totals.after += ok();
      totals.matchAfter += matched;
      totals.api += api;
      totals.apiAfter += ok(true);
      for (const r of runs) assert.ok(!MISSING_API.test(r.error ?? ''), `cell ${r.index} still misses a display API: ${r.error}`);
      for (const [index, mimes] of Object.entries(SELF_CONTAINED[file] ?? {})) {
        const r = runs[Number(index)]!;
        assert.equal(r.status, 'ok', `cell ${index}: ${r.error}`);
        assert.deepEqual(r.displayed, mimes, `cell ${index} shows what its kernel saved`);
        assert.equal(r.matches, true, `cell ${index} matches the outputs its kernel saved`);
      }
    });
  }
});
