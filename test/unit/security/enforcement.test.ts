import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAPABILITIES, ENFORCEMENT, enforcementLines, enforcementTableMarkdown, RUNTIME_LABELS, type RuntimeKind } from '../../../protocol';

const ROOT = join(__dirname, '..', '..', '..');

describe('what each runtime enforces (one table for the grant prompt, coda run and the docs)', () => {
  it('docs/security.md holds the table exactly as the grant prompt words it', () => {
    const docs = readFileSync(join(ROOT, 'docs', 'security.md'), 'utf8');
    assert.ok(
      docs.includes(enforcementTableMarkdown()),
      'docs/security.md is out of step: paste the output of `node --import tsx scripts/enforcementTable.mjs`',
    );
  });

  it('has a row for every runtime and capability, and Bun claims nothing', () => {
    for (const runtime of Object.keys(RUNTIME_LABELS) as RuntimeKind[]) {
      for (const c of CAPABILITIES) assert.ok(ENFORCEMENT[runtime][c].how.length > 10, `${runtime}.${c}`);
    }
    for (const c of CAPABILITIES) assert.equal(ENFORCEMENT.bun[c].level, 'refused');
  });

  it('a JavaScript check inside the kernel is never worded as enforced', () => {
    for (const runtime of Object.keys(RUNTIME_LABELS) as RuntimeKind[]) {
      for (const c of CAPABILITIES) {
        const e = ENFORCEMENT[runtime][c];
        if (e.level === 'checked') assert.match(e.how, /^checked by CodaJS/, `${runtime}.${c}`);
        if (e.level === 'enforced') assert.doesNotMatch(e.how, /seat belt|checked by CodaJS/, `${runtime}.${c}`);
      }
    }
  });

  it('lists only the declared capabilities, in a fixed order', () => {
    assert.deepEqual(
      enforcementLines('node', { run: ['git'], net: [] }).map((l) => l.capability),
      ['net', 'run'],
    );
  });
});
