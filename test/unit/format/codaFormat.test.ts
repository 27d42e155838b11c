import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cellText, emptyCodaDocument, MAX_PROBLEMS, parseCoda, serializeCoda, sourceLines } from '../../../protocol/codaFormat';
import { MAX_NESTING_DEPTH } from '../../../protocol/codaJsonChecks';
import { matchGolden } from '../helpers/golden';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'format');

describe('.coda format', () => {
  it('round-trips canonical files byte for byte', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.startsWith('canonical-'));
    assert.ok(files.length >= 3);
    for (const f of files) {
      const text = readFileSync(join(FIXTURES, f), 'utf8');
      const parsed = parseCoda(text);
      assert.ok(parsed.ok, `${f}: ${JSON.stringify(!parsed.ok && parsed.problems)}`);
      assert.equal(serializeCoda(parsed.doc), text, f);
    }
  });

  it('stores sources one line per element, so an edit is a one-line diff', () => {
    const doc = emptyCodaDocument();
    doc.cells.push({ kind: 'code', language: 'javascript', source: sourceLines('const a = 1;\nconst b = 2;\n') });
    const before = serializeCoda(doc).split('\n');
    doc.cells[0]!.source = sourceLines('const a = 1;\nconst b = 3;\n');
    const after = serializeCoda(doc).split('\n');
    assert.equal(before.filter((l, i) => l !== after[i]).length, 1);
    assert.equal(cellText(doc.cells[0]!), 'const a = 1;\nconst b = 3;\n');
  });

  it('normalises key order and keeps unknown keys', () => {
    const parsed = parseCoda(
      '{"cells":[{"source":["x"],"future":1,"language":"javascript","kind":"code"}],"extra":true,"metadata":{"z":1,"runtime":"node"},"coda":1}',
    );
    assert.ok(parsed.ok);
    matchGolden('format/normalised.coda', serializeCoda(parsed.doc));
  });

  it('refuses an empty or blank file (a truncated notebook must not pass as one with no cells), and reads a source string as lines', () => {
    for (const text of ['', '  \n', '\ufeff', '\t\r\n']) {
      const r = parseCoda(text);
      assert.equal(r.ok, false, JSON.stringify(text));
      assert.deepEqual(!r.ok && [r.problems[0]!.line, r.problems[0]!.column], [1, 1]);
    }
    const p = parseCoda('{"coda":1,"cells":[{"kind":"code","language":"javascript","source":"a\\nb"}]}');
    assert.ok(p.ok && p.doc.cells[0]!.source.length === 2);
  });

  it('accepts a UTF-8 byte order mark, and counts columns from after it', () => {
    const text = readFileSync(join(FIXTURES, 'canonical-tour.coda'), 'utf8');
    const parsed = parseCoda(`\ufeff${text}`);
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.problems));
    assert.equal(serializeCoda(parsed.doc), text, 'saved without the mark');
    const bad = parseCoda('\ufeff{"coda":1,"cells":7}');
    assert.deepEqual(!bad.ok && bad.problems.map((q) => [q.line, q.column, q.path]), [[1, 19, 'cells']]);
  });

  it('refuses a duplicate key at every level, naming both lines', () => {
    const r = parseCoda(readFileSync(join(FIXTURES, 'broken-duplicate-permissions.coda'), 'utf8'));
    assert.ok(!r.ok);
    assert.equal(r.problems.length, 1);
    assert.deepEqual([r.problems[0]!.line, r.problems[0]!.column, r.problems[0]!.path], [6, 5, 'metadata.permissions']);
    assert.match(r.problems[0]!.message, /Duplicate key "permissions": first at line 4, column 5/);
    const levels = parseCoda(readFileSync(join(FIXTURES, 'broken-duplicate-levels.coda'), 'utf8'));
    assert.deepEqual(!levels.ok && levels.problems.map((q) => q.path), ['metadata.permissions.net', 'cells[0].source', 'metadata']);
    // deep inside outputs and unknown keys too: every object of the file
    const deep = parseCoda('{"coda":1,"cells":[],"x":{"y":[{"z":1,"z":2}]}}');
    assert.deepEqual(!deep.ok && deep.problems.map((q) => q.path), ['x.y[0].z']);
  });

  it('refuses nesting thousands deep with a position instead of overflowing the stack', () => {
    for (const depth of [MAX_NESTING_DEPTH + 1, 5_000, 200_000]) {
      const text = `{"coda":1,"cells":[],"deep":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const r = parseCoda(text);
      assert.ok(!r.ok, `depth ${depth}`);
      assert.deepEqual([r.problems[0]!.line, r.problems[0]!.column], [1, 29 + MAX_NESTING_DEPTH - 1]);
      assert.match(r.problems[0]!.message, /Nested more than 1000 levels deep/);
    }
    // brackets in strings do not count, and a string ends at a line break as the parser ends it
    const inString = `{"coda":1,"cells":[],"s":"${'['.repeat(5000)}"}`;
    assert.ok(parseCoda(inString).ok);
    const broken = parseCoda(`{"coda":1,"cells":[],"s":"abc\n${'['.repeat(5000)}`);
    assert.ok(!broken.ok && /Nested more than/.test(broken.problems[0]!.message));
    // and the writer never produces a file the reader refuses
    const doc = emptyCodaDocument();
    let v: unknown = 1;
    for (let i = 0; i < MAX_NESTING_DEPTH + 5; i++) v = [v];
    doc.metadata.deep = v;
    assert.throws(() => serializeCoda(doc), /cannot be saved: a value in it is nested more than 1000 levels deep/);
  });

  it('refuses invalid permissions and secrets entry by entry, with line and column', () => {
    const r = parseCoda(readFileSync(join(FIXTURES, 'broken-permissions.coda'), 'utf8'));
    assert.ok(!r.ok);
    assert.deepEqual(
      r.problems.map((q) => `${q.line}:${q.column} ${q.path}`),
      [
        '5:14 metadata.permissions.net',
        '6:26 metadata.permissions.read[1]',
        '6:30 metadata.permissions.read[2]',
        '7:7 metadata.permissions.launch',
        '9:28 metadata.secrets[1]',
        '9:42 metadata.secrets[2]',
        '9:45 metadata.secrets[3]',
      ],
    );
    const n = parseCoda(readFileSync(join(FIXTURES, 'broken-permissions-null.coda'), 'utf8'));
    assert.deepEqual(!n.ok && n.problems.map((q) => q.path), ['metadata.permissions', 'metadata.secrets']);
    assert.ok(parseCoda('{"coda":1,"metadata":{"permissions":{},"secrets":[]},"cells":[]}').ok, 'nothing granted is valid');
    // a misspelt declaration would be kept as an unknown key and ignored: the notebook would run unrestricted
    const typo = parseCoda('{"coda":1,"metadata":{"Permissions":{"net":[]},"permission":{},"SECRETS":["A"],"secret":[]},"cells":[]}');
    assert.deepEqual(!typo.ok && typo.problems.map((q) => [q.column, q.path]), [
      [23, 'metadata.Permissions'],
      [48, 'metadata.permission'],
      [64, 'metadata.SECRETS'],
      [80, 'metadata.secret'],
    ]);
    assert.match(!typo.ok ? typo.problems[0]!.message : '', /"Permissions" is not "permissions": spelt this way it would be ignored/);
  });

  it('refuses a number too large to read instead of saving it back as null', () => {
    const r = parseCoda('{"coda":1,"metadata":{"x":1e999,"y":[-1e400]},"cells":[]}');
    assert.deepEqual(!r.ok && r.problems.map((q) => [q.line, q.column, q.message]), [
      [1, 27, 'The number 1e999 is too large to read (it would be saved as null)'],
      [1, 38, 'The number -1e400 is too large to read (it would be saved as null)'],
    ]);
    assert.ok(parseCoda('{"coda":1,"metadata":{"x":1.7976931348623157e308,"y":1e-999},"cells":[]}').ok, 'the largest double and underflow to 0 are fine');
  });

  it('reports at most MAX_PROBLEMS problems, quickly, and says how many more there were', () => {
    const cells = Array.from({ length: 50_000 }, () => '{"kind":"code","language":"python","source":[]}').join(',\n');
    const started = Date.now();
    const r = parseCoda(`{"coda":1,"cells":[\n${cells}]}`);
    assert.ok(Date.now() - started < 5_000, 'no quadratic position lookups');
    assert.ok(!r.ok);
    assert.equal(r.problems.length, MAX_PROBLEMS + 1);
    assert.match(r.problems[MAX_PROBLEMS]!.message, /and 49980 more problems/);
  });

  it('reports the first five syntax errors of a file that is not JSON, and stops reading there', () => {
    // after each error the parser recovers and reads on: five million stray commas took ~6 s to report the first five
    const r = parseCoda(`{"coda":1,${','.repeat(5_000_000)}"cells":[]}`);
    assert.ok(!r.ok);
    assert.deepEqual(
      r.problems.map((p) => `${p.line}:${p.column} ${p.message}`),
      [11, 11, 12, 12, 13].map((column, i) => `1:${column} Invalid JSON: ${i % 2 ? 'value' : 'property name'} expected`),
    );
    const started = Date.now();
    parseCoda(`[${',x'.repeat(3_000_000)}]`);
    assert.ok(Date.now() - started < 2_000, 'the parse ends at the fifth error');
  });

  it('names the line, column and field of every problem', () => {
    const cases = readdirSync(FIXTURES)
      .filter((f) => f.startsWith('broken-'))
      .sort();
    const report = cases.map((f) => {
      const r = parseCoda(readFileSync(join(FIXTURES, f), 'utf8'));
      assert.equal(r.ok, false, `${f} should not parse`);
      return `${f}\n${(r as { problems: { line: number; column: number; path?: string; message: string }[] }).problems.map((p) => `  ${p.line}:${p.column} ${p.path ?? ''} — ${p.message}`).join('\n')}`;
    });
    matchGolden('format/problems.txt', `${report.join('\n')}\n`);
  });
});

describe('the runtime a notebook names', () => {
  const doc = (runtime: string) => JSON.stringify({ coda: 1, metadata: { runtime }, cells: [] });
  it('accepts the names users see, and "isolate" from files written before the sandbox had its name', () => {
    for (const name of ['node', 'deno', 'bun', 'sandbox', 'isolate']) assert.equal(parseCoda(doc(name)).ok, true, name);
  });
  it('refuses any other name with the names it accepts', () => {
    const r = parseCoda(doc('isolated'));
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.problems[0]!.message, /"node", "deno", "bun", "sandbox"/);
  });
});
