/**
 * A secret injected into a kernel never reaches the host unmasked, whatever path it takes: console, results,
 * expansions, errors, background errors, display(), scratch line values, the exit notice of process.exit(), raw
 * stderr (the log), and the headless runner's output. Not even in part where output is cut to a budget (issue 11,
 * item 8), nor in any quoting form util.inspect, JSON or CodaJS writes it in (item 9); masking stays linear.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createMasker, MASK, type PropertyPage, type RemoteValue } from '../../../protocol';
import { KernelProcess } from '../../../host/kernel/KernelProcess';
import { ROOT, sleep, startKernel, WORKER, type TestKernel, allStrings } from '../helpers/testKernel';
import { sandboxStartOptions, skipWithoutSandbox } from '../helpers/sandboxKernel';

const SECRET = 'sk-live-5f1e2d3c4b5a69788796a5b4';
/** A secret with line breaks (a PEM key): Node's multi-line layout writes a string holding one in pieces, a line each. */
const PEM = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQ\nEFAASCBKcwggSjAgEAAo'IBAQC7\n-----END KEY-----";

describe('secrets are masked on every output path (Node kernel)', function () {
  this.timeout(30_000);
  let kernel: KernelProcess;
  const seen: string[] = [];
  const logs: string[] = [];
  let n = 0;
  const run = (code: string, instrumentLines = false) =>
    kernel.execute({ cellId: `c${++n}`, cellLabel: `[${n}]`, executionId: n, code, language: 'javascript', instrumentLines });

  before(async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'coda-secret-'));
    kernel = await KernelProcess.start({
      workerPath: WORKER,
      nodePath: process.execPath,
      init: { cwd, documentPath: join(cwd, 's.coda'), runtime: 'node', env: { API_TOKEN: SECRET, PEM_KEY: PEM }, maskedValues: [SECRET, PEM] },
      log: (_level, m) => logs.push(m),
    });
    for (const e of ['console', 'uncaught', 'display', 'lineValue'] as const) kernel.onEvent(e, (b) => seen.push(JSON.stringify(b)));
  });
  after(() => kernel.dispose());

  const clean = (s: string, where: string) => assert.ok(!s.includes(SECRET) && !s.includes(SECRET.slice(3)), `${where} leaked the secret: ${s.slice(0, 300)}`);

  it('the secret is usable by code (injected as an environment variable)', async () => {
    const r = await run('process.env.API_TOKEN.length');
    assert.equal(r.status === 'ok' && r.value?.type === 'number' && r.value.text, String(SECRET.length));
  });

  it('console output, results and expansions', async () => {
    await run('console.log("token", process.env.API_TOKEN, { nested: { t: process.env.API_TOKEN } }); console.table([{ t: process.env.API_TOKEN }])');
    const r = await run('({ deep: { token: process.env.API_TOKEN, list: [process.env.API_TOKEN] } })');
    clean(JSON.stringify(r), 'a result');
    assert.ok(r.status === 'ok' && r.value?.type === 'object' && r.value.handle);
    const page: PropertyPage = await kernel.expand({ handleId: r.value.handle.id, start: 0, count: 10 });
    const deep = page.items.find((i) => i.name === 'deep')!;
    assert.ok(deep.value?.type === 'object' && deep.value.handle);
    const inner = await kernel.expand({ handleId: deep.value.handle.id, start: 0, count: 10 });
    clean(JSON.stringify(inner), 'an expansion');
    assert.ok(JSON.stringify(inner).includes(MASK), 'the masked value is shown as the mask');
    const str = await run('process.env.API_TOKEN');
    assert.ok(str.status === 'ok' && str.value?.type === 'string');
    assert.equal(str.value.value, MASK);
    await sleep(200);
    clean(seen.join('\n'), 'console');
    assert.ok(seen.join('\n').includes(MASK));
  });

  it("a result's full text: two levels down, percent-encoded, and across the pieces of a string with line breaks", async () => {
    const r = await run(`({ level1: { level2: {
      token: process.env.API_TOKEN,
      url: 'https://api.example/?key=' + encodeURIComponent(process.env.API_TOKEN) + '&q=' + new URLSearchParams({ t: process.env.API_TOKEN }),
      pem: 'a key, long enough that Node writes it over lines\\n' + process.env.PEM_KEY + '\\nand the rest of the text',
      list: [...Array.from({ length: 20 }, (_, i) => i), process.env.API_TOKEN],
    } } })`);
    assert.ok(r.status === 'ok' && r.value?.type === 'object', JSON.stringify(r));
    const text = r.value.text ?? '';
    // the text reaches what the preview does not (level2's entries), and Node wrote the string in pieces
    assert.doesNotMatch(r.value.preview, /token/);
    assert.match(text, /token: '••••••'/);
    assert.match(text, /\\n' \+\n/);
    clean(JSON.stringify(r), 'a result with its text');
    assert.ok(!text.includes(encodeURIComponent(SECRET).slice(3)), text);
    for (const line of PEM.split('\n')) assert.ok(!text.includes(line) && !text.includes(inspect(line).slice(1, -1)), `a line of the PEM secret in ${text}`);
  });

  it('errors, their causes and background errors', async () => {
    const r = await run('throw new Error("bad " + process.env.API_TOKEN, { cause: new Error(process.env.API_TOKEN) })');
    assert.equal(r.status, 'error');
    clean(JSON.stringify(r), 'an error');
    await run('setTimeout(() => { throw new TypeError("late " + process.env.API_TOKEN) }, 5)');
    await sleep(300);
    clean(seen.join('\n'), 'an uncaught error');
    assert.ok(seen.some((s) => s.includes('late ' + MASK)));
  });

  it('display() and scratch line values', async () => {
    await run('display.html("<b>" + process.env.API_TOKEN + "</b>"); display.json({ t: process.env.API_TOKEN })');
    await run('const t = process.env.API_TOKEN\nt', true);
    await sleep(200);
    clean(seen.join('\n'), 'display or line values');
  });

  it("raw writes to the process's stderr (the kernel log)", async () => {
    await run('require("node:fs").writeSync(2, "raw " + process.env.API_TOKEN + "\\n")');
    await sleep(300);
    clean(logs.join('\n'), 'the log');
    assert.ok(
      logs.some((l) => l.includes('raw ' + MASK)),
      'the raw line reached the log, masked',
    );
  });

  it('the exit notice of process.exit() (console and reason)', async () => {
    const exited = new Promise<string>((resolve) => kernel.onExit((e) => resolve(e.reason)));
    const entries: string[] = [];
    kernel.onEvent('console', (b) => entries.push(JSON.stringify(b)));
    await run('console.log("bye " + process.env.API_TOKEN); process.exit(3)').catch(() => undefined);
    clean(await exited, 'the exit reason');
    clean(entries.join('\n'), 'console at exit');
  });
});

describe("secrets are masked in the headless runner's output", function () {
  this.timeout(30_000);
  it('coda run --json --env-file prints the mask, never the value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-secret-cli-'));
    writeFileSync(join(dir, '.env'), `API_TOKEN="${SECRET}"\n`);
    const cells = ['console.log(process.env.API_TOKEN)', 'process.env.API_TOKEN', 'throw new Error(process.env.API_TOKEN)'];
    writeFileSync(
      join(dir, 'n.coda'),
      JSON.stringify({ coda: 1, metadata: { secrets: ['API_TOKEN'] }, cells: cells.map((c) => ({ kind: 'code', language: 'javascript', source: [c] })) }),
    );
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'dist', 'cli.js'), 'run', join(dir, 'n.coda'), '--json', '--keep-going', '--env-file', join(dir, '.env')],
      { encoding: 'utf8', env: { ...process.env, API_TOKEN: '' } },
    );
    assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), 'the runner leaked the secret');
    const doc = JSON.parse(r.stdout) as { cells: { console: { text: string }[]; value?: { value: string }; error?: { message: string } }[] };
    assert.equal(doc.cells[0]!.console[0]!.text, MASK);
    assert.equal(doc.cells[1]!.value!.value, MASK);
    assert.equal(doc.cells[2]!.error!.message, MASK);
  });

  it('a notebook that names a secret nobody provides fails with a message naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-secret-cli-'));
    writeFileSync(
      join(dir, 'n.coda'),
      JSON.stringify({ coda: 1, metadata: { secrets: ['NOPE_TOKEN'] }, cells: [{ kind: 'code', language: 'javascript', source: ['1'] }] }),
    );
    const env = { ...process.env };
    delete env.NOPE_TOKEN;
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', join(dir, 'n.coda')], { encoding: 'utf8', env });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /secret NOPE_TOKEN: set it in the environment or in an --env-file/);
  });
});

// ---- issue 11, items 8 and 9: cuts and quoting forms, on Node and in the Sandbox -------------------------------

/** 8 characters of a secret (in any form it can be written in) make a crossing; a shorter secret counts whole. */
const PIECE = 8;

function pieces(secret: string): string[] {
  const forms = [
    secret,
    JSON.stringify(secret).slice(1, -1),
    inspect(secret, { breakLength: Infinity }).slice(1, -1),
    inspect(`'"${secret}`, { breakLength: Infinity }).slice(3, -1),
  ];
  const out = new Set<string>();
  for (const f of forms) for (let i = 0; i + PIECE <= f.length; i++) out.add(f.slice(i, i + PIECE));
  return [...out];
}

const tally = { cut: { attempts: 0, crossings: 0 }, quoting: { attempts: 0, crossings: 0 }, format: { attempts: 0, crossings: 0 } };

/** Everything the host saw for one attempt must hold no piece of the secret. */
function assertNoPiece(area: 'cut' | 'quoting' | 'format', what: string, seen: unknown, secret: string): void {
  tally[area].attempts++;
  const text = JSON.stringify(seen) + '\n' + allStrings(seen).join('\n');
  const found = pieces(secret).find((p) => text.includes(p) || text.includes(JSON.stringify(p).slice(1, -1)));
  if (found === undefined) return;
  tally[area].crossings++;
  const at = text.indexOf(found);
  assert.fail(`${what}: ${JSON.stringify(found)} of the secret reached the host: …${text.slice(Math.max(0, at - 40), at + 40)}…`);
}

/** An ordinary token, one with every quote and a backslash, one with control characters and a lone surrogate. */
const TOKEN = 'sk-live-5f1e2d3c4b5a69788796a5b4';
/** `'` and `"` but no backtick: util.inspect quotes it with backticks, escaping only the backslash. */
const QUOTED = `q'u"ote\\d-5f1e2d3c4b5a6978`;
/** A key util.inspect must quote and escape: `{ 'sec"ret\t\'key…': 1 }`. */
const KEYED = `sec"ret\t'key-5f1e2d3c4b5a`;
/** Parsed as a key up to its ':': V8's excerpt around the unexpected value is the middle of the secret. */
const MIDDLE = 'key-5f1e2d3c":qwertyuiopasdf';
const CONTROL = 'ctl\x01\x1b\x7f-\ud800-tail-5f1e2d3c';
const ASTRAL = '🔑🔑🔑🔑🔑🔑🔑🔑-5f1e2d3c4b5a';
const LINES = 'first-line-of-the-secret\nsecond-line-of-the-secret';
const TRAILING = 'trailing-secret-5f1e2d3c4b5a\n';
/** Format specifiers inside: as (part of) a console format string it would come out changed (`%i` of an object is NaN). */
const FORMATTED = 'fmt-%i-%s-%%-%d-%c-%j-%o-%O-%f-5f1e2d3c';
const ALL = [TOKEN, QUOTED, KEYED, MIDDLE, CONTROL, ASTRAL, LINES, TRAILING, FORMATTED];

interface Attempt {
  area: 'cut' | 'quoting' | 'format';
  name: string;
  secret: string;
  code: string;
  nodeOnly?: boolean;
}

const lit = (s: string) => JSON.stringify(s);
const fill = (n: number) => `'~'.repeat(${n})`;

const ATTEMPTS: Attempt[] = [
  // item 8, the examples: a 10-20 character prefix used to survive each of these cuts
  { area: 'cut', name: 'a result preview (a string inside cut at 60)', secret: TOKEN, code: `({ token: ${fill(50)} + ${lit(TOKEN)} })` },
  {
    area: 'cut',
    name: "a console argument's value preview (coda run --json)",
    secret: TOKEN,
    code: `console.log('token', { token: ${fill(45)} + ${lit(TOKEN)} })`,
  },
  { area: 'cut', name: 'a console.table cell (cut at 120)', secret: TOKEN, code: `console.table([{ token: ${fill(105)} + ${lit(TOKEN)} }])` },
  { area: 'cut', name: 'a console line over the line limit', secret: TOKEN, code: `console.log(${fill(19_988)} + ${lit(TOKEN)})` },
  { area: 'cut', name: 'a V8 error message quoting its input (JSON.parse)', secret: TOKEN, code: `JSON.parse('{"token": ' + ${lit(TOKEN)} + '}')` },
  // item 8, variants
  { area: 'cut', name: 'a string result over the string budget', secret: TOKEN, code: `${fill(9_990)} + ${lit(TOKEN)}` },
  { area: 'cut', name: "an Error's preview over the preview budget", secret: TOKEN, code: `new Error(${fill(220)} + ${lit(TOKEN)})` },
  { area: 'cut', name: 'a preview cut inside an astral character (a lone \\ud83d left)', secret: ASTRAL, code: `({ k: ${fill(47)} + ${lit(ASTRAL)} })` },
  { area: 'cut', name: 'a JSON.parse excerpt from the middle of a secret', secret: MIDDLE, code: `JSON.parse('{"' + ${lit(MIDDLE)} + '}')` },
  {
    area: 'cut',
    name: 'a JSON.parse excerpt in a cause and in console.error',
    secret: TOKEN,
    code: `try { JSON.parse('[' + ${lit(TOKEN)} + ']') } catch (e) { console.error(e); throw new Error('outer', { cause: e }) }`,
  },
  { area: 'cut', name: "Node's cut of a received argument (ERR_INVALID_ARG_TYPE)", secret: TOKEN, code: `Buffer.alloc(${lit(TOKEN)})`, nodeOnly: true },
  {
    area: 'cut',
    name: 'process.stdout text cut into lines inside a secret (one ending with a line break)',
    secret: TRAILING,
    code: `process.stdout.write(${lit(LINES)} + '\\n' + ${lit(TRAILING)} + 'tail\\n')`,
    nodeOnly: true,
  },
  {
    area: 'cut',
    name: 'process.stdout.write over the pending limit',
    secret: TOKEN,
    code: `process.stdout.write(${fill(65_530)} + ${lit(TOKEN)}); process.stdout.write('\\n')`,
    nodeOnly: true,
  },
  { area: 'cut', name: "display text over util.inspect's string budget", secret: TOKEN, code: `display({ k: ${fill(9_980)} + ${lit(TOKEN)} })` },
  // item 9, the issue's example: a secret with ', " and \ printed in util.inspect's backtick-quoted escaped form
  { area: 'quoting', name: "util.inspect's backtick-quoted form", secret: QUOTED, code: `console.log({ t: ${lit(QUOTED)} }); [${lit(QUOTED)}]` },
  // item 9, variants
  {
    area: 'quoting',
    name: "an object key ({ 'sec\"ret': 1 })",
    secret: KEYED,
    code: `console.log({ [${lit(KEYED)}]: 1 }); ({ [${lit(KEYED)}]: { [${lit(KEYED)}]: 2 } })`,
  },
  {
    area: 'quoting',
    name: 'JSON inside an inspected string, %j and %o',
    secret: QUOTED,
    code: `console.log([JSON.stringify({ t: ${lit(QUOTED)} })]); console.log('%j %o', { t: ${lit(QUOTED)} }, [${lit(QUOTED)}])`,
  },
  {
    area: 'quoting',
    name: 'control characters and a lone surrogate (\\x.., \\u....)',
    secret: CONTROL,
    code: `console.log({ c: ${lit(CONTROL)} }); console.table([{ c: ${lit(CONTROL)} }]); [${lit(CONTROL)}]`,
  },
  {
    area: 'quoting',
    name: "a secret with a line break that util.inspect splits into 'a\\n' + 'b'",
    secret: LINES,
    code: `console.log({ k: ${fill(100)} + ${lit(LINES)} + ${fill(100)} }); console.dir([${lit(LINES)} + ${fill(100)}])`,
    nodeOnly: true,
  },
  { area: 'quoting', name: "display.table's HTML escaping", secret: QUOTED, code: `display.table([{ t: ${lit(QUOTED)}, [${lit(QUOTED)}]: 1 }])` },
  {
    area: 'quoting',
    name: 'a thrown string and error props (control characters)',
    secret: CONTROL,
    code: `console.error(Object.assign(new Error('e'), { code: ${lit(CONTROL)} })); throw ${lit(CONTROL)}`,
  },
  // a secret inside a console format string, with arguments for its specifiers to take (found by the property test)
  { area: 'format', name: 'the whole format string', secret: FORMATTED, code: `console.log(${lit(FORMATTED)}, { a: 1 }, 2, 'x', 3, 'y', [4], { b: 5 }, 6, 7)` },
  { area: 'format', name: 'the end of a format string', secret: FORMATTED, code: `console.log(${fill(30)} + ${lit(FORMATTED)}, { k: 1 })` },
  { area: 'format', name: 'the start of a format string', secret: FORMATTED, code: `console.error(${lit(FORMATTED)} + '%s', 'tail')` },
  { area: 'format', name: 'after a specifier of its own', secret: FORMATTED, code: `console.info('%s' + ${lit(FORMATTED)}, 'x', 'y', 'z')` },
  { area: 'format', name: "console.assert's message", secret: FORMATTED, code: `console.assert(false, ${lit(FORMATTED)}, 1, 2)` },
  { area: 'format', name: "console.trace's message", secret: FORMATTED, code: `console.trace(${lit(FORMATTED)}, 1)` },
  {
    area: 'format',
    name: "console.timeLog's data",
    secret: FORMATTED,
    code: `console.time('t'); console.timeLog('t', ${lit(FORMATTED)}, 1); console.timeEnd('t')`,
  },
];

async function expandAll(k: TestKernel, v: RemoteValue | undefined, out: unknown[], left = { n: 5 }): Promise<void> {
  if (!v || v.type !== 'object' || !v.handle || left.n-- <= 0) return;
  const page = await k.kernel.expand({ handleId: v.handle.id, start: 0, count: 20 });
  out.push(page);
  for (const item of page.items) await expandAll(k, item.value, out, left);
}

for (const runtime of ['node', 'sandbox'] as const) {
  describe(`secrets are masked before any cut and in every quoting form (${runtime})`, function () {
    this.timeout(60_000);
    let k: TestKernel;
    const logs: string[] = [];

    before(async function () {
      if (runtime === 'sandbox') skipWithoutSandbox(this);
      const sandbox = runtime === 'sandbox' ? sandboxStartOptions() : undefined;
      k = await startKernel({ ...sandbox, init: { ...sandbox?.init, maskedValues: ALL } });
      k.kernel.onEvent('log', (b) => logs.push(b.message));
    });
    after(() => k?.kernel.dispose());

    for (const a of ATTEMPTS) {
      if (a.nodeOnly && runtime !== 'node') continue;
      it(`${a.area}: ${a.name}`, async () => {
        const before = { console: k.console.length, events: k.events.length };
        const result = await k.run(a.code);
        const seen: unknown[] = [result];
        if (result.status === 'ok') await expandAll(k, result.value, seen);
        await sleep(120);
        seen.push(k.console.slice(before.console), k.events.slice(before.events));
        assert.ok(JSON.stringify(seen).includes(MASK), 'the output shows the mask where the secret was');
        assertNoPiece(a.area, `${runtime}: ${a.name}`, seen, a.secret);
      });
    }
  });
}

describe('the secret masker', () => {
  after(() => {
    console.log(`secrets cut: ${tally.cut.attempts} attempts, ${tally.cut.crossings} crossings`);
    console.log(`secrets quoting: ${tally.quoting.attempts} attempts, ${tally.quoting.crossings} crossings`);
    console.log(`secrets in format strings: ${tally.format.attempts} attempts, ${tally.format.crossings} crossings`);
  });

  it('a cut never keeps 4 or more leading characters of a secret, and never half a surrogate pair', () => {
    const m = createMasker([TOKEN, ASTRAL]);
    for (let keep = 1; keep < TOKEN.length; keep++) {
      const out = m.cut('~'.repeat(20) + TOKEN + '~'.repeat(50), 20 + keep);
      assert.ok(!out.includes(TOKEN.slice(0, Math.max(4, Math.min(keep, PIECE)))), `a cut ${keep} characters into the secret shows ${out}`);
    }
    assert.equal(m.cut('🔑🔑', 3), '🔑', 'the cut backs off a lone high surrogate');
  });

  it('holds back exactly the end of a text that may start a secret (in any written form), and nothing else', () => {
    const m = createMasker([TOKEN]);
    for (let k = 1; k < TOKEN.length; k++) {
      const text = `progress ${TOKEN.slice(0, k)}`;
      assert.equal(m.heldFrom(text), 'progress '.length, `${k} leading characters of the secret`);
    }
    const json = JSON.stringify(TOKEN).slice(1, -1);
    assert.equal(m.heldFrom(`{"k":"${json.slice(0, 5)}`), `{"k":"`.length, 'the start of its JSON form');
    assert.equal(m.heldFrom('progress ...'), 'progress ...'.length, 'text that begins no secret goes out whole');
    assert.equal(m.heldFrom(''), 0);
    assert.equal(m.heldFrom(`${TOKEN} done`), `${TOKEN} done`.length, 'a whole secret is masked, not held');
    assert.equal(createMasker([]).heldFrom('anything'), 'anything'.length);
    // the end a stream passes on never completes a secret with what comes after it
    for (let k = 1; k < TOKEN.length; k++) {
      const pending = `a${TOKEN.slice(0, k)}`;
      const sent = m.text(pending.slice(0, m.safeEnd(pending, m.heldFrom(pending))));
      assert.ok(!(sent + TOKEN.slice(k)).includes(TOKEN), `${k}: ${sent}`);
    }
  });

  it("recognises what is left before a cut marker: '…', '...', util.inspect's trailer and a cut astral character", () => {
    const m = createMasker([TOKEN, ASTRAL]);
    assert.equal(m.text(`x ${TOKEN.slice(0, 12)}…`), `x ${MASK}…`);
    assert.equal(m.text(`Received type string ('${TOKEN.slice(0, 24)}...')`), `Received type string ('${MASK}...')`);
    assert.equal(m.text(`{ k: '${TOKEN.slice(0, 20)}'... 12 more characters }`), `{ k: '${MASK}'... 12 more characters }`);
    assert.equal(m.text(`'${ASTRAL.slice(0, 5)}\\ud83d'... 9 more characters`), `'${MASK}\\ud83d'... 9 more characters`);
    assert.equal(m.text('Loading... done, http… ok'), 'Loading... done, http… ok', 'text that is not a secret stays');
  });

  it('stays linear and small: 20 secrets of 200 characters (each in ~40 written forms) against a 1 MB text built to make a regex backtrack', () => {
    const secrets = Array.from({ length: 20 }, (_, i) => 'a'.repeat(100 + i) + `"'\\\n\x01<&\ud800`.repeat(10) + i);
    const started = Date.now();
    const m = createMasker(secrets);
    const built = Date.now() - started;
    const text = 'a'.repeat(1_000_000);
    const t0 = Date.now();
    assert.equal(m.text(text), text);
    const cut = m.cut(text, 900_000);
    assert.ok(cut.length <= 900_000 && cut.endsWith(MASK), 'the start of a secret at the cut is masked');
    const took = Date.now() - t0;
    assert.ok(built < 1000 && took < 3000, `built in ${built} ms, masked 1 MB twice in ${took} ms`);
    assert.equal(m(`x${secrets[7]}y`), `x${MASK}y`);
  });
});
