// Node reads a whole file as a two-byte string when one of its characters is outside ASCII, which makes every start
// that loads a bundle read and compile it more slowly. esbuild escapes such characters in strings and identifiers but
// not in regular expression literals, so the production build checks its bundles (scripts/build.mjs).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Each .js, .mjs or .cjs file directly in `dir` with a byte outside ASCII, and the text around the first one. */
export function nonAsciiBundles(dir) {
  const found = [];
  for (const name of readdirSync(dir)) {
    if (!/\.[cm]?js$/.test(name)) continue;
    const bytes = readFileSync(join(dir, name));
    const at = bytes.findIndex((b) => b > 0x7f);
    if (at >= 0) found.push({ file: name, excerpt: bytes.toString('utf8', Math.max(0, at - 40), at + 20) });
  }
  return found;
}
