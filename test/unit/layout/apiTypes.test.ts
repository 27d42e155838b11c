/** The published .d.ts files (api/) are what their one declaration says (scripts/apiTypes.mjs). */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/testKernel';

describe('published API types', () => {
  it('api/plugin.d.ts and api/codajs.d.ts are up to date', () => {
    assert.doesNotThrow(() => execFileSync(process.execPath, [join(ROOT, 'scripts', 'apiTypes.mjs'), '--check'], { encoding: 'utf8', stdio: 'pipe' }));
  });
});
