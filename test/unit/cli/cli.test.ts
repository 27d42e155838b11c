import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { matchGolden } from '../helpers/golden';
import { ROOT } from '../helpers/testKernel';
import { requireRuntimes, runtimeBinary, toolsDir } from '../../runtimeBinaries';

const CLI = join(ROOT, 'dist', 'cli.js');
const fixture = (name: string) => join(ROOT, 'test', 'fixtures', 'cli', name);

/** Skips the test where `runtime` is not in the runtime store (a developer machine); CI requires it. */
function needRuntime(ctx: Mocha.Context, runtime: 'node' | 'deno' | 'bun'): void {
  if (runtime === 'node' || runtimeBinary(runtime)) return;
  if (requireRuntimes) throw new Error(`${runtime} is not in the runtime store`);
  ctx.skip();
}

function coda(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 });
  // durations and timers vary between runs
  const normalise = (s: string) => s.replace(/\d+\.\d{3}ms/g, 'N.NNNms').replace(/\(\d+\.\d\d s\)/g, '(N.NN s)');
  return { code: r.status, stdout: normalise(r.stdout), stderr: normalise(r.stderr) };
}

describe('coda run (headless runner)', () => {
  it("prints every cell's console output and result, including late output, and exits 0", () => {
    const r = coda('run', fixture('ok.coda'));
    assert.equal(r.code, 0, r.stderr);
    matchGolden('cli/ok.txt', r.stdout);
  });

  it('stops at the first failing cell, prints the mapped stack and cause, and exits 1', () => {
    const r = coda('run', fixture('fails.coda'));
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stdout, /never runs/);
    assert.match(r.stdout, /\[3\] not run: cell \[2\] failed \(--keep-going runs the cells after a failure\)/);
    matchGolden('cli/fails.txt', r.stdout);
  });

  it("lists an error's properties under it as previews, its getters unread, and sums a message over lines on one line", () => {
    const r = coda('run', fixture('error-props.coda'), '--keep-going');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /\[1\] failed: ValidationError: \[ \{ "code": "invalid_type", "path": \[ "age" \], "expected": "number" \} \]\n/);
    assert.match(r.stdout, / {4}issues: \[ \{ code: 'invalid_type', path: \[ 'age' \], expected: 'number' \} \]\n/);
    assert.match(r.stdout, / {4}response: \{ status: 503, headers: \{ 'retry-after': '10' \} \}\n {4}config: \[Getter\]\n/);
    matchGolden('cli/error-props.txt', r.stdout);
  });

  it("names a script's own lines in the frames of its cells (a thrown error, console.trace, a logged error), as the user named it", () => {
    const r = spawnSync(process.execPath, [CLI, 'run', 'script-frames.ts', '--keep-going'], {
      cwd: fixture(''),
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 30_000,
    });
    assert.equal(r.status, 1, r.stderr);
    // the throw is the script's line 15, the call line 18; the cells' own lines would be 2 and 5
    assert.match(r.stdout, /RangeError: order 2: negative total\n {4}at check \(script-frames\.ts:15:\d+\)\n/);
    matchGolden('cli/script-frames.txt', r.stdout.replace(/\(\d+\.\d\d s\)/g, '(N.NN s)'));
  });

  it("prints a logged error's stack once (its frames are in its text), and the frames of console.trace and console.assert", () => {
    const r = coda('run', fixture('logged-errors.coda'));
    assert.equal(r.code, 0, r.stderr);
    matchGolden('cli/logged-errors.txt', r.stdout);
  });

  it('does not wait for timers that keep no process alive (unref, fetch keep-alive), as Node would not; waits for one ref()ed again', () => {
    const r = coda('run', fixture('unref-timers.coda'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { workLeft?: unknown; cells: { console: { text: string }[]; value?: { value?: unknown } }[] };
    assert.equal(doc.workLeft, undefined, JSON.stringify(doc.workLeft));
    assert.deepEqual(
      doc.cells[0]!.console.map((e) => e.text),
      ['ref again: waited for'],
    );
    assert.equal(doc.cells[1]!.value?.value, 'ok');
  });

  for (const runtime of ['node', 'deno', 'bun'] as const) {
    it(`a cell reads what is piped into coda run on its stdin (${runtime}; Deno's and Bun's relayed from the worker)`, function () {
      needRuntime(this, runtime);
      const lines = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(i % 97)}`);
      const r = spawnSync(process.execPath, [CLI, 'run', fixture('stdin.coda'), '--json', '--runtime', runtime, '--runtimes-dir', toolsDir()], {
        input: lines.join('\n') + '\n',
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
        timeout: 30_000,
      });
      assert.equal(r.status, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as { cells: { value?: { type: string; text?: string } }[] };
      assert.equal(doc.cells[1]!.value?.text, '5000', JSON.stringify(doc.cells[1]));
    });
  }

  for (const runtime of ['node', 'deno', 'bun'] as const) {
    it(`exits with the exit code the cells set (process.exitCode), as a Node script does, once every cell ran (${runtime})`, function () {
      needRuntime(this, runtime);
      const args = ['run', fixture('exit-code.coda'), '--runtime', runtime, '--runtimes-dir', toolsDir()];
      const text = coda(...args);
      assert.equal(text.code, 3, text.stdout + text.stderr);
      assert.match(text.stdout, /2\/2 cells ran, all passed .*\nthe cells set process\.exitCode to 3: coda run exits with it\n$/);
      const json = coda(...args, '--json');
      assert.equal(json.code, 3);
      const doc = JSON.parse(json.stdout) as { ok: boolean; exitCode?: number; cells: { status: string }[] };
      assert.deepEqual([doc.ok, doc.exitCode, doc.cells.map((c) => c.status)], [true, 3, ['ok', 'ok']]);
    });
  }

  it('a failed cell exits 1 whatever exit code the cells set; a notebook that sets none exits 0 (--json has no exitCode)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-exit-'));
    const nb = (name: string, cells: string[]) => {
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify({ coda: 1, metadata: {}, cells: cells.map((c) => ({ kind: 'code', language: 'javascript', source: [c] })) }));
      return file;
    };
    assert.equal(coda('run', nb('fails.coda', ['process.exitCode = 3', 'throw new Error("no")'])).code, 1);
    assert.equal(coda('run', nb('zero.coda', ['process.exitCode = 0', '1'])).code, 0);
    const none = coda('run', nb('none.coda', ['1']), '--json');
    assert.equal(none.code, 0);
    assert.equal((JSON.parse(none.stdout) as { exitCode?: number }).exitCode, undefined);
  });

  it('runs the remaining cells with --keep-going', () => {
    const r = coda('run', fixture('fails.coda'), '--keep-going');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /never runs/);
  });

  it('after a kernel dies, --keep-going goes on on a fresh kernel; without it the rest are listed as not run, and why', () => {
    const going = coda('run', fixture('dies.coda'), '--keep-going');
    assert.equal(going.code, 1);
    matchGolden('cli/dies-keep-going.txt', going.stdout);
    const stops = coda('run', fixture('dies.coda'));
    assert.equal(stops.code, 1);
    matchGolden('cli/dies.txt', stops.stdout);
  });

  it('fails a cell whose background work throws, as Node fails a script: in its line, in --json, and in the exit code', () => {
    const stops = coda('run', fixture('background.coda'));
    assert.equal(stops.code, 1, stops.stdout + stops.stderr);
    assert.match(stops.stdout, /Uncaught in background work of cell \[1\]: Error: late rejection/);
    assert.match(stops.stdout, /\[1\] ran, then its background work threw Error: late rejection\n/);
    assert.match(stops.stdout, /\[3\] not run: the background work of cell \[1\] threw \(--keep-going runs the cells after a failure\)/);
    const going = coda('run', fixture('background.coda'), '--keep-going', '--json');
    assert.equal(going.code, 1);
    const doc = JSON.parse(going.stdout) as { ok: boolean; cells: { status: string; uncaught?: { name: string; message: string }[] }[] };
    assert.equal(doc.ok, false);
    assert.deepEqual(
      doc.cells.map((c) => [c.status, (c.uncaught ?? []).map((u) => `${u.name}: ${u.message}`)]),
      [
        ['ok', ['Error: late rejection']],
        ['ok', ['TypeError: in a timer']],
        ['ok', []],
      ],
    );
  });

  it('says what background work it stopped waiting for (--drain), which cell left it, in text and in --json', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'coda-left-')), 'left.coda');
    const cell = (code: string) => ({ kind: 'code', language: 'javascript', source: [code] });
    writeFileSync(
      file,
      JSON.stringify({
        coda: 1,
        metadata: {},
        cells: [cell('setInterval(() => {}, 1000); 1'), cell('setTimeout(() => {}, 60_000); setTimeout(() => {}, 60_000); 2'), cell('3')],
      }),
    );
    const text = coda('run', file, '--drain', '300');
    assert.equal(text.code, 0, 'work left is not a failure: it ends with the kernel');
    assert.match(
      text.stdout,
      /── stopped waiting after 0\.\d s \(--drain\) for background work, which ends with the kernel: cell \[1\]: 1 interval; cell \[2\]: 2 timeouts\n── cells/,
    );
    const doc = JSON.parse(coda('run', file, '--drain', '300', '--json').stdout) as { workLeft?: { waitedMs: number; cells: unknown[]; io: string[] } };
    assert.deepEqual(doc.workLeft?.cells, [
      { label: '[1]', pending: 1, kinds: ['interval'] },
      { label: '[2]', pending: 2, kinds: ['timeout'] },
    ]);
    assert.ok(doc.workLeft.waitedMs >= 250 && doc.workLeft.waitedMs < 3000, String(doc.workLeft.waitedMs));
    // work that ends within the wait is waited for, and nothing is said
    writeFileSync(file, JSON.stringify({ coda: 1, metadata: {}, cells: [cell('setTimeout(() => console.log("late"), 50); 1')] }));
    const done = coda('run', file, '--json');
    assert.equal((JSON.parse(done.stdout) as { workLeft?: unknown }).workLeft, undefined);
  });

  it('prints what a cell wrote without a line end under that cell, as it comes, joined with what continues it', async () => {
    const r = coda('run', fixture('openLines.coda'));
    assert.equal(r.code, 0, r.stderr);
    matchGolden('cli/open-lines.txt', r.stdout);
    const json = coda('run', fixture('openLines.coda'), '--json');
    const doc = JSON.parse(json.stdout) as { cells: { console: { text: string; open?: true }[] }[] };
    assert.deepEqual(
      doc.cells.map((c) => c.console.map((e) => [e.text, !!e.open])),
      [
        [['loading...', true]],
        [['no line end, last thing the cell did', true]],
        [['a line of its own', false]],
        [['late, and done', false]],
        [['warning: careful', false]],
      ],
    );
    // live: the first piece reaches the terminal before the cell ends (it waits 300 ms after it)
    const child = spawn(process.execPath, [CLI, 'run', fixture('openLines.coda')], { env: { ...process.env, NO_COLOR: '1' } });
    const chunks: [number, string][] = [];
    child.stdout.setEncoding('utf8').on('data', (d: string) => chunks.push([Date.now(), d]));
    await new Promise((resolve) => child.on('close', resolve));
    const at = (text: string) => chunks.find(([, d]) => d.includes(text))?.[0] ?? NaN;
    assert.ok(at("→ 'loaded'") - at('loading') >= 250, JSON.stringify(chunks));
  });

  it("prints a result's full text as Node prints it, its lines after the first lined up after the arrow; --json holds it as the value's text", () => {
    const r = coda('run', fixture('result-text.coda'));
    assert.equal(r.code, 0, r.stderr);
    matchGolden('cli/result-text.txt', r.stdout);
    const json = coda('run', fixture('result-text.coda'), '--json');
    const doc = JSON.parse(json.stdout) as { cells: { value?: { preview?: string; text?: string } }[] };
    assert.deepEqual([doc.cells[0]!.value?.preview, doc.cells[0]!.value?.text], ['{ x: { y: [Object] } }', '{ x: { y: { z: [Object] } } }']);
    assert.match(doc.cells[1]!.value!.text!, /^\[\n {3}0, {2}1,[^]*\n {2}\.\.\. 20 more items\n\]$/);
    // a value whose text would say what its preview says has none
    assert.equal(doc.cells[4]!.value?.text, undefined);
  });

  it('prints one JSON document with --json', () => {
    const r = coda('run', fixture('ok.coda'), '--json');
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.ok, true);
    // every cell of the notebook, the markdown one too, with what became of it
    assert.deepEqual(
      doc.cells.map((c: { label: string; status: string; notRun?: { reason: string } }) => [c.label, c.status, c.notRun?.reason]),
      [
        ['[1]', 'skipped', 'markdown'],
        ['[2]', 'ok', undefined],
        ['[3]', 'ok', undefined],
        ['[4]', 'ok', undefined],
      ],
    );
    assert.deepEqual(doc.cells[2].value, { type: 'number', text: '42' });
    assert.ok(
      doc.cells[3].console.some((e: { text: string }) => e.text === 'late'),
      'late timer output belongs to its cell',
    );
  });

  it('a display shown with a display id is updated in place: the text says which cell, --json holds the last state', () => {
    // tslab.newDisplay() (its id is random) and ijavascript's $$.display("clock"), from later cells and a timer
    const stable = (s: string) => s.replace(/"[0-9a-f]{16}"/g, '"<newDisplay id>"');
    const text = coda('run', fixture('display-ids.coda'));
    assert.equal(text.code, 0, text.stderr);
    matchGolden('cli/display-ids.txt', stable(text.stdout));
    const r = coda('run', fixture('display-ids.coda'), '--json');
    const shown = (JSON.parse(r.stdout) as { cells: { display: { mime: string; data: string }[][] }[] }).cells.map((c) =>
      c.display.map((d) => d.map((x) => `${x.mime}: ${x.data}`).join(' + ')),
    );
    assert.deepEqual(shown, [
      ['text/plain: progress 100%'],
      // a new display with the same id (cell [3]) shows in the outputs it already has too, as in Jupyter
      ['text/plain: 10:02'],
      ['text/plain: 10:02'],
    ]);
  });

  it('a promise a cell returns is printed again once it settles, and its rejection fails the cell (main() as the last line)', () => {
    const text = coda('run', fixture('returned-promises.coda'));
    assert.equal(text.code, 1, text.stderr);
    matchGolden('cli/returned-promises.txt', text.stdout);
    const r = coda('run', fixture('returned-promises.coda'), '--json');
    const cells = (JSON.parse(r.stdout) as { cells: { value?: { preview?: string }; uncaught?: { message: string }[] }[] }).cells;
    // --json holds each result as last shown
    assert.deepEqual(
      cells.map((c) => [c.value?.preview, c.uncaught?.map((u) => u.message)]),
      [
        ['Promise { { ok: true } }', undefined],
        ['Promise { <rejected> Error: main failed }', ['main failed']],
        [undefined, undefined],
      ],
    );
  });

  it('a promise a cell returns rejected already fails that cell before the next one starts, every time', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'coda-rejected-')), 'rejected.coda');
    const cells = ['const failed = Promise.reject(new RangeError("at once"))\nfailed', '"the next cell"'];
    writeFileSync(file, JSON.stringify({ coda: 1, metadata: {}, cells: cells.map((c) => ({ kind: 'code', language: 'javascript', source: [c] })) }));
    // the rejection used to reach the runner after it had started the next cell, which then ran (or not, by timing)
    for (let i = 0; i < 3; i++) {
      const r = coda('run', file);
      assert.equal(r.code, 1, r.stdout);
      const out = r.stdout;
      assert.ok(!out.includes('── cell [2]'), out);
      assert.match(out, /\[2\] not run: the promise cell \[1\] returned was rejected/);
      assert.match(out, /Uncaught in the promise cell \[1\] returned: RangeError: at once/);
      assert.match(out, /\[1\] ran, then the promise it returned was rejected with RangeError: at once/);
      assert.ok(out.indexOf('RangeError: at once') < out.indexOf('── cells'), out);
    }
  });

  it('runs a script as Run Scratch runs it (its // %% cells, its // @coda-runtime), converts it both ways, and never writes it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-script-'));
    const js = join(dir, 'scratch.js');
    const source = 'const a = 20\n// %% second\nconsole.log("a is", a)\na * 2 + 2\n';
    writeFileSync(js, source);
    // it read the script as JSON: "Invalid JSON: invalid symbol" at every line
    const r = coda('run', js);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    // each cell's heading says where it starts in the script
    assert.match(r.stdout, /── cell \[2\] \(.*scratch\.js:3\) console\.log\("a is", a\)\na is 20\n→ 42\n/);
    assert.match(r.stdout, /2\/2 cells ran, all passed/);
    assert.equal(readFileSync(js, 'utf8'), source);
    // a TypeScript script, and its types
    const ts = join(dir, 'typed.ts');
    writeFileSync(ts, 'const n: number = 21\n// %%\nn * 2\n');
    assert.match(coda('run', ts).stdout, /→ 42/);
    // a runtime the comment does not name is refused where it is written, the file untouched
    const bad = join(dir, 'bad.ts');
    writeFileSync(bad, '1\n// @coda-runtime nodejs\n2\n');
    const refused = coda('run', bad);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /bad\.ts:2:1: Unknown runtime "nodejs" in \/\/ @coda-runtime/);
    // script -> notebook -> script keeps every cell and title
    assert.equal(coda('convert', js, join(dir, 'scratch.coda')).code, 0);
    const doc = JSON.parse(readFileSync(join(dir, 'scratch.coda'), 'utf8')) as { cells: { source: string[]; metadata?: { title?: string } }[] };
    assert.deepEqual(
      doc.cells.map((c) => [c.source.join('\n'), c.metadata?.title]),
      [
        ['const a = 20', undefined],
        ['console.log("a is", a)\na * 2 + 2\n', 'second'],
      ],
    );
    assert.equal(coda('convert', join(dir, 'scratch.coda'), join(dir, 'back.js')).code, 0);
    assert.equal(readFileSync(join(dir, 'back.js'), 'utf8'), `// %%\n${source}\n`);
  });

  it('refuses a broken notebook with exit code 2 and leaves it byte-identical', () => {
    const before = readFileSync(fixture('broken.coda'));
    const r = coda('run', fixture('broken.coda'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.coda:4:35: "language" must be "javascript" or "typescript" for a code cell \(cells\[0\]\.language\)/);
    assert.deepEqual(readFileSync(fixture('broken.coda')), before);
  });

  it('interrupts a cell that runs past --cell-timeout', () => {
    const r = coda('run', fixture('ok.coda'), '--cell-timeout', '1');
    assert.equal(r.code === 0 || r.code === 1, true);
    const loop = spawnSync(process.execPath, [CLI, 'run', join(ROOT, 'test', 'fixtures', 'cli', 'loop.coda'), '--cell-timeout', '300'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(loop.status, 1);
    assert.match(loop.stdout, /Timed out after 300 ms/);
  });

  it("waits for the last cell's pending I/O (child processes, fs promises, DNS, and I/O their callbacks start)", () => {
    const r = coda('run', fixture('pending-io.coda'));
    assert.equal(r.code, 0, r.stderr);
    for (const line of ['from the child', 'fs promise done', 'dns done', 'chained I/O done']) assert.match(r.stdout, new RegExp(line), r.stdout);
  });

  it('says, before running, what each declared permission allows and how the runtime holds it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-perm-'));
    const nb = (runtime: string) => {
      const file = join(dir, `${runtime}.coda`);
      writeFileSync(
        file,
        JSON.stringify({
          coda: 1,
          metadata: { runtime, permissions: { net: ['example.test'], run: [] } },
          cells: [{ kind: 'markup', language: 'markdown', source: ['# nothing to run'] }],
        }),
      );
      return file;
    };
    const node = coda('run', nb('node'));
    assert.match(node.stderr, /permission net \(example\.test\) on Node\.js: checked by CodaJS inside the kernel/);
    assert.match(node.stderr, /permission run \(nothing\) on Node\.js: checked by CodaJS/);
    assert.doesNotMatch(node.stderr, /permission (read|write|env)/);
    assert.match(coda('run', nb('deno')).stderr, /permission net \(example\.test\) on Deno: enforced by Deno/);
    assert.match(coda('run', nb('sandbox')).stderr, /permission run \(nothing\) on Sandbox \(isolated-vm\): nothing to grant/);
  });

  it('runs a Jupyter notebook written for ijavascript as it is, and converts it to .coda and back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-ipynb-'));
    const ipynb = join(dir, 'from-ijavascript.ipynb');
    const cell = (source: string) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: [source] });
    writeFileSync(
      ipynb,
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: { kernelspec: { name: 'javascript', display_name: 'Javascript (Node.js)', language: 'javascript' } },
        cells: [cell('const n = 20;'), cell('$$.html("<b>" + (n + 1) + "</b>")'), cell('n * 2')],
      }),
    );
    const run = coda('run', ipynb, '--json');
    assert.equal(run.code, 0, run.stderr);
    const doc = JSON.parse(run.stdout) as { cells: { status: string; display?: { mime: string; data: string }[][]; value?: { text?: string } }[] };
    assert.deepEqual(
      doc.cells.map((c) => c.status),
      ['ok', 'ok', 'ok'],
    );
    assert.equal(doc.cells[2]!.value?.text, '40');
    const coda1 = join(dir, 'converted.coda');
    assert.equal(coda('convert', ipynb, coda1).code, 0);
    assert.match(readFileSync(coda1, 'utf8'), /"runtime": "node"/);
    const back = join(dir, 'back.ipynb');
    assert.equal(coda('convert', coda1, back).code, 0);
    assert.equal((JSON.parse(readFileSync(back, 'utf8')) as { cells: unknown[] }).cells.length, 3);
    assert.equal(coda('convert', ipynb).code, 2, 'two files are needed');
  });

  it('says a Jupyter raw cell is one, not a markdown cell, when it lists what it did not run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-raw-'));
    const file = join(dir, 'raw.ipynb');
    const cell = (type: string, source: string) => ({ cell_type: type, metadata: {}, source, ...(type === 'code' && { outputs: [], execution_count: null }) });
    writeFileSync(
      file,
      JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell('code', '1'), cell('markdown', '# t'), cell('raw', 'raw text')] }),
    );
    const r = coda('run', file);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\[2\] not run: a markdown cell\n {2}\[3\] not run: a raw cell\n/);
  });

  it('explains its usage', () => {
    const r = coda('--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: coda run <notebook\.coda\|notebook\.ipynb\|script\.js\|script\.ts>/);
    assert.equal(coda('frobnicate').code, 2);
  });
});
