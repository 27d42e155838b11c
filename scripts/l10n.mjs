// Writes l10n/bundle.l10n.json, the English bundle `vscode.l10n.t` translates from: the string-literal first
// argument of every `l10n.t(...)` call in extension/**/*.ts, the templates of the error catalogue
// (protocol/codaErrors.ts, translated by extension/translateCodaErrors.ts keyed by the template) and the kernel
// picker's runtime descriptions (protocol/runtimes.ts, `l10n.t(r.description)` in CodaController).
// Usage: node scripts/l10n.mjs [--check]   (--check: exit 1 when the bundle on disk is not what the sources say)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(root, 'l10n/bundle.l10n.json');

function* tsFiles(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) yield* tsFiles(join(dir, e.name));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) yield join(dir, e.name);
  }
}

const parse = (file) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
const isText = (n) => n && (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n));

function walk(node, visit) {
  visit(node);
  node.forEachChild((child) => walk(child, visit));
}

/** The `l10n.t('…')` messages of one file; a call whose first argument is not a literal must take its text from a table listed here. */
function calls(file) {
  const found = [];
  walk(parse(file), (n) => {
    if (!ts.isCallExpression(n) || !/(^|\.)l10n\.t$/.test(n.expression.getText())) return;
    const [first] = n.arguments;
    if (isText(first)) found.push(first.text);
  });
  return found;
}

/** String values of the properties named `property` in a file (catalogue templates, runtime descriptions). */
function properties(file, property) {
  const found = [];
  walk(parse(file), (n) => {
    if (ts.isPropertyAssignment(n) && n.name.getText() === property && isText(n.initializer)) found.push(n.initializer.text);
  });
  return found;
}

export function collectMessages() {
  const messages = [
    ...[...tsFiles(join(root, 'extension'))].sort().flatMap(calls),
    ...properties(join(root, 'protocol/codaErrors.ts'), 'message'),
    ...properties(join(root, 'protocol/runtimes.ts'), 'description'),
  ];
  return Object.fromEntries([...new Set(messages)].sort().map((m) => [m, m]));
}

export const bundleText = () => `${JSON.stringify(collectMessages(), null, 2)}\n`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = bundleText();
  if (process.argv.includes('--check')) {
    const current = readFileSync(BUNDLE, 'utf8');
    if (current !== text) {
      console.error(`${relative(root, BUNDLE)} is out of date: run node scripts/l10n.mjs`);
      process.exit(1);
    }
  } else {
    writeFileSync(BUNDLE, text);
    console.log(`${relative(root, BUNDLE)}: ${Object.keys(JSON.parse(text)).length} messages`);
  }
}
