/**
 * The VSIX as `npm run package` builds it (production bundles, scripts/package.mjs), made in a temporary folder so
 * the dist/ other tests run from is left alone, and unzipped with Node alone: `extension` is the folder VS Code
 * installs.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { ROOT } from './testKernel';

/** What `npm run package` puts beside dist/ (see .vscodeignore). */
const PACKAGED = [
  'package.json',
  'package.nls.json',
  'package.nls.de.json',
  'README.md',
  'CHANGELOG.md',
  'LICENSE',
  '.vscodeignore',
  'images',
  'syntaxes',
  'l10n',
  'media',
];

export interface PackagedVsix {
  vsix: string;
  /** The unzipped `extension/` folder. */
  extension: string;
  /** Every file in the VSIX, as the zip names it. */
  entries: string[];
}

export function packageVsix(work: string): PackagedVsix {
  const pkg = join(work, 'pkg');
  mkdirSync(pkg, { recursive: true });
  for (const f of PACKAGED.filter((f) => existsSync(join(ROOT, f)))) cpSync(join(ROOT, f), join(pkg, f), { recursive: true });
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--production', '--outdir', join(pkg, 'dist')], { cwd: ROOT, stdio: 'pipe' });
  const vsix = join(work, 'codajs.vsix');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--cwd', pkg, '-o', vsix], { cwd: ROOT, stdio: 'pipe' });
  const entries = unzip(vsix, join(work, 'unzipped'));
  return { vsix, extension: join(work, 'unzipped', 'extension'), entries };
}

/** Extracts a zip (a VSIX) with Node alone: the central directory, then each entry, stored or deflated. */
function unzip(file: string, dest: string): string[] {
  const names: string[] = [];
  const zip = readFileSync(file);
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'a zip file');
  let at = zip.readUInt32LE(eocd + 16);
  for (let n = zip.readUInt16LE(eocd + 10); n > 0; n--) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'a central directory entry');
    const [method, size, nameLength] = [zip.readUInt16LE(at + 10), zip.readUInt32LE(at + 20), zip.readUInt16LE(at + 28)];
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (name.endsWith('/')) continue;
    names.push(name);
    assert.ok(!name.split('/').includes('..'), name);
    mkdirSync(dirname(join(dest, name)), { recursive: true });
    writeFileSync(join(dest, name), method === 8 ? inflateRawSync(data) : data);
  }
  return names;
}
