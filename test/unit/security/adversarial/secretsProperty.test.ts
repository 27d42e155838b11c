/**
 * Property test (issue 11, item 10): random secrets (quotes, backslashes, unicode with astral and combining
 * characters, control characters, lone surrogates; 4–200 code units) × every output path (console text and
 * previews, console.table, results, expansions, errors and causes, V8's and Node's cut excerpts, display, scratch line
 * values, the kernel log, the text the extension saves and `coda run` prints) × truncation points (each budget
 * CodaJS, util.inspect, Node or V8 applies, with the secret straddling the cut at several offsets).
 * No 8-character piece of a secret (in any form it can be written in), nor a shorter secret whole, may ever reach
 * the host. Seeded: CODA_SECRET_SEED=<n> replays a run.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { formatConsoleEntry, formatDisplay, formatError, valueText } from '../../../../host/format/formatText';
import { ConsoleLog } from '../../../../extension/pure/ConsoleLog';
import { MAX_CONSOLE_TEXT, type ConsoleEntry, type InitParams, type RemoteValue, type SerializedError } from '../../../../protocol';
import { MAX_TABLE_CELL } from '../../../../worker/inspect/consoleTable';
import { MAX_PREVIEW_CHARS, MAX_PREVIEW_STRING, MAX_RESULT_TEXT, MAX_STRING_CHARS } from '../../../../worker/inspect/inspectText';
import { MAX_PENDING_STREAM_TEXT } from '../../../../worker/node/userConsole';
import { KernelProcess } from '../../../../host/kernel/KernelProcess';
import { requireRuntimes, runtimeBinary } from '../../../runtimeBinaries';
import { ROOT, WORKER, allStrings } from '../../helpers/testKernel';

const SEED = Number(process.env.CODA_SECRET_SEED ?? Math.floor(Date.now() % 2_147_483_647));
/** Secrets per kernel, kernels per runtime. */
const SECRETS_PER_KERNEL = 8;
const KERNELS: Record<Runtime, number> = { node: 2, sandbox: 2, deno: 1, bun: 1 };
/** A piece of a secret this long (or the whole of a shorter one) is a crossing. */
const PIECE = 8;
/** Filler that no secret contains. */
const FILL = '~';

type Runtime = 'node' | 'sandbox' | 'deno' | 'bun';

let attempts = 0;
let crossings = 0;

// ---- random secrets ----------------------------------------------------------------------------

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POOLS: [number, string[]][] = [
  [40, [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789']],
  [8, [...'-_./:+=@#%&?!,;()[]{}<>* ']],
  [10, ["'", '"', '`', '\\']],
  [6, ['é', 'ß', 'ж', '中', '™', '\u2028', 'Ω', 'ñ']],
  [4, ['\u0301', '\u0308', '\u20dd']],
  [4, ['😀', '𝔸', '🔑']],
  [6, ['\n', '\t', '\r', '\x01', '\x1b', '\x7f', '\x85', '\x0b']],
  [2, ['\ud800', '\udfff']],
];
const WEIGHT = POOLS.reduce((n, [w]) => n + w, 0);

function randomSecret(rnd: () => number, allowNul: boolean): string {
  const length = 4 + Math.floor(rnd() ** 2 * 197);
  let s = '';
  while (s.length < length) {
    let pick = rnd() * WEIGHT;
    const pool = POOLS.find(([w]) => (pick -= w) < 0)![1];
    s += pool[Math.floor(rnd() * pool.length)];
  }
  if (allowNul && rnd() < 0.1) s = s.slice(0, 2) + '\0' + s.slice(3);
  // a secret is recognisable by its start: give the first characters something that is not a quote or escape
  return s;
}

/** The secret with console format specifiers (`%i`, `%%`, `%s`, …) put in at random places. */
function withSpecifiers(secret: string, rnd: () => number): string {
  let s = secret;
  for (const spec of ['%i', '%%', '%s', '%d', '%o', '%c', '%j']) {
    if (rnd() < 0.5) continue;
    const at = Math.floor(rnd() * (s.length + 1));
    s = s.slice(0, at) + spec + s.slice(at);
  }
  return `%i${s}`;
}

// ---- the check ---------------------------------------------------------------------------------

/**
 * Every PIECE-long run of a secret's characters (or the whole of a shorter secret), each in every way it may be
 * written: as is, after UTF-8, in JSON (once and twice) and in util.inspect's quotings (with `'` escaped or not, hex
 * escapes in either case). util.inspect itself is the oracle, not the masker's own tables.
 */
function piecesOf(secret: string): Set<string> {
  const json = (s: string) => JSON.stringify(s).slice(1, -1);
  const show = (s: string) => inspect(s, { breakLength: Infinity });
  const lower = (s: string) => s.replace(/\\x([0-9A-F]{2})/g, (_, h: string) => `\\x${h.toLowerCase()}`);
  const wellFormed = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const pieces = new Set<string>();
  const n = Math.min(PIECE, secret.length);
  for (let i = 0; i + n <= secret.length; i++) {
    const w = secret.slice(i, i + n);
    const quoted = [show(w).slice(1, -1), show(w + `'"\``).slice(1, -5), show('"' + w).slice(2, -1)];
    for (const f of [w, wellFormed(w), json(w), json(json(w)), ...quoted, ...quoted.map(lower)]) pieces.add(f);
  }
  return pieces;
}

interface Secrets {
  /** Pieces shorter than PIECE (secrets shorter than that, whole) → their secret. */
  short: Map<string, string>;
  shortLengths: number[];
  /** Pieces of PIECE characters or more, by their first PIECE characters. */
  byStart: Map<string, [piece: string, secret: string][]>;
}

function secretsOf(values: string[]): Secrets {
  const short = new Map<string, string>();
  const byStart = new Map<string, [string, string][]>();
  for (const v of values) {
    for (const p of piecesOf(v)) {
      if (p.length < PIECE) short.set(p, v);
      else {
        const key = p.slice(0, PIECE);
        byStart.set(key, [...(byStart.get(key) ?? []), [p, v]]);
      }
    }
  }
  return { short, byStart, shortLengths: [...new Set([...short.keys()].map((p) => p.length))].sort((a, b) => a - b) };
}

function leak(text: string, secrets: Secrets): [string, string] | undefined {
  for (let i = 0; i < text.length; i++) {
    for (const n of secrets.shortLengths) {
      const owner = i + n <= text.length ? secrets.short.get(text.slice(i, i + n)) : undefined;
      if (owner !== undefined) return [text.slice(i, i + n), owner];
    }
    for (const [piece, owner] of secrets.byStart.get(text.slice(i, i + PIECE)) ?? []) if (text.startsWith(piece, i)) return [piece, owner];
  }
  return undefined;
}

function check(what: string, value: unknown, secrets: Secrets): void {
  for (const s of allStrings(value)) {
    const found = leak(s, secrets);
    if (!found) continue;
    crossings++;
    const at = s.indexOf(found[0]);
    assert.fail(
      `seed ${SEED}: ${what} shows ${JSON.stringify(found[0])} of the secret ${JSON.stringify(found[1])}: …${JSON.stringify(s.slice(Math.max(0, at - 60), at + 60))}…`,
    );
  }
}

// ---- the output paths --------------------------------------------------------------------------

const F = (n: number) => `${JSON.stringify(FILL)}.repeat(${Math.max(0, n)})`;

interface Path {
  name: string;
  /** Cell code with `S` bound to the secret and `d` the number of the secret's characters before the cut. */
  code(d: number): string;
  runtimes?: Runtime[];
  instrument?: boolean;
}

const NODEISH: Runtime[] = ['node', 'deno', 'bun'];

const PATHS: Path[] = [
  { name: 'result string over the string budget', code: (d) => `${F(MAX_STRING_CHARS - d)} + S` },
  { name: 'result preview (a string inside cut by util.inspect)', code: (d) => `({ k: ${F(MAX_PREVIEW_STRING - d)} + S })` },
  { name: 'result preview over the preview budget (a key)', code: (d) => `({ [${F(MAX_PREVIEW_CHARS - 11 - d)}]: 1, [S]: 2 })` },
  { name: 'result preview of an Error over the budget', code: (d) => `new Error(${F(MAX_PREVIEW_CHARS - 8 - d)} + S)` },
  {
    name: 'result preview of a Map, a Set, a symbol and a promise',
    code: (d) => `[new Map([[S, ${F(d)} + S]]), new Set([S]), Symbol(S), Promise.resolve(${F(MAX_PREVIEW_STRING - d)} + S)]`,
  },
  { name: 'console line over the line limit', code: (d) => `console.log(${F(MAX_CONSOLE_TEXT - d)} + S)` },
  {
    name: 'console argument previews (coda run --json values)',
    code: (d) => `console.log('v', { k: ${F(MAX_PREVIEW_STRING - d)} + S }, [${F(MAX_PREVIEW_CHARS - 4 - d)} + S])`,
  },
  {
    name: 'console.table cells, keys and index',
    code: (d) => `console.table([{ a: ${F(MAX_TABLE_CELL - 3 - d)} + S, [S]: 1 }]); console.table({ [S]: { b: S } })`,
  },
  { name: 'console text of a long string inside an object', code: (d) => `console.log([${F(10_000 - d)} + S])` },
  {
    name: 'console text of strings split at line breaks',
    code: () => `console.log({ k: ${F(100)} + S + '\\n' + ${F(100)} + S }); console.dir({ a: { b: [S + '\\n' + ${F(90)}] } })`,
  },
  {
    name: 'console format specifiers and keys',
    code: () => `console.log('%s %j %o %O %d', S, { [S]: S }, { k: S }, [S], S); console.info({ [S]: S }); console.warn(\`\${S}\`)`,
  },
  {
    // a secret's own `%i` or `%%` would be applied to the arguments after it (secretLeaks.test.ts has fixed cases)
    name: 'the secret inside a console format string, with arguments',
    code: (d) => `console.log(${F(d)} + S + '%s', { k: 1 }, 2, 'x', [3]); console.warn(S, S, 4)`,
  },
  { name: 'console error with a cause', code: (d) => `console.error(new Error(${F(d)} + S, { cause: ${F(80 - 3 - d)} + S }))` },
  {
    name: 'console count, time and group labels',
    code: () => `console.count(S); console.group(S); console.groupEnd(); console.time(S); console.timeEnd(S); console.assert(false, S)`,
  },
  {
    name: 'thrown error with causes',
    code: (d) => `throw new Error(${F(d)} + S, { cause: new Error(S, { cause: { k: S, n: ${F(MAX_PREVIEW_STRING - d)} + S } }) })`,
  },
  { name: 'thrown primitive', code: (d) => `throw ${F(d)} + S` },
  { name: 'JSON.parse excerpt (secret at the error)', code: () => `JSON.parse('{"a": ' + S + '}')` },
  { name: 'JSON.parse excerpt (secret after the error)', code: (d) => `JSON.parse('[' + ${F(d)} + S + ']')` },
  { name: 'JSON.parse excerpt (whole text)', code: () => `JSON.parse(S + S)` },
  { name: "Node's cut of a received argument", code: (d) => `Buffer.alloc(${F(d)} + S)`, runtimes: ['node'] },
  { name: 'an error with props', code: (d) => `throw Object.assign(new Error('e'), { code: ${F(d)} + S, [S]: 1 })` },
  {
    // an object property is previewed (cut to the preview's budget, strings inside it to theirs), an accessor unread
    name: 'an error with object props',
    code: (d) =>
      `throw Object.defineProperty(Object.assign(new Error('e'), { details: { k: ${F(d)} + S, list: [${F(MAX_PREVIEW_STRING - d)} + S] }, more: [S, { [S]: S }], long: { t: ${F(MAX_PREVIEW_CHARS - d)} + S } }), S, { get() { return S }, enumerable: true })`,
  },
  { name: 'background error', code: (d) => `setTimeout(() => { throw new Error(${F(d)} + S) }, 1); undefined` },
  {
    name: 'display',
    code: (d) => `display.json({ k: ${F(d)} + S }); display.table([{ [S]: ${F(d)} + S, n: { k: S } }]); display.html(S); display({ k: ${F(10_000 - d)} + S })`,
  },
  { name: 'scratch line values', instrument: true, code: (d) => `${F(MAX_STRING_CHARS - d)} + S\n({ k: ${F(MAX_PREVIEW_STRING - d)} + S })\nS` },
  { name: 'expansions', code: (d) => `({ [S]: S, n: { [${F(d)} + S]: [${F(MAX_STRING_CHARS - d)} + S, { k: S }] }, m: new Map([[S, S]]) })` },
  // a result's full text (ObjectValue.text): two levels deep, strings of 10,000 characters, Node's multi-line layout
  { name: 'result text: a string two levels deep, cut by util.inspect', code: (d) => `({ a: { b: { k: ${F(MAX_STRING_CHARS - d)} + S } } })` },
  // (the key starts 14 characters in: `{\n  a: {\n    '`)
  { name: 'result text over its 20,000-character budget (a key)', code: (d) => `({ a: { [${F(MAX_RESULT_TEXT - 14 - d)} + S]: 1 } })` },
  {
    // util.inspect writes a string with line breaks in pieces, one a line (`'…\n' +`): a secret holding one is split
    name: 'result text of strings split at their line breaks',
    code: () =>
      `({ a: { k: ${F(100)} + S + '\\n' + ${F(100)} + S, l: [S + '\\n' + ${F(90)}, ${F(90)} + '\\n' + S] }, m: new Map([[1, { s: ${F(80)} + S + '\\n' + S }]]) })`,
  },
  {
    name: 'result text of percent-encoded and grouped values',
    code: (d) => `({ a: { u: encodeURIComponent(${F(d)} + S), q: 'k=' + encodeURIComponent(S), list: [...Array.from({ length: 20 }, (_, i) => i), S] } })`,
  },
  {
    name: 'raw writes to stderr and stdout (the kernel log)',
    runtimes: ['node'],
    code: (d) => `const fs = require('node:fs'); fs.writeSync(2, ${F(d)} + S + '\\n'); fs.writeSync(1, ${F(d)} + S + '\\n' + S)`,
  },
  {
    name: 'raw writes past the console (Deno.stdout, Deno.stderr)',
    runtimes: ['deno'],
    code: (d) =>
      `const te = new TextEncoder(); Deno.stdout.writeSync(te.encode(${F(d)} + S + '\\n' + S + '\\n')); Deno.stderr.writeSync(te.encode(${F(d)} + S + '\\n'))`,
  },
  {
    name: 'raw writes past the console (Bun.write)',
    runtimes: ['bun'],
    code: (d) => `await Bun.write(Bun.stdout, ${F(d)} + S + '\\n' + S + '\\n'); await Bun.write(Bun.stderr, ${F(d)} + S + '\\n')`,
  },
  {
    name: 'process.stdout over the pending limit',
    runtimes: NODEISH,
    code: (d) => `process.stdout.write(${F(MAX_PENDING_STREAM_TEXT - d)} + S); process.stdout.write('\\n')`,
  },
];

/** Offsets of the cut inside the secret (in characters of the written form). */
function cutsFor(secret: string, rnd: () => number): number[] {
  const n = inspect(secret).length - 2;
  const picks = new Set([1, 4, 7, 8, 12, Math.floor(n / 2), n - 1, 1 + Math.floor(rnd() * n)]);
  return [...picks].filter((d) => d >= 1 && d < n).slice(0, 4);
}

// ---- running ---------------------------------------------------------------------------------

function initFor(runtime: Runtime): Partial<InitParams> | undefined {
  if (runtime === 'node') return { runtime: 'node' };
  if (runtime === 'deno' || runtime === 'bun') {
    const binary = runtimeBinary(runtime);
    return binary ? { runtime, runtimePath: binary } : undefined;
  }
  const modulesDir = runtimeBinary('isolated-vm');
  return modulesDir && runtimeBinary('node') ? { runtime: 'sandbox', sandbox: { modulesDir, memoryMb: 256, cellTimeoutMs: 0 }, permissions: {} } : undefined;
}

async function runBatch(runtime: Runtime, values: string[], rnd: () => number): Promise<void> {
  const cwd = mkdtempSync(join(tmpdir(), 'coda-secret-prop-'));
  const logs: string[] = [];
  const kernel = await KernelProcess.start({
    workerPath: WORKER,
    nodePath: runtime === 'sandbox' ? runtimeBinary('node') : process.execPath,
    execArgv: runtime === 'sandbox' ? ['--no-node-snapshot'] : undefined,
    init: { cwd, documentPath: join(cwd, 'p.coda'), maskedValues: values, ...initFor(runtime)! } as InitParams,
    log: (_level, m) => logs.push(m),
  });
  const secrets = secretsOf(values);
  const events: { name: string; body: unknown }[] = [];
  for (const name of ['console', 'uncaught', 'display', 'lineValue', 'exiting'] as const) kernel.onEvent(name, (body) => events.push({ name, body }));
  const label = () => '[1]';
  let n = 0;
  try {
    for (const value of values) {
      for (const path of PATHS) {
        if (path.runtimes && !path.runtimes.includes(runtime)) continue;
        for (const d of cutsFor(value, rnd)) {
          const cellId = `c${++n}`;
          const code = `const S = ${JSON.stringify(value)};\n${path.code(d)}`;
          const r = await kernel.execute({
            cellId,
            cellLabel: `[${n}]`,
            executionId: n,
            code,
            language: 'javascript',
            instrumentLines: path.instrument ? true : undefined,
          });
          const where = `${runtime} ${path.name} (cut ${d})`;
          check(`${where}: the result`, r, secrets);
          if (r.status === 'ok' && r.value) {
            check(`${where}: the result as saved`, valueText(r.value), secrets);
            await expandAll(kernel, r.value, (page) => check(`${where}: an expansion`, page, secrets));
          }
          if (r.status === 'error') check(`${where}: the error as saved`, formatError(r.error, label), secrets);
          attempts++;
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const log = new ConsoleLog(5000);
    for (const e of events) {
      check(`${runtime} a ${e.name} event`, e.body, secrets);
      if (e.name === 'console') {
        const entries = (e.body as { entries: ConsoleEntry[] }).entries;
        log.push(entries);
        for (const entry of entries) check(`${runtime} a console line as printed`, formatConsoleEntry(entry, label), secrets);
      }
      if (e.name === 'display') check(`${runtime} display as printed`, formatDisplay((e.body as { data: Parameters<typeof formatDisplay>[0] }).data), secrets);
      if (e.name === 'uncaught') check(`${runtime} a background error as printed`, formatError((e.body as { error: SerializedError }).error, label), secrets);
      if (e.name === 'lineValue') check(`${runtime} a line value as shown`, valueText((e.body as { value: RemoteValue }).value), secrets);
    }
    check(`${runtime} the saved console output`, log.plainText(label), secrets);
    attempts += 3;
  } finally {
    await kernel.dispose();
  }
  check(`${runtime} the kernel log`, logs, secrets);
  attempts++;
}

async function expandAll(kernel: KernelProcess, value: RemoteValue, seen: (page: unknown) => void, budget = { left: 6 }): Promise<void> {
  if (value.type !== 'object' || !value.handle || budget.left-- <= 0) return;
  const page = await kernel.expand({ handleId: value.handle.id, start: 0, count: 50 });
  seen(page);
  for (const item of page.items) {
    if (item.value) await expandAll(kernel, item.value, seen, budget);
    if (item.key) await expandAll(kernel, item.key, seen, budget);
  }
}

/** `coda run --json` and its text output, secrets from the environment (the way the CLI gets them). */
function runCli(values: string[]): void {
  const dir = mkdtempSync(join(tmpdir(), 'coda-secret-prop-cli-'));
  const names = values.map((_, i) => `PROP_SECRET_${i}`);
  const cells: string[] = [];
  values.forEach((v, i) => {
    for (const d of [1, 8, Math.max(1, Math.floor(v.length / 2))]) {
      cells.push(
        `const S${i}_${d} = process.env.${names[i]}; console.log(${F(MAX_CONSOLE_TEXT - d)} + S${i}_${d}, { k: ${F(MAX_PREVIEW_STRING - d)} + S${i}_${d} }); console.table([{ a: ${F(MAX_TABLE_CELL - 3 - d)} + S${i}_${d} }])`,
      );
      cells.push(`({ k: ${F(MAX_PREVIEW_STRING - d)} + process.env.${names[i]}, s: ${F(MAX_PREVIEW_CHARS - 16 - d)} + process.env.${names[i]} })`);
      cells.push(`JSON.parse('[' + ${F(d)} + process.env.${names[i]} + ']')`);
    }
  });
  writeFileSync(
    join(dir, 'n.coda'),
    JSON.stringify({ coda: 1, metadata: { secrets: names }, cells: cells.map((c) => ({ kind: 'code', language: 'javascript', source: [c] })) }),
  );
  const env: NodeJS.ProcessEnv = { ...process.env };
  names.forEach((name, i) => (env[name] = values[i]));
  // what the CLI's environment really holds (UTF-8 round trip) is what it masks
  const secrets = secretsOf(values.map((v) => Buffer.from(v).toString()));
  for (const mode of [['--json'], []]) {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'run', join(dir, 'n.coda'), '--keep-going', ...mode], {
      encoding: 'utf8',
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.ok(r.stdout.length > 0, `coda run ${mode.join(' ')} printed nothing: ${r.stderr.slice(0, 500)}`);
    check(`coda run ${mode.join(' ') || '(text)'} stdout`, r.stdout, secrets);
    check(`coda run ${mode.join(' ') || '(text)'} stderr`, r.stderr, secrets);
    attempts += cells.length;
  }
}

describe('secrets never show, whatever the secret, the output path or the cut (property)', function () {
  this.timeout(120_000);
  const rnd = prng(SEED);
  // the first secret of each kernel holds console format specifiers: as part of a format string they would be applied
  const batches = (runtime: Runtime) =>
    Array.from({ length: KERNELS[runtime] }, () =>
      Array.from({ length: SECRETS_PER_KERNEL }, (_, j) => {
        const secret = randomSecret(rnd, runtime === 'node' || runtime === 'sandbox');
        return j === 0 ? withSpecifiers(secret, rnd) : secret;
      }),
    );
  const plan: [Runtime, string[][]][] = (['node', 'sandbox', 'deno', 'bun'] as const).map((r) => [r, batches(r)]);
  const cliSecrets = Array.from({ length: 4 }, (_, j) => {
    const secret = randomSecret(rnd, false).replace(/\0/g, 'x');
    return j === 0 ? withSpecifiers(secret, rnd) : secret;
  });

  before(() => console.log(`      seed ${SEED} (replay with CODA_SECRET_SEED=${SEED})`));
  after(() => console.log(`secrets: ${attempts} attempts, ${crossings} crossings`));

  for (const [runtime, secretBatches] of plan) {
    it(`${runtime}: results, expansions, console, tables, errors, display, line values, the log and saved outputs`, async function () {
      if (!initFor(runtime)) {
        if (requireRuntimes) throw new Error(`${runtime} is missing from the runtime store and CODA_REQUIRE_RUNTIMES is set`);
        return this.skip();
      }
      for (const batch of secretBatches) await runBatch(runtime, batch, rnd);
    });
  }

  it('coda run --json and its text output', () => runCli(cliSecrets));
});
