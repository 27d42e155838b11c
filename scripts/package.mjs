// `npm run package`: the VSIX `vsce package --no-dependencies` makes (.vscodeignore picks the files), plus the
// TypeScript plugin's package (scripts/tsPluginPackage.mjs) under extension/node_modules/, which vsce never looks
// into without dependencies. Usage: node scripts/package.mjs [-o <file.vsix>] [--cwd <folder>]
// (default dist/codajs.vsix of this checkout; --cwd: package a copy, e.g. a test that leaves dist/ alone)
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsPluginPackageFiles } from './tsPluginPackage.mjs';

const arg = (name) => (process.argv.indexOf(name) > 0 ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const root = resolve(arg('--cwd') ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const out = resolve(arg('-o') ?? join(root, 'dist/codajs.vsix'));

const require = createRequire(import.meta.url);
// vsce's own steps (the CLI is the same code): manifest checks, .vscodeignore, the VSIX manifest and content types
const vsce = require('@vscode/vsce/out/package');
const yazl = createRequire(require.resolve('@vscode/vsce/package.json'))('yazl');

const options = { cwd: root, dependencies: false };
const manifest = await vsce.readManifest(root);
const files = await vsce.collect(manifest, options);
for (const f of tsPluginPackageFiles(manifest.version)) files.push({ path: `extension/${f.path}`, contents: Buffer.from(f.contents) });
await vsce.printAndValidatePackagedFiles(files, root, manifest, options);

await mkdir(dirname(out), { recursive: true });
await rm(out, { force: true });
const zip = new yazl.ZipFile();
for (const f of files) {
  if (f.contents !== undefined) zip.addBuffer(typeof f.contents === 'string' ? Buffer.from(f.contents) : f.contents, f.path, { mode: f.mode });
  else zip.addFile(f.localPath, f.path, { mode: f.mode });
}
zip.end();
await new Promise((ok, fail) => {
  const stream = createWriteStream(out);
  zip.outputStream.once('error', fail).pipe(stream);
  stream.once('error', fail).once('finish', ok);
});
console.log(`Packaged: ${out} (${files.length} files)`);
