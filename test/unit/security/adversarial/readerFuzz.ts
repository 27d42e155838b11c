/**
 * Reader fuzzing, run as its own process by reader.test.ts (so that a hang is caught by a timeout instead of
 * freezing mocha): a seeded random mutator over the .coda fixtures. Every mutated file must give either a notebook
 * the writer can write back and the runner can start (valid permissions and secrets), or problems that each carry
 * a line and column. Anything else — a throw, a slow parse, a problem without a position, a duplicate key or an
 * over-deep file accepted — is a crossing.
 * Usage: node --import tsx readerFuzz.ts <seed> <attempts>; prints one JSON line {attempts, crossings}.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCoda, serializeCoda } from '../../../../protocol/codaFormat';
import { MAX_NESTING_DEPTH } from '../../../../protocol/codaJsonChecks';
import { parsePermissions, parseSecretNames } from '../../../../protocol/permissions';

/** Longest a single parse may take, even of a multi-megabyte line. */
const SLOW_PARSE_MS = 3000;
const ROOT = join(__dirname, '..', '..', '..', '..');

function fixtures(): Buffer[] {
  const dirs = [join(ROOT, 'test', 'fixtures', 'format'), join(ROOT, 'test', 'fixtures', 'cli'), join(ROOT, 'examples')];
  return dirs.flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.coda'))
      .map((f) => readFileSync(join(d, f))),
  );
}

/** mulberry32: small, seedable, good enough to spread mutations. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}
type Rng = ReturnType<typeof rng>;

interface Mutated {
  kind: string;
  text: string;
  /** The mutation is valid JSON with a repeated key, or nesting over the limit: the reader must refuse it. */
  mustRefuse?: boolean;
}

const insertAt = (s: string, i: number, what: string) => s.slice(0, i) + what + s.slice(i);
const decode = (b: Buffer) => b.toString('utf8');

const MUTATIONS: Record<string, (src: Buffer, r: Rng) => Mutated> = {
  byteFlip: (src, r) => {
    const b = Buffer.from(src);
    for (let n = 1 + r.int(4); n > 0 && b.length; n--) b[r.int(b.length)] = r.int(256);
    return { kind: 'byteFlip', text: decode(b) };
  },
  truncate: (src, r) => ({ kind: 'truncate', text: decode(src.subarray(0, r.int(src.length + 1))) }),
  duplicatePermissions: (src, r) => {
    const text = decode(src);
    const i = text.indexOf('"metadata": {');
    const grant = r.pick(['{"net":["*"]}', '{"run":["*"],"read":["*"]}', '{}', 'null']);
    if (i === -1)
      return { kind: 'duplicatePermissions', text: `{"coda":1,"metadata":{"permissions":{"net":[]},"permissions":${grant}},"cells":[]}`, mustRefuse: true };
    const at = i + '"metadata": {'.length;
    const both = `"permissions": {"net": []}, "permissions": ${grant}`;
    const rest = text.slice(at).trimStart();
    return { kind: 'duplicatePermissions', text: insertAt(text, at, rest.startsWith('}') ? both : `${both},`), mustRefuse: true };
  },
  duplicateLine: (src, r) => {
    // repeat a `"key": value,` line of an object: a valid JSON file with one key twice
    const lines = decode(src).split('\n');
    const candidates = lines.flatMap((l, i) => (/^\s*"[^"]+": [^{[]*,$/.test(l) ? [i] : []));
    if (!candidates.length) return { kind: 'duplicateLine', text: '{"coda":1,"cells":[],"coda":1}', mustRefuse: true };
    const i = r.pick(candidates);
    lines.splice(i, 0, lines[i]!);
    return { kind: 'duplicateLine', text: lines.join('\n'), mustRefuse: true };
  },
  deepNesting: (src, r) => {
    const depth = r.pick([MAX_NESTING_DEPTH + 1, 3_000, 20_000, 300_000]);
    const [open, close] = r.pick([
      ['[', ']'],
      ['{"a":', '}'],
    ] as const);
    const text = decode(src);
    const i = text.indexOf('{');
    const value = open.repeat(depth) + (open === '[' ? '' : '1') + close.repeat(depth);
    return { kind: 'deepNesting', text: i === -1 ? value : insertAt(text, i + 1, `"deep": ${value},`), mustRefuse: i !== -1 };
  },
  deepUnclosed: (src, r) => ({ kind: 'deepUnclosed', text: decode(src).slice(0, r.int(src.length)) + '['.repeat(10_000 + r.int(100_000)) }),
  bom: (src, r) => ({ kind: 'bom', text: '\ufeff'.repeat(1 + r.int(2)) + decode(src) }),
  bomMutated: (src, r) => ({ kind: 'bomMutated', text: `\ufeff${MUTATIONS.byteFlip!(src, r).text}` }),
  nul: (src, r) => {
    let text = decode(src);
    for (let n = 1 + r.int(3); n > 0; n--) text = insertAt(text, r.int(text.length + 1), '\0'.repeat(1 + r.int(3)));
    return { kind: 'nul', text };
  },
  hugeNumber: (src, r) => {
    const text = decode(src);
    const numbers = [...text.matchAll(/-?\d+(\.\d+)?([eE][+-]?\d+)?/g)];
    const big = r.pick(['1e999', '-1e999', '1e-999', '123456789012345678901234567890', '9'.repeat(5000), '0.' + '0'.repeat(400) + '1']);
    if (!numbers.length) return { kind: 'hugeNumber', text: `{"coda":${big},"cells":[]}` };
    const m = r.pick(numbers);
    return { kind: 'hugeNumber', text: text.slice(0, m.index) + big + text.slice(m.index! + m[0].length) };
  },
  loneSurrogate: (src, r) => {
    const text = decode(src);
    const quotes = [...text.matchAll(/"/g)];
    const lone = r.pick(['\\ud800', '\\udfff', '\ud800', '\udc00x', '\\ud83d\\u0041']);
    if (!quotes.length) return { kind: 'loneSurrogate', text: `{"coda":1,"cells":[],"${lone}":1}` };
    return { kind: 'loneSurrogate', text: insertAt(text, quotes[r.int(quotes.length)]!.index! + 1, lone) };
  },
  longLine: (src, r) => {
    const text = decode(src);
    const size = r.pick([100_000, 1_000_000, 4_000_000]);
    const filler = r.pick(['x', ' ', '[', '"', '\\']).repeat(size);
    const i = text.indexOf('"cells"');
    return { kind: 'longLine', text: i === -1 ? filler + text : insertAt(text, i, `"long": "${filler.replace(/["\\[]/g, 'y')}", `) };
  },
  longLineGarbage: (src, r) => ({
    kind: 'longLineGarbage',
    text: insertAt(decode(src), r.int(src.length), r.pick(['[', '"', '\\', '{', ',']).repeat(500_000)),
  }),
  blank: (_src, r) => ({ kind: 'blank', text: r.pick(['', ' ', '\n', '\r\n\t ', '\ufeff', '\ufeff \n']), mustRefuse: true }),
  badPermissions: (src, r) => {
    const text = decode(src);
    const i = text.indexOf('"metadata": {');
    const bad = r.pick(['"net": "x"', '"launch": []', '"net": [1]', '"net": [""]', '"net": [null]', '"read": {"a":1}']);
    const value = r.pick([
      `"permissions": {${bad}}`,
      '"permissions": []',
      '"permissions": "all"',
      '"secrets": ["has space"]',
      '"secrets": [1]',
      '"secrets": {}',
    ]);
    if (i === -1) return { kind: 'badPermissions', text: `{"coda":1,"metadata":{${value}},"cells":[]}`, mustRefuse: true };
    const at = i + '"metadata": {'.length;
    const rest = text.slice(at).trimStart();
    return { kind: 'badPermissions', text: insertAt(text, at, rest.startsWith('}') ? value : `${value},`), mustRefuse: true };
  },
};

function check(m: Mutated): string | undefined {
  const started = Date.now();
  let result;
  try {
    result = parseCoda(m.text);
  } catch (err) {
    return `threw ${(err as Error)?.name}: ${(err as Error)?.message?.slice(0, 200)}`;
  }
  const ms = Date.now() - started;
  if (ms > SLOW_PARSE_MS) return `took ${ms} ms`;
  if (!result.ok) {
    if (!result.problems.length) return 'refused without a problem';
    const bad = result.problems.find(
      (p) => !(Number.isInteger(p.line) && p.line >= 1 && Number.isInteger(p.column) && p.column >= 1 && typeof p.message === 'string' && p.message),
    );
    return bad ? `problem without a position: ${JSON.stringify(bad).slice(0, 200)}` : undefined;
  }
  if (m.mustRefuse) return 'accepted a file it must refuse';
  try {
    parsePermissions(result.doc.metadata.permissions);
    parseSecretNames(result.doc.metadata.secrets);
  } catch (err) {
    return `accepted metadata the runner cannot use: ${(err as Error).message}`;
  }
  let written: string;
  try {
    written = serializeCoda(result.doc);
  } catch (err) {
    return `accepted a notebook the writer cannot write: ${(err as Error).message}`;
  }
  const again = parseCoda(written);
  if (!again.ok) return `wrote a file it cannot read back: ${again.problems[0]?.message}`;
  // what was read is what is written: no value changes on the way (e.g. 1e999 read as Infinity, saved as null)
  const exact = (doc: unknown) => JSON.stringify(doc, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `non-finite ${v}` : v));
  return exact(again.doc) === exact(result.doc) ? undefined : 'a value changed between reading and writing';
}

function main(): void {
  const seed = Number(process.argv[2] ?? 1);
  const attempts = Number(process.argv[3] ?? 1000);
  const r = rng(seed);
  const sources = fixtures();
  const kinds = Object.keys(MUTATIONS);
  const crossings: string[] = [];
  const perKind: Record<string, number> = {};
  for (let n = 0; n < attempts; n++) {
    // every kind in turn, on a random fixture, sometimes stacked on top of a byte-level mutation
    const kind = kinds[n % kinds.length]!;
    let src = r.pick(sources);
    if (r.next() < 0.2) src = Buffer.from(MUTATIONS.byteFlip!(src, r).text);
    const m = MUTATIONS[kind]!(src, r);
    perKind[kind] = (perKind[kind] ?? 0) + 1;
    const crossing = check(m);
    if (crossing) crossings.push(`#${n} ${m.kind}: ${crossing}`);
  }
  process.stdout.write(`${JSON.stringify({ seed, attempts, perKind, crossings })}\n`);
}

main();
