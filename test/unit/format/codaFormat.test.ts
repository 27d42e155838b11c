import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cellText, emptyCodaDocument, parseCoda, serializeCoda, sourceLines } from '../../../protocol/codaFormat';
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
    const parsed = parseCoda('{"cells":[{"source":["x"],"future":1,"language":"javascript","kind":"code"}],"extra":true,"metadata":{"z":1,"runtime":"node"},"coda":1}');
    assert.ok(parsed.ok);
    matchGolden('format/normalised.coda', serializeCoda(parsed.doc));
  });

  it('reads an empty file as an empty notebook, and a source string as lines', () => {
    assert.deepEqual(parseCoda('  \n'), { ok: true, doc: emptyCodaDocument() });
    const p = parseCoda('{"coda":1,"cells":[{"kind":"code","language":"javascript","source":"a\\nb"}]}');
    assert.ok(p.ok && p.doc.cells[0]!.source.length === 2);
  });

  it('names the line, column and field of every problem', () => {
    const cases = readdirSync(FIXTURES).filter((f) => f.startsWith('broken-')).sort();
    const report = cases.map((f) => {
      const r = parseCoda(readFileSync(join(FIXTURES, f), 'utf8'));
      assert.equal(r.ok, false, `${f} should not parse`);
      return `${f}\n${(r as { problems: { line: number; column: number; path?: string; message: string }[] }).problems.map((p) => `  ${p.line}:${p.column} ${p.path ?? ''} — ${p.message}`).join('\n')}`;
    });
    matchGolden('format/problems.txt', `${report.join('\n')}\n`);
  });
});
