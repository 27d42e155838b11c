import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/testKernel';

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
});
