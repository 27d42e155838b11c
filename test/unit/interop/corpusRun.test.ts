/**
 * The fixture notebooks (test/fixtures/ipynb, real notebooks for Deno, tslab and ijavascript) run headless in real
 * kernels, before and after the Jupyter compatibility is installed. Prints, per notebook, how many code cells ran
 * and how many cells that call a kernel display API ran; asserts that no display API call fails for want of the API
 * any more and that the self-contained display cells now show what their kernel saved.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRuntimes, runtimeBinary } from '../../runtimeBinaries';
import { bundleCompat, CORPUS, readFixture, runNotebook, type CellRun } from './corpusRun';

/** Errors a cell gets only because its kernel's display API is missing. */
const MISSING_API = /\$\$ is not defined|Deno\.jupyter is only available|Cannot find (?:package|module) 'tslab'|\b(?:md|html|svg|display) is not a function/;

/**
 * Display cells that need no package, file or network: after the compatibility each shows these MIME types, and
 * without it fails (all but one: deno-display's cell 2 calls `display(bundle, {raw: true})`, which CodaJS's own
 * display() showed as JSON when Deno.jupyter's display could not be destructured).
 */
const SELF_CONTAINED: Record<string, Record<number, string[]>> = {
  'deno-display.ipynb': { 0: ['text/markdown'], 1: [], 2: ['application/json+text/plain'] },
  'deno-tagged-templates.ipynb': { 0: [], 1: [], 2: [], 3: [] },
  'ijavascript-async.ipynb': { 2: [], 3: ['text/plain'], 4: ['text/plain'], 5: ['text/plain'] },
  'ijavascript-custom.ipynb': { 3: ['text/html'], 4: ['image/svg+xml'], 7: ['text/html'] },
};

/** Self-contained cells whose saved output is a rich result (md`…`, html`…`): not shown as such until NodeRuntime wires resultBundle. */
const RESULT_WIRING: Record<string, number[]> = { 'deno-tagged-templates.ipynb': [1, 2, 3] };

describe('interop: the fixture notebooks run headless, before and after the Jupyter compatibility', function () {
  this.timeout(600_000);
  const deno = runtimeBinary('deno');
  let dir: string;
  let compat: string;
  const rows: string[] = [];
  const totals = { cells: 0, before: 0, after: 0, api: 0, apiBefore: 0, apiAfter: 0, matchBefore: 0, matchAfter: 0 };
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'coda-corpus-compat-'));
    compat = bundleCompat(dir);
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    console.log(
      `    notebook: code cells, ran before → after, matched saved outputs before → after; display API cells, ran before → after\n${rows.join('\n')}`,
    );
    console.log(
      `    interop corpus: ${totals.cells} code cells, ${totals.before} → ${totals.after} ran, ${totals.matchBefore} → ${totals.matchAfter} match their saved outputs; ${totals.api} call a display API, ${totals.apiBefore} → ${totals.apiAfter} ran`,
    );
  });

  for (const file of readdirSync(CORPUS)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()) {
    const doc = readFixture(file);
    const needsDeno = doc.metadata.runtime === 'deno';
    (needsDeno && !deno && !requireRuntimes ? it.skip : it)(file, async () => {
      const before = await runNotebook(doc, undefined);
      const after = await runNotebook(doc, compat);
      const ok = (runs: CellRun[], api = false) => runs.filter((r) => r.status === 'ok' && (!api || r.usesDisplayApi)).length;
      const api = after.filter((r) => r.usesDisplayApi).length;
      const matched = (runs: CellRun[]) => runs.filter((r) => r.matches).length;
      rows.push(
        `    ${file}: ${after.length}, ${ok(before)} → ${ok(after)}, ${matched(before)} → ${matched(after)}; ${api}, ${ok(before, true)} → ${ok(after, true)}`,
      );
      totals.matchBefore += matched(before);
      totals.matchAfter += matched(after);
      totals.cells += after.length;
      totals.before += ok(before);
      totals.after += ok(after);
      totals.api += api;
      totals.apiBefore += ok(before, true);
      totals.apiAfter += ok(after, true);

      for (const r of after) {
        assert.ok(!MISSING_API.test(r.error ?? ''), `cell ${r.index} still misses a display API: ${r.error}`);
        if (before[r.index]!.status === 'ok') assert.equal(r.status, 'ok', `cell ${r.index} ran before the compatibility and fails with it: ${r.error}`);
      }
      for (const [index, mimes] of Object.entries(SELF_CONTAINED[file] ?? {})) {
        const r = after[Number(index)]!;
        assert.equal(r.status, 'ok', `cell ${index}: ${r.error}`);
        assert.deepEqual(r.displayed, mimes, `cell ${index} shows what its kernel saved`);
        // a cell whose saved output is a rich *result* matches once NodeRuntime shows compat.resultBundle(value)
        const resultOnly = RESULT_WIRING[file]?.includes(Number(index)) ?? false;
        assert.equal(
          r.matches,
          !resultOnly,
          `cell ${index} ${resultOnly ? 'shows its rich result only with the result wiring: update RESULT_WIRING' : 'matches the outputs its kernel saved'}`,
        );
        if (!(file === 'deno-display.ipynb' && index === '2'))
          assert.notEqual(before[Number(index)]!.status, 'ok', `cell ${index} should fail without the compatibility`);
      }
    });
  }
});
