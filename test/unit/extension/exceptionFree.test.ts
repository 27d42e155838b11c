import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, join } from 'node:path';
// @ts-expect-error: a build script (plain JavaScript, no declarations)
import { EXCEPTION_FREE as PATCHES, patchSource as patch } from '../../../scripts/exceptionFree.mjs';

/** The patches' shape (the script has no declarations). */
const EXCEPTION_FREE = PATCHES as { file: RegExp; from: string; to: string }[];
const patchSource = patch as (path: string, source: string) => string;

const ROOT = join(__dirname, '..', '..', '..');

/** Every file under node_modules a patch names (each copy npm nests). */
function patchedFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (!d.isDirectory()) continue;
      const path = join(dir, d.name);
      for (const sub of ['lib/parse-url.js', 'functions/parse.js']) {
        const file = join(path, sub);
        if (EXCEPTION_FREE.some((p) => p.file.test(file)) && safeRead(file) !== undefined) out.push(file);
      }
      if (depth < 6 && (d.name === 'node_modules' || d.name.startsWith('@') || dir.endsWith('node_modules'))) walk(path, depth + 1);
    }
  };
  walk(join(ROOT, 'node_modules'), 0);
  return out;
}

function safeRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The module at `file` compiled from `source`, beside the original (its own requires resolve as the original's). */
function compiled(file: string, source: string): unknown {
  const m = new Module(file) as Module & { _compile(code: string, filename: string): void; paths: string[] };
  m.filename = file;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  m._compile(source, file);
  return m.exports;
}

/** What calling `fn` gives: its value as `show` puts it, or the error it throws. */
function outcome(fn: () => unknown, show: (v: unknown) => unknown): unknown {
  try {
    return { value: show(fn()) };
  } catch (err) {
    return { threw: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

const SPECS = [
  '^4.17.21',
  '~1.2.3',
  '1.x',
  '>=2.0.0 <3',
  '*',
  '',
  ' ',
  'latest',
  '1.2.3',
  'v1.2.3',
  '=1.2.3',
  ' 1.2.3 ',
  '1.2',
  '01.2.3',
  '1.2.3-beta.1+build.5',
  '1.2.3.4',
  '99999999999999999999.0.0',
  `1.2.3-${'a'.repeat(300)}`,
  'npm/cli',
  'github:npm/cli#v10',
  'gitlab:a/b',
  'git+ssh://git@github.com:npm/cli.git#semver:^10',
  'git@github.com:npm/cli.git',
  'https://github.com/npm/cli/archive/v1.tar.gz',
  'http://exa mple.com/x',
  '//host/x',
  'file:../x',
  'foo:bar',
  'a@b:c/d',
  'http://[::1]:8080/p',
  'ünïcode/pkg',
];

describe('dependencies patched to answer without an exception (scripts/exceptionFree.mjs)', () => {
  const files = patchedFiles();

  it('each patch finds its piece in every copy of its dependency the tree holds', () => {
    for (const patch of EXCEPTION_FREE)
      assert.ok(
        files.some((f) => patch.file.test(f)),
        `no file for ${patch.file}`,
      );
    for (const file of files) assert.doesNotThrow(() => patchSource(file, readFileSync(file, 'utf8')), file);
  });

  it('a file that no longer holds the piece fails the build, naming it', () => {
    assert.throws(
      () => patchSource('/x/node_modules/semver/functions/parse.js', 'module.exports = () => null'),
      /semver[\\/]functions[\\/]parse\.js no longer holds/,
    );
  });

  it("hosted-git-info's URL parse answers as before for ranges, versions, git URLs and shorthands, with and without protocols", () => {
    for (const file of files.filter((f) => f.endsWith('parse-url.js'))) {
      const before = compiled(file, readFileSync(file, 'utf8')) as (u: string, p?: object) => URL | undefined;
      const after = compiled(file, patchSource(file, readFileSync(file, 'utf8'))) as typeof before;
      const protocols = { 'github:': {}, 'gitlab:': {}, 'git+ssh:': {}, 'https:': { auth: true }, 'http:': { auth: true } };
      for (const spec of SPECS)
        for (const p of [undefined, protocols]) {
          const show = (v: unknown) => (v instanceof URL ? v.href : v);
          assert.deepEqual(
            outcome(() => after(spec, p), show),
            outcome(() => before(spec, p), show),
            `${file}: ${JSON.stringify(spec)}`,
          );
        }
    }
  });

  it("semver's parse answers as before: the same version, null, or the same error, for every option", () => {
    for (const file of files.filter((f) => f.endsWith('parse.js') && !f.endsWith('parse-url.js'))) {
      type Parse = (v: unknown, o?: unknown, t?: boolean) => { version: string; loose: boolean } | null;
      const before = compiled(file, readFileSync(file, 'utf8')) as Parse;
      const after = compiled(file, patchSource(file, readFileSync(file, 'utf8'))) as Parse;
      const instance = before('1.2.3');
      const show = (v: unknown) => (v === null ? null : `${(v as { version: string }).version} loose=${(v as { loose: boolean }).loose}`);
      for (const input of [...SPECS, 1, null, undefined, {}, instance])
        for (const options of [undefined, true, { loose: true }, { includePrerelease: true }, {}])
          for (const throwErrors of [false, true])
            assert.deepEqual(
              outcome(() => after(input, options, throwErrors), show),
              outcome(() => before(input, options, throwErrors), show),
              `${file}: ${JSON.stringify(input)} ${JSON.stringify(options)} ${throwErrors}`,
            );
    }
  });
});
