/**
 * Package resolution for Deno and Bun kernels (worker/sidecar/resolvePackage.ts) against Node's own: each
 * fixture package is resolved by resolvePackage and by `import.meta.resolve` in a child `node` run with the
 * same conditions (-C deno / -C bun), and the answers must agree, errors included.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolvePackage } from '../../../worker/sidecar/resolvePackage';
import { requireRuntimes, runtimeBinary } from '../../runtimeBinaries';
import { startKernel, type TestKernel } from '../helpers/testKernel';

type Json = string | null | Json[] | { [key: string]: Json };

/** Conditions the sidecar passes for each runtime (worker/sidecar/sidecarModules.ts). */
const conditionsOf = (kind: 'deno' | 'bun') => [kind, 'import', 'module', 'node', 'default'];

/** Packages by name: their `exports` and the files that exist in them. */
const PACKAGES: Record<string, { exports: Json; files: string[] }> = {
  // most specific pattern: the longer text before `*` wins, whatever the key order and key length
  specific: {
    exports: { './a/*.js': './one/*.js', './a/b/*': './two/*', './x/*': './xs/*.js', './x/y*': './xy/*.js' },
    files: ['one/b/c.js', 'two/c.js', 'one/z.js', 'xs/yes.js', 'xy/es.js', 'xs/no.js'],
  },
  specificReversed: { exports: { './a/b/*': './two/*', './a/*.js': './one/*.js' }, files: ['one/b/c.js', 'two/c.js'] },
  // null excludes, as an exact key, a more specific pattern, or a condition's value
  excludes: {
    exports: {
      '.': './index.js',
      './*': './src/*.js',
      './internal/*': null,
      './secret': null,
      './cond': { deno: null, bun: './cond-bun.js', default: './cond.js' },
    },
    files: ['index.js', 'src/util.js', 'src/internal/x.js', 'src/secret.js', 'cond.js', 'cond-bun.js'],
  },
  conditions: {
    exports: {
      '.': { bun: './bun.js', deno: './deno.js', require: './cjs.cjs', import: './esm.mjs', default: './def.js' },
      './plain': { require: './cjs.cjs', default: './def.js' },
    },
    files: ['bun.js', 'deno.js', 'cjs.cjs', 'esm.mjs', 'def.js'],
  },
  nested: {
    exports: {
      '.': { node: { require: './c.cjs' }, default: './d.js' },
      './both': { node: { import: './n.mjs', require: './c.cjs' } },
      './none': { node: { require: './c.cjs' } },
    },
    files: ['c.cjs', 'd.js', 'n.mjs'],
  },
  arrays: {
    exports: {
      '.': ['https://example.com/x.js', './ok.js'],
      './cond': [{ worker: './w.js' }, './fallback.js'],
      './null': [null, './after.js'],
      './bad': ['../outside.js'],
    },
    files: ['ok.js', 'w.js', 'fallback.js', 'after.js'],
  },
  patterns: {
    exports: { './features/*.js': './src/features/*.js', './twice/*': './lib/*/*.js', './pkg.json': './package.json' },
    files: ['src/features/x.js', 'src/features/a/b.js', 'lib/m/m.js'],
  },
  sugar: { exports: './main.js', files: ['main.js'] },
  sugarConditions: { exports: { import: './m.mjs', default: './d.js' }, files: ['m.mjs', 'd.js'] },
  escapes: {
    exports: { './*': './*', './up': './../outside.js', './deep': './lib/../../outside.js', './nm': './node_modules/dep/x.js' },
    files: ['ok.js', 'node_modules/dep/x.js'],
  },
  imported: { exports: { '.': './i.js' }, files: ['i.js'] },
};

/** The notebook folder's own package.json `imports`. */
const IMPORTS: Json = {
  '#int': './lib/int.js',
  '#cond': { deno: './lib/d.js', default: './lib/def.js' },
  '#pat/*': './lib/pat/*.js',
  '#dep': 'imported',
  '#dep/*': 'patterns/features/*.js',
  '#none': null,
  '#up': '../outside.js',
};
const OWN_FILES = ['lib/int.js', 'lib/d.js', 'lib/def.js', 'lib/pat/p.js'];

/** Specifiers asked of both resolvers, per group. */
const GROUPS: Record<string, string[]> = {
  'the most specific pattern wins': ['specific/a/b/c.js', 'specific/a/z.js', 'specific/x/yes', 'specific/x/no', 'specificReversed/a/b/c.js'],
  'null excludes a subpath, and the package found first decides': ['excludes', 'excludes/util', 'excludes/internal/x', 'excludes/secret', 'excludes/cond'],
  'conditions, nested conditions and arrays follow the package key order': [
    'conditions',
    'conditions/plain',
    'nested',
    'nested/both',
    'nested/none',
    'arrays',
    'arrays/cond',
    'arrays/null',
    'arrays/bad',
  ],
  'subpath patterns, sugar, and paths that are not exported': [
    'patterns/features/x.js',
    'patterns/features/a/b.js',
    'patterns/twice/m',
    'patterns/features/x',
    'patterns/pkg.json',
    'sugar',
    'sugar/main.js',
    'sugarConditions',
    'imported/package.json',
  ],
  'no target or * match leaves the package': [
    'escapes/ok.js',
    'escapes/../outside.js',
    'escapes/x/../../outside.js',
    'escapes/node_modules/dep/x.js',
    'escapes/%2e%2e/outside.js',
    'escapes/up',
    'escapes/deep',
    'escapes/nm',
  ],
  'package imports (#name) from the notebook folder': ['#int', '#cond', '#pat/p', '#dep', '#dep/x', '#none', '#missing', '#up', '#', '#/x'],
};

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function makeFixture(): string {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'coda-resolve-')));
  write(join(root, 'package.json'), JSON.stringify({ name: 'notebook', type: 'module', imports: IMPORTS }));
  // each file says which it is, so a kernel that imports it shows what was resolved
  for (const f of [...OWN_FILES, 'outside.js']) write(join(root, f), `export default ${JSON.stringify(f)};\n`);
  for (const [name, { exports, files }] of Object.entries(PACKAGES)) {
    write(join(root, 'node_modules', name, 'package.json'), JSON.stringify({ name, type: 'module', exports }));
    for (const f of files) write(join(root, 'node_modules', name, f), `export default ${JSON.stringify(`${name}/${f}`)};\n`);
  }
  write(join(root, 'node_modules', 'outside.js'), 'export default 1;\n');
  // Node resolves from this module, in the notebook folder
  write(
    join(root, 'probe.mjs'),
    `import { fileURLToPath } from 'node:url';
const out = {};
for (const spec of JSON.parse(process.argv[2])) {
  try { out[spec] = fileURLToPath(import.meta.resolve(spec)); } catch (err) { out[spec] = err.code ?? String(err); }
}
process.stdout.write(JSON.stringify(out));
`,
  );
  return root;
}

/** What Node answers: a file path, or the error code. */
function nodeAnswers(root: string, kind: 'deno' | 'bun', specs: string[]): Record<string, string> {
  const r = spawnSync(process.execPath, ['-C', kind, '-C', 'module', join(root, 'probe.mjs'), JSON.stringify(specs)], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, string>;
}

/** What resolvePackage answers, in the same terms: a missing file is Node's ERR_MODULE_NOT_FOUND. */
function ours(root: string, kind: 'deno' | 'bun', spec: string): string {
  try {
    return resolvePackage(spec, [root], conditionsOf(kind)) ?? 'ERR_MODULE_NOT_FOUND';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

describe('package resolution for Deno and Bun agrees with Node', function () {
  this.timeout(30_000);
  const root = makeFixture();
  let attempts = 0;

  for (const [group, specs] of Object.entries(GROUPS)) {
    it(group, () => {
      for (const kind of ['deno', 'bun'] as const) {
        const node = nodeAnswers(root, kind, specs);
        const mine = Object.fromEntries(specs.map((s) => [s, ours(root, kind, s)]));
        assert.deepEqual(mine, node, `${kind}: resolvePackage (actual) vs Node (expected)`);
        if (group.startsWith('no target')) {
          for (const s of specs) {
            attempts++;
            assert.ok(
              !mine[s]!.startsWith('/') || (mine[s]!.startsWith(join(root, 'node_modules', 'escapes') + '/') && !mine[s]!.includes('node_modules/dep')),
              `${s} left the package: ${mine[s]}`,
            );
          }
        }
      }
    });
  }

  it('pins the answers Node gives where the resolve.exports library differs', () => {
    const pkg = (name: string, file: string) => join(root, 'node_modules', name, file);
    assert.equal(ours(root, 'deno', 'specific/a/b/c.js'), pkg('specific', 'two/c.js'));
    assert.equal(ours(root, 'deno', 'nested'), pkg('nested', 'd.js'));
    assert.equal(ours(root, 'deno', 'excludes/internal/x'), 'ERR_PACKAGE_PATH_NOT_EXPORTED');
    assert.equal(ours(root, 'deno', 'excludes/cond'), 'ERR_PACKAGE_PATH_NOT_EXPORTED');
    assert.equal(ours(root, 'bun', 'excludes/cond'), pkg('excludes', 'cond-bun.js'));
  });

  it('an excluded subpath is not looked for in another copy of the package further on', () => {
    const other = realpathSync(mkdtempSync(join(tmpdir(), 'coda-resolve-store-')));
    write(join(other, 'node_modules', 'excludes', 'package.json'), JSON.stringify({ name: 'excludes', exports: { './secret': './secret.js' } }));
    write(join(other, 'node_modules', 'excludes', 'secret.js'), '');
    assert.throws(() => resolvePackage('excludes/secret', [root, other], conditionsOf('deno')), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
    // a package the first root does not have is still found in the next one
    assert.equal(resolvePackage('excludes/secret', [other], conditionsOf('deno')), join(other, 'node_modules', 'excludes', 'secret.js'));
  });

  after(() => console.log(`resolvePackage escapes: ${attempts} attempts, 0 crossings`));
});

for (const kind of ['deno', 'bun'] as const) {
  describe(`a ${kind} kernel imports what Node would`, function () {
    this.timeout(60_000);
    let k: TestKernel;
    const root = makeFixture();

    before(async function () {
      if (!runtimeBinary(kind)) {
        if (requireRuntimes) throw new Error(`${kind} is not in the runtime store: run \`coda runtimes fetch\``);
        this.skip();
      }
      k = await startKernel({ cwd: root, init: { runtime: kind, runtimePath: runtimeBinary(kind) } });
    });
    after(async () => k?.kernel.dispose());

    it('the most specific pattern, a nested condition that falls through to default, and #imports', async () => {
      assert.equal(await k.value('import a from "specific/a/b/c.js"; a'), 'specific/two/c.js');
      assert.equal(await k.value('import b from "nested"; b'), 'nested/d.js');
      assert.equal(await k.value('import c from "#int"; c'), 'lib/int.js');
      assert.equal(await k.value('import d from "#cond"; d'), kind === 'deno' ? 'lib/d.js' : 'lib/def.js');
      assert.equal(await k.value('import e from "#dep"; e'), 'imported/i.js');
    });

    it("refuses an excluded subpath with Node's error code", async () => {
      const r = await k.run('import x from "excludes/internal/x"');
      assert.equal(r.status, 'error');
      assert.match(JSON.stringify(r), /is not defined by \\"exports\\"|ERR_PACKAGE_PATH_NOT_EXPORTED/);
      assert.doesNotMatch(JSON.stringify(r), /src\/internal\/x/);
    });
  });
}
