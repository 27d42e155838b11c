import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageVsix, type PackagedVsix } from '../helpers/packagedVsix';

/** Everything the VSIX may hold: a file that matches none of these is a packaging mistake (.vscodeignore). */
const ALLOWED: RegExp[] = [
  /^\[Content_Types\]\.xml$/,
  /^extension\.vsixmanifest$/,
  /^extension\/(package\.json|package\.nls(\.[a-z-]+)?\.json|readme\.md|changelog\.md|LICENSE\.txt)$/,
  /^extension\/images\/icon\.png$/,
  /^extension\/l10n\/bundle\.l10n(\.[a-z-]+)?\.json$/,
  /^extension\/media\/walkthrough\/[a-z-]+\.png$/,
  /^extension\/syntaxes\/[\w-]+\.tmLanguage\.json$/,
  /^extension\/dist\/(extension|extension-main|worker|worker-main|watchdog|installer|installer-main|installer-files|module-hooks|sucrase|renderer|inspectorPanel|tsplugin)\.js$/,
  /^extension\/dist\/sidecar-agent\.mjs$/,
  // Node's type declarations of each shipped major the TypeScript plugin gives notebooks, as one archive (docs/types.md)
  /^extension\/dist\/types\.json\.br$/,
  /^extension\/node_modules\/codajs-tsplugin\/(index\.js|package\.json)$/,
];

/** What every VSIX must hold: the bundles, the manifest with its translations, the walkthrough's pictures. */
const REQUIRED = [
  'extension/package.json',
  'extension/package.nls.json',
  'extension/package.nls.de.json',
  'extension/l10n/bundle.l10n.json',
  'extension/l10n/bundle.l10n.de.json',
  'extension/readme.md',
  'extension/changelog.md',
  'extension/dist/extension.js',
  'extension/dist/extension-main.js',
  'extension/dist/worker.js',
  'extension/dist/worker-main.js',
  'extension/dist/renderer.js',
  'extension/node_modules/codajs-tsplugin/index.js',
  'extension/dist/types.json.br',
];

describe('the VSIX npm run package makes', function () {
  this.timeout(240_000);
  let work: string;
  let packaged: PackagedVsix;
  before(() => {
    work = mkdtempSync(join(tmpdir(), 'coda-vsix-list-'));
    packaged = packageVsix(work); // scripts/package.mjs: vsce's manifest checks and file validation (as `vsce ls`/`vsce package`)
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('holds only allow-listed files', () => {
    assert.deepEqual(
      packaged.entries.filter((e) => !ALLOWED.some((re) => re.test(e))),
      [],
    );
  });

  it('holds the bundles, the manifest, its translations and the walkthrough pictures the manifest names', () => {
    const manifest = JSON.parse(readFileSync(join(packaged.extension, 'package.json'), 'utf8')) as {
      contributes: { walkthroughs: { steps: { media: { image: string } }[] }[] };
    };
    const pictures = manifest.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => `extension/${s.media.image}`));
    assert.deepEqual(
      [...REQUIRED, ...pictures].filter((f) => !packaged.entries.includes(f)),
      [],
    );
  });

  it('stays small (no source maps, tests or sources)', () => {
    assert.deepEqual(
      packaged.entries.filter((e) => /\.(map|ts)$/.test(e) && !e.endsWith('.d.ts')),
      [],
    );
  });
});
