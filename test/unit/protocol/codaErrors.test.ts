/**
 * The error catalogue: every entry reads as a sentence, factories fill every placeholder, codes are unique and stable,
 * and an error is recognised by its code after crossing a process (a JSON round trip), whatever its words say.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  asCodaError,
  CODA_ERRORS,
  CodaError,
  codaError,
  codaErrorMessage,
  codaErrorObject,
  isCodaError,
  isCodaErrorCode,
  setCodaErrorTranslator,
  toSerializedError,
  type CodaErrorCode,
} from '../../../protocol';
import { ROOT } from '../helpers/testKernel';

const codes = Object.keys(CODA_ERRORS) as CodaErrorCode[];
const placeholders = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);

describe('error catalogue', () => {
  it('every entry has a name and a message; placeholders are plain names and braces are used for nothing else', () => {
    for (const code of codes) {
      const { name, message } = CODA_ERRORS[code];
      assert.match(name, /^[A-Z][A-Za-z]+$/, code);
      assert.ok(message.length > 0, code);
      assert.equal(message.replace(/\{\w+\}/g, '').search(/[{}]/), -1, `${code}: a brace that is not a placeholder`);
    }
  });

  it('docs/errors.md lists every code with the name it shows', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
    for (const code of codes) {
      const row = doc.split('\n').find((l) => l.startsWith('|') && l.split('|')[1]!.includes(`\`${code}\``));
      assert.ok(row, `docs/errors.md has no row for ${code}`);
      assert.equal(row.split('|')[2]!.trim(), CODA_ERRORS[code].name, `docs/errors.md: the name ${code} shows`);
    }
  });

  it('codes are unique words, distinct from one another case-insensitively', () => {
    assert.equal(new Set(codes.map((c) => c.toLowerCase())).size, codes.length);
    for (const code of codes) assert.match(code, /^[A-Z][A-Za-z]+$/);
  });

  it('factories fill every placeholder, and the error carries its code and the name users see', () => {
    for (const code of codes) {
      const params = Object.fromEntries(placeholders(CODA_ERRORS[code].message).map((p) => [p, `<${p}>`]));
      const e = (codaError as (c: CodaErrorCode, p: Record<string, string>) => ReturnType<typeof codaError>)(code, params);
      assert.equal(e.code, code);
      assert.equal(e.name, CODA_ERRORS[code].name);
      assert.doesNotMatch(e.message, /\{\w+\}/, `${code}: ${e.message}`);
      for (const p of Object.keys(params)) assert.ok(e.message.includes(`<${p}>`), `${code} lost {${p}}`);
    }
    assert.equal(codaError('Cancelled', { what: 'Installing left-pad' }).message, 'Installing left-pad was cancelled.');
    assert.equal(codaError('Interrupted').message, 'The cell was interrupted.');
  });

  it('params are typed from the template (checked by tsc -b)', () => {
    // @ts-expect-error: Cancelled needs {what}
    assert.match(codaError('Cancelled').message, /\{what\} was cancelled/);
    // @ts-expect-error: Interrupted takes no params
    assert.equal(codaError('Interrupted', { what: 'x' }).code, 'Interrupted');
    // @ts-expect-error: not a catalogue code
    assert.ok(!isCodaError({}, 'NoSuchCode'));
  });

  it('a value that looks like a placeholder is not filled again', () => {
    assert.equal(codaErrorMessage('Cancelled', { what: '{what}' }), '{what} was cancelled.');
  });

  it('the predicate reads the code after a JSON round trip, not the name or the words', () => {
    const wire = JSON.parse(JSON.stringify(codaError('KernelExited', { reason: 'The kernel ran out of memory.' }))) as unknown;
    assert.ok(isCodaError(wire));
    assert.ok(isCodaError(wire, 'KernelExited'));
    assert.ok(!isCodaError(wire, 'KernelGone'));
    // same name and words, no code: not recognised
    assert.ok(!isCodaError({ name: 'KernelExited', message: 'The kernel ran out of memory.' }, 'KernelExited'));
    // a user's Error that happens to carry a matching `code` is not CodaJS's
    assert.ok(!isCodaError(Object.assign(new Error('x'), { code: 'Cancelled' }), 'Cancelled'));
    assert.ok(!isCodaError(null) && !isCodaError('Cancelled') && !isCodaError({ code: 'NoSuchCode' }));
    assert.ok(isCodaErrorCode('PermissionDenied') && !isCodaErrorCode('toString'));
  });

  it('a thrown CodaError keeps its code through toSerializedError and back', () => {
    const thrown = codaErrorObject('PackageNotFound', { pkg: 'nope', registry: 'https://registry.example' });
    assert.ok(thrown instanceof Error && thrown instanceof CodaError);
    assert.equal(thrown.name, 'PackageNotFound');
    const wire = JSON.parse(JSON.stringify(toSerializedError(thrown))) as unknown;
    assert.ok(isCodaError(wire, 'PackageNotFound'));
    assert.deepEqual(asCodaError(thrown), { name: 'PackageNotFound', message: thrown.message, code: 'PackageNotFound' });
    // a user's error serialized the same way gets no code
    assert.equal(toSerializedError(Object.assign(new Error('x'), { code: 'Cancelled' })).code, undefined);
    assert.equal(asCodaError(new Error('x')), undefined);
  });

  it('a process translator words the templates (named arguments), and a failing one falls back to English', () => {
    const restore = setCodaErrorTranslator((template, params) => `[fr] ${template.replace('{what}', String(params.what))}`);
    try {
      assert.equal(codaError('Cancelled', { what: 'X' }).message, '[fr] X was cancelled.');
    } finally {
      restore();
    }
    assert.equal(codaError('Cancelled', { what: 'X' }).message, 'X was cancelled.');
    const restoreBroken = setCodaErrorTranslator(() => {
      throw new Error('no bundle');
    });
    try {
      assert.equal(codaError('Cancelled', { what: 'X' }).message, 'X was cancelled.');
    } finally {
      restoreBroken();
    }
  });
});
