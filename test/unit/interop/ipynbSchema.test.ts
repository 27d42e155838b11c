/**
 * What CodaJS writes is a valid Jupyter notebook: every export is checked against nbformat's own JSON schema
 * (test/fixtures/ipynb/schema, from jupyter/nbformat), so Jupyter, nbviewer and GitHub open it.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { codaToIpynb, ipynbToCoda } from '../../../host/notebook/ipynb';
import { codaOnlyDocument } from './codaOnlyDocument';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'ipynb');

/** nbformat's schemas are draft-04; the keywords they use read the same in Ajv once `$schema` is dropped. */
function validator(minor: number): ValidateFunction {
  const schema = JSON.parse(readFileSync(join(FIXTURES, 'schema', `nbformat.v4.${minor}.schema.json`), 'utf8')) as Record<string, unknown>;
  delete schema.$schema;
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

describe("interop: exported notebooks pass nbformat's schema", () => {
  const validators = new Map([2, 5].map((m) => [m, validator(m)]));
  const check = (nb: unknown) => {
    const minor = (nb as { nbformat_minor: number }).nbformat_minor;
    const validate = validators.get(minor >= 5 ? 5 : 2)!;
    assert.ok(validate(JSON.parse(JSON.stringify(nb))), JSON.stringify(validate.errors?.slice(0, 3)));
  };

  it('the schema refuses what CodaJS must never write (so the check can fail)', () => {
    const nb = codaToIpynb(codaOnlyDocument()) as unknown as { cells: { outputs?: { traceback?: unknown }[] }[] };
    nb.cells[2]!.outputs![0]!.traceback = 'one string';
    assert.throws(() => check(nb));
  });

  it('a CodaJS notebook with every kind of output', () => check(codaToIpynb(codaOnlyDocument())));

  for (const file of readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.ipynb'))
    .sort()) {
    it(`${file} after a round trip through .coda`, () => {
      const r = ipynbToCoda(readFileSync(join(FIXTURES, file), 'utf8'));
      assert.ok(r.ok);
      check(codaToIpynb(r.doc));
    });
  }
});
