/**
 * CodaJS's own errors come from one catalogue (protocol/codaErrors.ts): no other file gives an error one of its names
 * as a literal (`name: 'KernelExited'`, `e.name = 'Cancelled'`) or recognises one by comparing names; code checks
 * `code` with isCodaError.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CODA_ERRORS } from '../../../protocol';
import { ROOT } from '../helpers/testKernel';

const SOURCE_FOLDERS = ['protocol', 'common', 'worker', 'host', 'installer', 'cli', 'extension', 'webview'];
const CATALOGUE = 'protocol/codaErrors.ts';
/**
 * Files another change is restructuring at the same time; they move to the catalogue when it lands (the list only
 * shrinks: a file here that no longer has a literal fails the test, so it is taken off).
 */
const PENDING = new Set<string>([]);

/** The catalogue's names, but not JavaScript's own (a sandbox limit is thrown into the cell as a RangeError). */
const NAMES = [...new Set(Object.values(CODA_ERRORS).map((e) => e.name))].filter((n) => !(n in globalThis));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'node_modules' ? [] : sources(path);
    return /\.(ts|mts|mjs)$/.test(d.name) && !d.name.endsWith('.d.ts') ? [path] : [];
  });
}

function literalNames(text: string): string[] {
  const alternatives = NAMES.join('|');
  const pattern = new RegExp(
    `\\bname\\s*(?::|=|===|!==|==|!=)\\s*['"\`](${alternatives})['"\`]|['"\`](${alternatives})['"\`]\\s*(?:===|!==)\\s*\\w*\\.?name\\b`,
    'g',
  );
  return [...text.matchAll(pattern)].map((m) => m[0]);
}

describe('one error catalogue (layout)', () => {
  const files = SOURCE_FOLDERS.flatMap((f) => sources(join(ROOT, f))).map((f) => relative(ROOT, f).split('\\').join('/'));

  it('the check knows the names it looks for', () => {
    assert.ok(NAMES.includes('KernelExited') && NAMES.includes('Cancelled') && !NAMES.includes('RangeError'));
    assert.deepEqual(literalNames(`x = { name: 'Cancelled', message }; if (e.name === "KernelGone") {}`), [`name: 'Cancelled'`, `name === "KernelGone"`]);
  });

  it('no file but the catalogue names a CodaJS error with a literal', () => {
    const found = files
      .filter((f) => f !== CATALOGUE && !PENDING.has(f))
      .flatMap((f) => literalNames(readFileSync(join(ROOT, f), 'utf8')).map((hit) => `${f}: ${hit}`));
    assert.deepEqual(found, [], 'create it with codaError()/codaErrorObject() and recognise it with isCodaError()');
  });

  it('the files left for later still have something to convert', () => {
    for (const f of PENDING) assert.notDeepEqual(literalNames(readFileSync(join(ROOT, f), 'utf8')), [], `${f} is converted: take it off PENDING`);
  });
});
