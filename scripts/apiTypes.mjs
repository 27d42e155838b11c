/**
 * The published type declarations, made from the one place each is declared: api/plugin.d.ts (kernel plugins,
 * protocol/plugins.ts) and api/codajs.d.ts (the extension API, extension/api/codaApi.ts). `node scripts/apiTypes.mjs`
 * writes them; `--check` fails when the committed files are out of date (test/unit/layout/apiTypes.test.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export const API_FILES = [
  { from: 'protocol/plugins.ts', to: 'api/plugin.d.ts', title: 'CodaJS kernel plugins' },
  { from: 'extension/api/codaApi.ts', to: 'api/codajs.d.ts', title: "CodaJS's extension API" },
];

export function apiDeclaration({ from, title }) {
  const source = readFileSync(join(root, from), 'utf8');
  const out = ts.transpileDeclaration(source, { fileName: from, compilerOptions: { removeComments: false } });
  if (out.diagnostics?.length) throw new Error(`${from}: ${ts.flattenDiagnosticMessageText(out.diagnostics[0].messageText, '\n')}`);
  return `// ${title}: generated from ${from} by scripts/apiTypes.mjs (do not edit). Docs: docs/plugins.md\n${out.outputText}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let stale = 0;
  for (const f of API_FILES) {
    const text = apiDeclaration(f);
    const path = join(root, f.to);
    if (process.argv.includes('--check')) {
      let old = '';
      try {
        old = readFileSync(path, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (old !== text) {
        stale++;
        console.error(`${f.to} is out of date: run node scripts/apiTypes.mjs`);
      }
    } else writeFileSync(path, text);
  }
  process.exit(stale ? 1 : 0);
}
