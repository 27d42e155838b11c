/** installer/fetchPackument.ts: a packument is handed over when its JSON closes, however the bytes are cut. */
import { strict as assert } from 'node:assert';
import { JsonEnd } from '../../../installer/fetchPackument';

/** Feeds `text` cut at `cuts`; the index of the chunk at which JsonEnd said whole, or -1. */
function wholeAt(text: string, cuts: number[]): number {
  const bytes = Buffer.from(text);
  const end = new JsonEnd();
  const at = [0, ...cuts, bytes.length];
  for (let i = 0; i + 1 < at.length; i++) if (end.whole(bytes.subarray(at[i], at[i + 1]))) return i;
  return -1;
}

describe('a packument is whole when its JSON closes (installer/fetchPackument)', () => {
  it('not before: braces, brackets, quotes and escapes inside strings do not count', () => {
    const doc = JSON.stringify({ name: 'x', description: 'a } b ] c " d \\ e {', versions: { '1.0.0': { dist: { tarball: 'u' } } }, tags: ['}', '"]'] });
    for (let cut = 1; cut < doc.length; cut++) assert.equal(wholeAt(doc, [cut]), 1, `cut at ${cut}`);
    assert.equal(wholeAt(doc.slice(0, -1), []), -1, 'one byte short');
  });

  it('counts a multi-byte character split between chunks as text', () => {
    const doc = JSON.stringify({ author: 'Zoë }Ω{ ☃' });
    const bytes = Buffer.from(doc);
    for (let cut = 1; cut < bytes.length; cut++) assert.equal(wholeAt(doc, [cut]), 1, `cut at ${cut}`);
  });

  it('ends at the close, whitespace after it or not', () => {
    assert.equal(wholeAt('{"a":[1,{"b":2}]}\n', [5, 9]), 2);
    assert.equal(wholeAt('  {}', [1]), 1);
  });
});
