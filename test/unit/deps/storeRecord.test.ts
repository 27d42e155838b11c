/** The store's own record of its lock (host/deps/storeRecord.ts): keyed by the dependency set, never by locale. */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeDependencies } from '../../../host/deps/analyzeDependencies';
import { dependencyKey, recordedLock, recordLock } from '../../../host/deps/storeRecord';

const LOCK = { 'node_modules/a-b': { version: '1.0.0', resolved: 'https://r/a-b.tgz', integrity: 'sha512-AA==' } };

/** Runs `run` with `localeCompare` throwing: what it does must not load ICU's collator (~8 ms at first use). */
async function withoutLocaleCompare<T>(run: () => Promise<T> | T): Promise<T> {
  const real = Object.getOwnPropertyDescriptor(String.prototype, 'localeCompare')!;
  Object.defineProperty(String.prototype, 'localeCompare', {
    ...real,
    value() {
      throw new Error('localeCompare called');
    },
  });
  try {
    return await run();
  } finally {
    Object.defineProperty(String.prototype, 'localeCompare', real);
  }
}

describe("the store's record of its lock (host/deps/storeRecord)", () => {
  let store: string;
  beforeEach(() => (store = mkdtempSync(join(tmpdir(), 'coda-record-'))));
  afterEach(() => rmSync(store, { recursive: true, force: true }));

  it('keys a dependency set in any order, without a locale: `a-b` before `a_b`, a scope first', async () => {
    const deps = { a_b: '*', zod: '^3', '@types/node': '*', 'a-b': '1' };
    const key = await withoutLocaleCompare(() => dependencyKey(deps, 'none'));
    assert.equal(dependencyKey({ 'a-b': '1', zod: '^3', a_b: '*', '@types/node': '*' }, 'none'), key);
    const sorted = [
      ['@types/node', '*'],
      ['a-b', '1'],
      ['a_b', '*'],
      ['zod', '^3'],
    ];
    assert.equal(
      key,
      createHash('sha256')
        .update(JSON.stringify([sorted, 'none']))
        .digest('hex'),
    );
    assert.notEqual(dependencyKey(deps, 'all'), key, 'the script mode is part of the key');
    assert.notEqual(dependencyKey({ ...deps, zod: '^4' }, 'none'), key, 'a range is part of the key');
  });

  it('gives back the lock recorded for exactly this set and script mode, and nothing for another', async () => {
    await recordLock(store, { 'a-b': '1' }, 'none', LOCK);
    assert.deepEqual(await withoutLocaleCompare(() => recordedLock(store, { 'a-b': '1' }, 'none')), LOCK);
    assert.equal(await recordedLock(store, { 'a-b': '2' }, 'none'), undefined);
    assert.equal(await recordedLock(store, { 'a-b': '1' }, 'all'), undefined);
    assert.equal(await recordedLock(join(store, 'absent'), { 'a-b': '1' }, 'none'), undefined);
  });

  it("a notebook's packages are found and listed without a locale comparison", async () => {
    const analysis = await withoutLocaleCompare(() =>
      analyzeDependencies([{ cellId: 'c1', code: "import z from 'zod';\nconst l = require('lodash');\n// @coda-dep @types/node@^20 a_b" }]),
    );
    assert.deepEqual(
      analysis.specs.map((s) => s.name),
      ['@types/node', 'a_b', 'lodash', 'zod'],
    );
  });
});
