// Bundles test/e2e/exthost (mocha suite for the extension host) into OUT_DIR/index.js; `vscode` and `mocha`
// stay external (mocha resolves from the repository's node_modules). Usage: bundleExthost.mjs OUT_DIR
import * as esbuild from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
await esbuild.build({
  entryPoints: [join(root, 'test/e2e/exthost/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'mocha'],
  outfile: join(process.argv[2], 'index.js'),
  logLevel: 'warning',
  mainFields: ['module', 'main'],
});
