/**
 * Where Node's types shipped with CodaJS are (`node<major>/node_modules/@types/node` and its `undici-types`): the
 * `types` folder beside the bundle in a build of the checkout; in the VSIX, one archive beside it (TYPES_ARCHIVE:
 * every major's files as one JSON object, brotli-compressed with a window that spans the majors, so a file the majors
 * share costs once — 0.46 MB instead of 2 MB zipped), unpacked once per archive into the plugin's folder
 * (RuntimeFiles.dir: the extension's storage, or this user's own temporary folder).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

/** The archive's name beside the bundle (scripts/build.mjs writes it in production builds). */
export const TYPES_ARCHIVE = 'types.json.br';
/** Written last into an unpacked folder: the folder is whole. */
const COMPLETE = '.complete';
/** What an archive's paths may look like: `node22/node_modules/@types/node/fs.d.ts`, nothing that leaves the folder. */
const SAFE_PATH = /^node\d+\/node_modules\/(?:@types\/node|undici-types)\/(?:[\w.@-]+\/)*[\w.@-]+$/;

const found = new Map<string, string | undefined>();

/** The folder holding `node<major>` folders, or undefined when CodaJS ships none (or its archive cannot be read). */
export function shippedTypesDir(bundleDir: string, cacheDir: string): string | undefined {
  const key = `${bundleDir}\0${cacheDir}`;
  if (!found.has(key)) found.set(key, locate(bundleDir, cacheDir));
  return found.get(key);
}

function locate(bundleDir: string, cacheDir: string): string | undefined {
  const beside = join(bundleDir, 'types');
  if (existsSync(beside)) return beside;
  const archive = join(bundleDir, TYPES_ARCHIVE);
  if (!existsSync(archive)) return undefined;
  try {
    const bytes = readFileSync(archive);
    const id = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    const root = join(cacheDir, `node-types-${id}`);
    if (!existsSync(join(root, COMPLETE))) unpack(bytes, root);
    return root;
  } catch {
    // no shipped types: a Node notebook then has the types its own folders hold
    return undefined;
  }
}

/** Writes the archive's files into a new folder beside `root`, then renames it into place (another unpack may win). */
export function unpack(archive: Buffer, root: string): void {
  const files = JSON.parse(brotliDecompressSync(archive).toString('utf8')) as Record<string, unknown>;
  const staging = `${root}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    for (const [path, text] of Object.entries(files)) {
      if (!SAFE_PATH.test(path) || path.split('/').some((p) => p === '..' || p === '.') || typeof text !== 'string')
        throw new Error(`the shipped types hold an unexpected entry: ${path}`);
      mkdirSync(dirname(join(staging, path)), { recursive: true });
      writeFileSync(join(staging, path), text);
    }
    writeFileSync(join(staging, COMPLETE), '');
    mkdirSync(dirname(root), { recursive: true });
    try {
      renameSync(staging, root);
    } catch (err) {
      if (!existsSync(join(root, COMPLETE))) throw err;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
