import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/testKernel';

const json = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const manifest = json('package.json');
const nls = json('package.nls.json');
const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();

describe('manifest', () => {
  it('every %key% of package.json has its text in package.nls.json', () => {
    const keys = [...JSON.stringify(manifest).matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]!);
    assert.deepEqual(
      keys.filter((k) => !(k in nls)),
      [],
    );
  });

  it('every setting has a scope; a runtime binary path is machine-overridable and not read from an untrusted workspace', () => {
    const settings = manifest.contributes.configuration.properties as Record<string, { scope?: string }>;
    assert.deepEqual(
      Object.keys(settings).filter((k) => !settings[k]!.scope),
      [],
    );
    const binaries = Object.keys(settings).filter((k) => k.endsWith('Path'));
    assert.deepEqual(binaries, ['coda.nodePath', 'coda.denoPath', 'coda.bunPath']);
    for (const k of binaries) assert.equal(settings[k]!.scope, 'machine-overridable', k);
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, binaries);
  });

  it('commands are codajs.*, settings coda.* (docs/architecture.md says why)', () => {
    const commands = (manifest.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.deepEqual(
      commands.filter((c) => !c.startsWith('codajs.')),
      [],
    );
    assert.deepEqual(
      Object.keys(manifest.contributes.configuration.properties).filter((k) => !k.startsWith('coda.')),
      [],
    );
  });

  it('the walkthrough has six steps, each with a completion event and a picture', () => {
    const [walkthrough] = manifest.contributes.walkthroughs as { steps: { id: string; completionEvents: string[]; media: { image: string } }[] }[];
    assert.deepEqual(
      walkthrough!.steps.map((s) => s.id),
      ['createNotebook', 'runCell', 'inspectValue', 'addPackage', 'pickRuntime', 'runScratch'],
    );
    for (const s of walkthrough!.steps) {
      assert.ok(s.completionEvents.length > 0, s.id);
      assert.match(s.media.image, /^media\/walkthrough\/[a-z-]+\.png$/);
    }
  });
});

describe('localisation', () => {
  it('l10n/bundle.l10n.json is what scripts/l10n.mjs extracts from the sources', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/l10n.mjs'), '--check'], { stdio: 'pipe' });
  });

  it('the German bundle translates known messages and keeps their placeholders', () => {
    const bundle = json('l10n/bundle.l10n.json');
    const de = json('l10n/bundle.l10n.de.json');
    assert.ok(Object.keys(de).length >= 30);
    for (const [key, text] of Object.entries(de)) {
      assert.ok(key in bundle, `not in the English bundle: ${key}`);
      assert.deepEqual(placeholders(text as string), placeholders(key), key);
    }
  });

  it('package.nls.de.json translates every string of the manifest (titles, settings, views, walkthrough)', () => {
    const de = json('package.nls.de.json');
    for (const key of Object.keys(de)) assert.ok(key in nls, `not in package.nls.json: ${key}`);
    // names that read the same in German (a product name alone) are allowed to equal the English
    const same = new Set(['command.category', 'displayName']);
    assert.deepEqual(
      Object.keys(nls).filter((k) => !(k in de) || (de[k] === nls[k] && !same.has(k))),
      [],
    );
  });
});
