/**
 * Adversarial: the .coda reader under bad files (issue 11, item 15). A seeded random mutator over the fixtures
 * (readerFuzz.ts, in its own process so a hang fails the test instead of freezing it), then the crafted files an
 * attacker would hand to `coda run`: each must exit 2 naming line and column, and leave the file as it was.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../helpers/testKernel';

const CLI = join(ROOT, 'dist', 'cli.js');
const FUZZ = join(__dirname, 'readerFuzz.ts');
/** Seeds and attempts per seed: every mutation kind about 80 times per seed, in well under a minute. */
const SEEDS = [11, 2026];
const ATTEMPTS_PER_SEED = 600;
const FUZZ_TIMEOUT_MS = 150_000;

let attempts = 0;
const crossings: string[] = [];

function coda(file: string) {
  const r = spawnSync(process.execPath, [CLI, 'run', file], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const notebook = (metadata: string, cells = '[]') => `{\n  "coda": 1,\n  "metadata": ${metadata},\n  "cells": ${cells}\n}\n`;
const CELL = '[{ "kind": "code", "language": "javascript", "source": ["console.log(\\"cell ran\\")"] }]';

/** Files `coda run` must refuse (exit 2, a position in the message, nothing run, file unchanged). */
const REFUSED: { name: string; text: string; position: RegExp }[] = [
  // the example: a second "permissions" that would widen the first
  {
    name: 'second-permissions',
    text: notebook('{\n    "permissions": { "net": [] },\n    "permissions": { "net": ["*"], "run": ["*"] }\n  }', CELL),
    position: /:5:5: Duplicate key "permissions": first at line 4, column 5/,
  },
  {
    name: 'escaped-duplicate',
    text: notebook('{\n    "permissions": { "net": [] },\n    "permiss\\u0069ons": { "net": ["*"] }\n  }', CELL),
    position: /:5:5: Duplicate key "permissions": first at line 4, column 5/,
  },
  { name: 'misspelt-permissions', text: notebook('{ "Permissions": { "net": [] } }', CELL), position: /:3:17: "Permissions" is not "permissions"/ },
  {
    name: 'duplicate-in-permissions',
    text: notebook('{ "permissions": { "run": ["git"], "run": ["*"] } }', CELL),
    position: /:3:50: Duplicate key "run": first at line 3, column 34/,
  },
  {
    name: 'duplicate-cell-source',
    text: notebook('{}', '[{ "kind": "code", "language": "javascript", "source": ["1"], "source": ["console.log(\\"cell ran\\")"] }]'),
    position: /:4:74: Duplicate key "source": first at line 4, column 57/,
  },
  {
    name: 'duplicate-top-metadata',
    text: `{"coda":1,"metadata":{"permissions":{}},"cells":${CELL},\n"metadata":{}}`,
    position: /:2:1: Duplicate key "metadata": first at line 1, column 11/,
  },
  { name: 'deep-nesting', text: notebook(`{ "x": ${'['.repeat(50_000)}${']'.repeat(50_000)} }`, CELL), position: /:3:\d+: Nested more than 1000 levels deep/ },
  { name: 'deep-unclosed', text: `{"coda":1,"cells":${'{"a":'.repeat(100_000)}`, position: /:1:\d+: Nested more than 1000 levels deep/ },
  { name: 'empty', text: '', position: /:1:1: The file is empty/ },
  { name: 'blank', text: ' \n\t\n', position: /:1:1: The file is blank/ },
  { name: 'bom-only', text: '\ufeff', position: /:1:1: The file is empty/ },
  { name: 'unknown-capability', text: notebook('{ "permissions": { "netz": ["*"] } }', CELL), position: /:3:34: "netz" is not a capability/ },
  { name: 'permissions-string', text: notebook('{ "permissions": "none" }', CELL), position: /:3:32: "permissions" must be an object/ },
  { name: 'permissions-null', text: notebook('{ "permissions": null }', CELL), position: /:3:32: "permissions" must be an object/ },
  { name: 'net-not-list', text: notebook('{ "permissions": { "net": "api.example.com" } }', CELL), position: /:3:41: "net" must be a list of strings/ },
  {
    name: 'non-string-entry',
    text: notebook('{ "permissions": { "read": [".", {"path": "/"}] } }', CELL),
    position: /:3:48: each entry of "read" must be a non-empty string/,
  },
  { name: 'secret-not-env-name', text: notebook('{ "secrets": ["API KEY"] }', CELL), position: /:3:29: "API KEY" is not an environment variable name/ },
  { name: 'secret-number', text: notebook('{ "secrets": ["OK_NAME", 42] }', CELL), position: /:3:40: a number is not an environment variable name/ },
  { name: 'secrets-object', text: notebook('{ "secrets": { "API_KEY": "value" } }', CELL), position: /:3:28: "secrets" must be a list/ },
];

describe('adversarial: the .coda reader', function () {
  this.timeout(FUZZ_TIMEOUT_MS * SEEDS.length + 120_000);

  after(() => {
    console.log(`reader: ${attempts} attempts, ${crossings.length} crossings`);
  });

  for (const seed of SEEDS) {
    it(`fuzzing (seed ${seed}): every mutated file is a notebook or problems with line and column, never a throw or a hang`, () => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', FUZZ, String(seed), String(ATTEMPTS_PER_SEED)], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: FUZZ_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(r.error, undefined, `the fuzzer hung or failed to start: ${r.error?.message}`);
      assert.equal(r.status, 0, r.stderr);
      const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as { attempts: number; crossings: string[]; perKind: Record<string, number> };
      attempts += result.attempts;
      crossings.push(...result.crossings);
      assert.equal(result.attempts, ATTEMPTS_PER_SEED);
      assert.ok(Object.keys(result.perKind).length >= 12, 'every kind of mutation ran');
      assert.deepEqual(result.crossings, []);
    });
  }

  it('coda run refuses each crafted file with exit 2, line and column, runs nothing and leaves the file as it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coda-reader-'));
    const failures: string[] = [];
    for (const c of REFUSED) {
      const file = join(dir, `${c.name}.coda`);
      writeFileSync(file, c.text);
      const r = coda(file);
      attempts++;
      const why =
        r.code !== 2
          ? `exit ${r.code}`
          : !c.position.test(r.stderr)
            ? `no position: ${r.stderr.slice(0, 300)}`
            : /cell ran/.test(r.stdout)
              ? 'a cell ran'
              : readFileSync(file, 'utf8') !== c.text
                ? 'file changed'
                : '';
      if (why) failures.push(`${c.name}: ${why}`);
    }
    crossings.push(...failures);
    assert.deepEqual(failures, []);
  });

  it('coda run reads a notebook saved with a UTF-8 byte order mark', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'coda-reader-')), 'bom.coda');
    writeFileSync(file, `\ufeff${notebook('{}', CELL)}`);
    const r = coda(file);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cell ran/);
  });
});
