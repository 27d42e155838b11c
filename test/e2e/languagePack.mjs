// Packs test/e2e/languagepack-de (a language pack that switches VS Code's display language to German) into a VSIX
// for the l10n scenario to install through the workbench. A language pack must be installed by the running server,
// which then writes the languagepacks.json that makes it serve a German workbench; `code-server --install-extension`
// installs it without writing that file.
import { createWriteStream, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'languagepack-de');
const require = createRequire(import.meta.url);
const yazl = createRequire(require.resolve('@vscode/vsce/package.json'))('yazl');

function* files(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* files(join(dir, e.name));
    else yield join(dir, e.name);
  }
}

/** Writes the language pack's VSIX to `out` (a VSIX is a zip with the extension under `extension/`). */
export async function packLanguagePack(out) {
  const zip = new yazl.ZipFile();
  for (const file of files(FIXTURE)) zip.addFile(file, `extension/${relative(FIXTURE, file)}`);
  zip.end();
  await new Promise((ok, fail) => {
    const stream = createWriteStream(out);
    zip.outputStream.once('error', fail).pipe(stream);
    stream.once('error', fail).once('finish', ok);
  });
  return out;
}
