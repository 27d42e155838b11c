import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/testKernel';
// @ts-expect-error: a build script (plain JavaScript, no declarations)
import { ABSENT_MODULES, stubSource } from '../../../scripts/absentModules.mjs';

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
