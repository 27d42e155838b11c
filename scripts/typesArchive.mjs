// The VSIX's form of Node's shipped types (tsplugin/shippedTypes.ts reads it): every file under dist/types as one JSON
// object, keyed by its path, in an order that puts each file's majors side by side (`node20/…/fs.d.ts`,
// `node22/…/fs.d.ts`, …), brotli-compressed with a window (16 MB) over all of them, so what the majors share is stored
// once: 0.46 MB for four majors that take 2 MB as zipped files.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

export function writeTypesArchive(typesDir, archive) {
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else files.push(relative(typesDir, path).split('\\').join('/'));
    }
  };
  walk(typesDir);
  // `node22/node_modules/@types/node/fs.d.ts` sorts by what follows the major, then by the major
  const rest = (f) => f.slice(f.indexOf('/') + 1);
  files.sort((a, b) => (rest(a) < rest(b) ? -1 : rest(a) > rest(b) ? 1 : a < b ? -1 : 1));
  const json = Buffer.from(JSON.stringify(Object.fromEntries(files.map((f) => [f, readFileSync(join(typesDir, f), 'utf8')]))));
  const params = { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24, [constants.BROTLI_PARAM_SIZE_HINT]: json.length };
  writeFileSync(archive, brotliCompressSync(json, { params }));
}
