/**
 * One package tarball into a new content store entry folder, in one synchronous pass on an installer file thread
 * (fileJobs.ts), so that inflating, parsing and hashing no longer share the installer's own thread with the resolver
 * and the downloads: the archive is inflated, read in place (readTar.ts: each file's bytes a view into it), and each
 * file written once, read-only, and hashed (newFile.ts); then the index. The files are the ones pacote's extraction
 * writes (as arborist installs them): the first path component stripped, links and special entries skipped, a
 * `.gitignore` kept as `.npmignore` unless the package has one, and a package's bins executable, with a Unix line end
 * after their `#!` line (as bin-links leaves them). A tarball outside that (a path that leaves the package, the same
 * path twice, a header not read as node-tar reads it) fails with UNUSUAL_TARBALL (pacote extracts it); one that brings its own
 * `node_modules` with UNSUPPORTED_TARBALL (arborist installs the tree). The entry folder is removed on any failure.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { EntryIndex } from '../host/deps/contentStore';
import { newFile } from './newFile';
import { binPaths, packageJsonOf, packagePath, unixHashbang } from './packageFiles';
import { BrokenTar, isFile, readTar, type ReadTar } from './readTar';

/** The error codes of a tarball the content store does not take as it is. */
export const UNUSUAL_TARBALL = 'CODA_UNUSUAL_TARBALL';
export const UNSUPPORTED_TARBALL = 'CODA_UNSUPPORTED_TARBALL';

export const SHARED_MODE = 0o444;
export const SHARED_EXEC_MODE = 0o555;

export interface Unpacked {
  files: EntryIndex['files'];
  /** The package's own package.json, when it has one. */
  pkg: Record<string, unknown> | undefined;
}

export interface UnpackJob {
  /** The new entry folder, made here (its parent, the content store's folder, exists). */
  dest: string;
  /** The tarball, gzipped or not, already checked against `integrity`. */
  data: Uint8Array;
  /** The installer's umask, which pacote's extraction applies to a file's executable bits. */
  umask: number;
  integrity: string;
}

interface ParsedFile {
  rel: string;
  data: Buffer;
  mode: number;
}

/** Bounds of the chunk a tarball is inflated into (inflateChunk). */
const MIN_INFLATE_CHUNK = 16 * 1024;
const MAX_INFLATE_CHUNK = 64 * 1024 * 1024;

/**
 * The output chunk zlib inflates `gz` into: the size the gzip trailer gives (ISIZE: the last four bytes, the size
 * modulo 2^32), within bounds, so the whole archive fits one chunk that is returned as it is. zlib's own 16 KB made
 * date-fns's 20 MB archive of 1,300 chunks copied together at the end (a fifth of the inflate's time here, most of it
 * page faults on the copy). The trailer is only a hint: the archive comes from its publisher, so a size that lies makes
 * at most a chunk of MAX_INFLATE_CHUNK (allocated, not written), and an archive larger than its chunk still inflates whole.
 */
export function inflateChunk(gz: Uint8Array): number {
  if (gz.length < 4) return MIN_INFLATE_CHUNK;
  const end = gz.length;
  const isize = (gz[end - 4]! | (gz[end - 3]! << 8) | (gz[end - 2]! << 16) | (gz[end - 1]! << 24)) >>> 0;
  return Math.min(MAX_INFLATE_CHUNK, Math.max(MIN_INFLATE_CHUNK, isize));
}

const failure = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

export function unpackTarball(job: UnpackJob, dirs: Set<string>): Unpacked {
  const bytes = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.length);
  // a gzip stream (known by its magic bytes) is inflated first; a cut or corrupted one throws here
  const archive = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes, { chunkSize: inflateChunk(bytes) }) : bytes;
  const parsed = parse(archive, job.umask);
  const pkg = packageJsonOf(parsed.find((f) => f.rel === 'package.json')?.data);
  // bin-links' fixes, made before the write: executable, a Unix line end after `#!`
  const bins = new Set(binPaths(pkg));
  const filesDir = `${job.dest}/files`;
  const files: EntryIndex['files'] = {};
  mkdirSync(job.dest);
  try {
    mkdirSync(filesDir);
    dirs.add(filesDir);
    for (const f of parsed) {
      const bin = bins.has(f.rel);
      const data = bin ? unixHashbang(f.data) : f.data;
      const mode = bin ? SHARED_EXEC_MODE : f.mode;
      const st = newFile(filesDir, `${filesDir}/${f.rel}`, data, mode, dirs);
      if (st.size !== data.length) throw failure(`${f.rel} was not written whole (${st.size} of ${data.length} bytes)`);
      files[f.rel] = { sha256: st.sha256, size: st.size, mtimeMs: st.mtimeMs, exec: mode === SHARED_EXEC_MODE };
    }
    writeFileSync(`${job.dest}/index.json`, JSON.stringify({ integrity: job.integrity, files } satisfies EntryIndex));
    return { files, pkg };
  } catch (err) {
    rmSync(job.dest, { recursive: true, force: true });
    throw err;
  }
}

/** The archive's package files, as pacote names them; throws UNUSUAL_TARBALL, UNSUPPORTED_TARBALL, or a broken archive. */
function parse(archive: Buffer, umask: number): ParsedFile[] {
  let read: ReadTar;
  try {
    read = readTar(archive);
  } catch (err) {
    if (err instanceof BrokenTar) throw failure(`The tarball is not a whole archive: ${err.message}`);
    throw err;
  }
  const files: ParsedFile[] = [];
  const names = new Set<string>();
  const lowerNames = new Set<string>();
  const npmignores = new Set<string>();
  let unusual = read.unusual;
  let unsupported: string | undefined;
  for (const e of read.entries) {
    const rel = packagePath(e.path);
    if (!isFile(e.type) || rel === null) continue;
    if (rel === undefined) {
      unusual ??= `the path ${e.path}`;
      continue;
    }
    if (rel === 'node_modules' || rel.startsWith('node_modules/')) {
      unsupported ??= `the package brings its own node_modules (${rel})`;
      continue;
    }
    // pacote: a .gitignore stands for the .npmignore npm pack read, unless the package has one already
    let name = rel;
    if (posix.basename(name) === '.npmignore') npmignores.add(name);
    else if (posix.basename(name) === '.gitignore') {
      name = name.replace(/\.gitignore$/, '.npmignore');
      if (npmignores.has(name)) continue;
    }
    if (names.has(name) || lowerNames.has(name.toLowerCase())) {
      unusual ??= `${name} twice`;
      continue;
    }
    names.add(name);
    lowerNames.add(name.toLowerCase());
    // the mode pacote leaves (the umask applies), never writable: the file is shared
    const mode = (e.mode & 0o111 & ~umask) !== 0 ? SHARED_EXEC_MODE : SHARED_MODE;
    files.push({ rel: name, data: e.data, mode });
  }
  if (unsupported) throw failure(unsupported, UNSUPPORTED_TARBALL);
  if (unusual) throw failure(unusual, UNUSUAL_TARBALL);
  return files;
}
