import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import * as esbuild from 'esbuild';
import { ROOT } from '../helpers/testKernel';
// @ts-expect-error: a build script (plain JavaScript, no declarations)
import { ABSENT_MODULES, stubSource } from '../../../scripts/absentModules.mjs';
// @ts-expect-error: a build script (plain JavaScript, no declarations)
import { oneCopy, packageFolders, TWO_BUILDS } from '../../../scripts/oneCopy.mjs';

/**
 * Built files the VSIX does not need: source maps, the headless runner, the package itself, and Node's types as a
 * folder (the VSIX has them as dist/types.json.br, which production builds write: tsplugin/shippedTypes.ts).
 */
const NOT_SHIPPED = [/\.map$/, /^cli(-main)?\.js$/, /\.vsix$/, /^types$/];

describe('packaging', () => {
  it('the VSIX keeps every bundle the build produces (worker, agents, renderers)', () => {
    const kept = new Set(
      readFileSync(join(ROOT, '.vscodeignore'), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('!dist/'))
        .map((l) => l.slice('!dist/'.length).replace(/\/\*\*$/, '')), // a folder: `!dist/<name>/**`
    );
    const built = readdirSync(join(ROOT, 'dist')).filter((f) => !NOT_SHIPPED.some((re) => re.test(f)));
    assert.ok(built.includes('sidecar-agent.mjs') && built.includes('worker.js'), 'run the build first');
    assert.deepEqual(
      built.filter((f) => !kept.has(f)),
      [],
      'built files missing from .vscodeignore (the VSIX would lack them)',
    );
  });

  it('a package version npm nests in several folders is bundled once, and a package of two builds as CommonJS', async () => {
    // a tree as npm lays one out: `dup` (ES and CommonJS builds) 1.0.0 at the root and 2.0.0 in both of the root's own
    // importers' folders, `plain` (one build) 3.0.0 in both
    const root = mkdtempSync(join(tmpdir(), 'coda-one-copy-'));
    const pkg = (folder: string, name: string, version: string, twoBuilds: boolean) => {
      mkdirSync(join(folder, 'cjs'), { recursive: true });
      mkdirSync(join(folder, 'esm'), { recursive: true });
      const exports = twoBuilds ? { '.': { import: './esm/index.js', require: './cjs/index.js' } } : undefined;
      writeFileSync(
        join(folder, 'package.json'),
        JSON.stringify({ name, version, exports, main: './cjs/index.js', ...(twoBuilds && { module: './esm/index.js' }) }),
      );
      writeFileSync(join(folder, 'cjs', 'index.js'), `exports.which = 'cjs ${version} ' + __filename;`);
      writeFileSync(join(folder, 'esm', 'index.js'), `export const which = 'esm ${version}';`);
    };
    pkg(join(root, 'node_modules', 'dup'), 'dup', '1.0.0', true);
    for (const owner of ['b-user', 'a-user']) {
      pkg(join(root, 'node_modules', owner, 'node_modules', 'dup'), 'dup', '2.0.0', true);
      pkg(join(root, 'node_modules', owner, 'node_modules', 'plain'), 'plain', '3.0.0', false);
      writeFileSync(join(root, 'node_modules', owner, 'package.json'), JSON.stringify({ name: owner, version: '1.0.0', main: 'index.js' }));
      writeFileSync(join(root, 'node_modules', owner, 'index.js'), `module.exports = require('dup').which + require('plain').which;`);
    }
    writeFileSync(join(root, 'entry.mjs'), `import { which } from 'dup'; import a from 'a-user'; import b from 'b-user'; console.log(which, a, b);`);
    assert.deepEqual(
      (packageFolders(root) as Map<string, string[]>).get('dup')!.map((f) => f.slice(root.length + 1)),
      ['node_modules/a-user/node_modules/dup', 'node_modules/b-user/node_modules/dup', 'node_modules/dup'].map((f) => f.split('/').join(sep)),
    );
    const bundled = async (plugins: unknown[]) => {
      const { metafile } = await esbuild.build({
        entryPoints: [join(root, 'entry.mjs')],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        write: false,
        metafile: true,
        logLevel: 'silent',
        absWorkingDir: root,
        mainFields: ['module', 'main'],
        plugins: plugins as esbuild.Plugin[],
      });
      return Object.keys(metafile.inputs)
        .filter((f) => /\/(dup|plain)\//.test(f))
        .sort();
    };
    try {
      // without it: the ES build of `dup` at the root, each 2.0.0 and 3.0.0 twice
      assert.deepEqual(await bundled([]), [
        'node_modules/a-user/node_modules/dup/cjs/index.js',
        'node_modules/a-user/node_modules/plain/cjs/index.js',
        'node_modules/b-user/node_modules/dup/cjs/index.js',
        'node_modules/b-user/node_modules/plain/cjs/index.js',
        'node_modules/dup/esm/index.js',
      ]);
      // with it: each version once, from its first folder; `dup`, of two builds, as CommonJS
      assert.deepEqual(await bundled([oneCopy(root, ['dup'])]), [
        'node_modules/a-user/node_modules/dup/cjs/index.js',
        'node_modules/a-user/node_modules/plain/cjs/index.js',
        'node_modules/dup/cjs/index.js',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    // the installer's packages of two builds: each still ships both (else take it off the list)
    assert.deepEqual(TWO_BUILDS, ['tar', 'minipass']);
    for (const name of TWO_BUILDS as string[]) {
      const entry = (
        JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
          exports?: Record<string, { import?: unknown; require?: unknown }>;
        }
      ).exports?.['.'];
      assert.ok(!!entry?.import && !!entry.require && JSON.stringify(entry.import) !== JSON.stringify(entry.require), `${name} ships one build`);
    }
  });

  it('the installer bundle leaves out what an install never runs; each absent module is a stub that fails naming itself', () => {
    const installer = readFileSync(join(ROOT, 'dist', 'installer-main.js'), 'utf8');
    const absent = ABSENT_MODULES as { module: string; why: string }[];
    assert.deepEqual(
      absent.map((a) => a.module),
      ['iconv-lite', 'sigstore', '@npmcli/query'],
    );
    // a string of each module itself (or of what only it loads) is gone; its stub is there
    for (const [module, own] of [
      ['iconv-lite', 'windows1251'],
      ['sigstore', 'tuf-repo-cdn.sigstore.dev'],
      ['@npmcli/query', '`:semver` pseudo-class expects a function name'],
    ])
      assert.ok(!installer.includes(own!), `${module} is still bundled (${own})`);
    for (const a of absent) {
      assert.ok(installer.includes(`${a.module} is not part of CodaJS's installer`), `${a.module} has no stub in the bundle`);
      // the stub: anything taken from it throws when used, naming the module and why it is absent; so does calling it
      const module = { exports: {} as Record<string, unknown> & ((...args: unknown[]) => unknown) };
      new Function('module', stubSource(a))(module);
      const { verify } = module.exports as unknown as { verify: () => unknown };
      assert.throws(
        () => verify(),
        (err: Error) => err.message.includes(a.module) && err.message.includes(a.why) && err.message.endsWith('(verify)'),
      );
      assert.throws(() => module.exports(), /called/);
      assert.equal((module.exports as unknown as Record<symbol, unknown>)[Symbol.iterator], undefined);
    }
  });
});
