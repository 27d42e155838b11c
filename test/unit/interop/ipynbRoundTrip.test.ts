/**
 * .ipynb ⇄ .coda: real notebooks written for Deno, tslab and ijavascript open as CodaJS documents (golden files),
 * and each direction of a round trip gives back everything both formats hold.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codaToIpynb, ipynbToCoda, serializeIpynb } from '../../../host/notebook/ipynb';
import { isJsonMime } from '../../../host/notebook/ipynbOutputs';
import type { IpynbNotebook } from '../../../host/notebook/ipynbTypes';
import { parseCoda, serializeCoda, type CodaDocument } from '../../../protocol';
import { matchGolden } from '../helpers/golden';
import { codaOnlyDocument, PNG_BASE64 } from './codaOnlyDocument';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'ipynb');
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.ipynb'))
  .sort();

function read(text: string): CodaDocument {
  const r = ipynbToCoda(text);
  if (!r.ok) assert.fail(`not read: ${JSON.stringify(r.problems)}`);
  assert.deepEqual(r.warnings, []);
  return r.doc;
}

const join1 = (s: unknown) => (Array.isArray(s) ? s.join('') : s);

/** Jupyter's own equivalences: a multiline string as one string, streams next to each other merged, keys sorted. */
function normalised(nb: IpynbNotebook): unknown {
  const cells = nb.cells.map((c) => {
    const out: Record<string, unknown> = { ...c, source: join1(c.source) };
    if (c.cell_type === 'code') {
      const outputs: Record<string, unknown>[] = [];
      for (const o of c.outputs) {
        const last = outputs[outputs.length - 1];
        if (o.output_type === 'stream' && last?.output_type === 'stream' && last.name === o.name) last.text = String(last.text) + join1(o.text);
        else if (o.output_type === 'stream') outputs.push({ ...o, text: join1(o.text) });
        else if ('data' in o) outputs.push({ ...o, data: Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, isJsonMime(k) ? v : join1(v)])) });
        else outputs.push({ ...o });
      }
      out.outputs = outputs;
    }
    return out;
  });
  return JSON.parse(serializeIpynb({ ...nb, cells } as unknown as IpynbNotebook));
}

/** Key order inside output data is the writer's; meaning is not. */
const sorted = (v: unknown): unknown => JSON.parse(serializeIpynb(v as IpynbNotebook));

describe('interop: .ipynb ⇄ .coda', () => {
  for (const file of fixtures) {
    describe(file, () => {
      const text = readFileSync(join(FIXTURES, file), 'utf8');
      const original = JSON.parse(text) as IpynbNotebook & { nbformat: number };

      it('opens as a CodaJS document that saves and reads back (golden)', () => {
        const coda = serializeCoda(read(text));
        matchGolden(`interop/${file.replace(/\.ipynb$/, '.coda')}`, coda);
        assert.ok(parseCoda(coda).ok, 'the converted notebook is a valid .coda file');
      });

      it('comes back from .coda with every cell, source, output and metadata it had', () => {
        const back = codaToIpynb(parseCoda(serializeCoda(read(text))).ok ? read(text) : assert.fail());
        if (original.nbformat === 4) assert.deepEqual(normalised(back), normalised(original));
        else {
          // nbformat 3 is written as 4: writing the upgraded notebook again changes nothing
          matchGolden(`interop/${file}`, serializeIpynb(back));
          assert.equal(serializeIpynb(codaToIpynb(read(serializeIpynb(back)))), serializeIpynb(back));
        }
      });
    });
  }

  it('a CodaJS notebook with every kind of output comes back from .ipynb as it was (golden .ipynb)', () => {
    const doc = codaOnlyDocument();
    const nb = codaToIpynb(doc);
    matchGolden('interop/coda-outputs.ipynb', serializeIpynb(nb));
    assert.deepEqual(sorted(read(serializeIpynb(nb))), sorted(doc));
  });

  for (const file of ['examples/tour.coda', 'test/golden/format/saved-outputs.coda', 'test/golden/format/normalised.coda']) {
    it(`${file} comes back from .ipynb as it was (keys of newer formats too)`, () => {
      const parsed = parseCoda(readFileSync(join(__dirname, '..', '..', '..', file), 'utf8'));
      assert.ok(parsed.ok);
      const back = read(serializeIpynb(codaToIpynb(parsed.doc)));
      // normalisations: the runtime is always named; CodaJS outputs get the text/plain sibling the extension writes
      const own = (doc: CodaDocument) => ({
        ...doc,
        metadata: { runtime: 'node', ...doc.metadata },
        cells: doc.cells.map((c) => ({
          ...c,
          ...(c.outputs ? { outputs: c.outputs.map((o) => ({ ...o, items: o.items.filter((i) => i.mime !== 'text/plain' || o.items.length === 1) })) } : {}),
        })),
      });
      assert.deepEqual(sorted(own(back)), sorted(own(parsed.doc)));
    });
  }

  it('writes outputs GitHub renders: console as streams, results as execute_result, errors with a traceback, display as display_data', () => {
    const nb = codaToIpynb(codaOnlyDocument());
    const [first, second] = nb.cells.filter((c) => c.cell_type === 'code');
    assert.ok(first?.cell_type === 'code' && second?.cell_type === 'code');
    assert.deepEqual(
      first.outputs.map((o) => o.output_type + ('name' in o ? `:${o.name}` : '')),
      ['stream:stdout', 'stream:stderr', 'stream:stdout', 'execute_result', 'display_data', 'display_data'],
    );
    // a display id travels in the output's metadata (nbformat has no room for Jupyter's own transient.display_id)
    assert.deepEqual(first.outputs[5], {
      output_type: 'display_data',
      data: { 'text/plain': ['progress 100%'] },
      metadata: { codajs: { displayId: 'progress' } },
    });
    assert.deepEqual(first.outputs[0], { output_type: 'stream', name: 'stdout', text: ['line 0\n', 'line 1\n', 'group\n', '  inside the group\n'] });
    assert.deepEqual(first.outputs[1], { output_type: 'stream', name: 'stderr', text: ['careful\n'] });
    const result = first.outputs[3]!;
    assert.deepEqual((first.outputs[4] as { data: unknown }).data, {
      'text/html': ['<b>hi</b>\n', '<i>there</i>'],
      'image/png': PNG_BASE64,
      'application/json': { a: [1, 2], b: { c: null } },
    });
    assert.ok(result.output_type === 'execute_result');
    assert.deepEqual(result.data['text/plain'], ['Map(1) {a => 1}']);
    assert.equal(result.execution_count, 4);
    const error = second.outputs[0]!;
    assert.ok(error.output_type === 'error');
    assert.deepEqual([error.ename, error.evalue], ['TypeError', 'Cannot read data.json']);
    assert.deepEqual(error.traceback, [
      'TypeError: Cannot read data.json',
      '    at load (cell[2]:3:7)',
      '    at ~/work/node_modules/x/index.js:1:1',
      'Caused by: Error: inner',
    ]);
    assert.equal(second.execution_count, null);
  });
});
