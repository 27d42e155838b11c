/** Compares text with a golden file under test/golden; UPDATE_GOLDEN=1 rewrites it. */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const GOLDEN_ROOT = join(__dirname, '..', '..', 'golden');

export function matchGolden(name: string, actual: string): void {
  const file = join(GOLDEN_ROOT, name);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (!existsSync(file) && process.env.CI) assert.fail(`golden file ${name} is missing (run with UPDATE_GOLDEN=1 and review it)`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, 'utf8'), `output differs from golden file ${name} (UPDATE_GOLDEN=1 to accept)`);
}
