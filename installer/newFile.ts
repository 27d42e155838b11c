/**
 * Creating one new file of a content store entry, synchronously, on a file thread (fileJobs.ts): the folders between
 * it and `base`, the file itself (never over another), its bytes, and its sha256 as written. Pure Node.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface NewFile {
  size: number;
  mtimeMs: number;
  /** Of the bytes written, hex. */
  sha256: string;
}

/** Creates `dest` (never over a file) with `data` and `mode`, and the folders between it and `base` (which exists). */
export function newFile(base: string, dest: string, data: Uint8Array, mode: number, dirs: Set<string>): NewFile {
  folder(dirname(dest), base, dirs);
  const fd = openSync(dest, 'wx', mode);
  try {
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off, data.length - off);
    const st = fstatSync(fd);
    return { size: st.size, mtimeMs: st.mtimeMs, sha256: createHash('sha256').update(data).digest('hex') };
  } finally {
    closeSync(fd);
  }
}

/**
 * Makes `dir` and the folders between it and `base` that are not known yet (`dirs`: made or found so far), parents
 * first: one call per new folder (creating a folder costs about what creating a file does; a recursive mkdir also
 * fails its way up first). A folder another thread made in between is fine.
 */
export function folder(dir: string, base: string, dirs: Set<string>): void {
  if (dir === base || dirs.has(dir)) return;
  if (!dir.startsWith(`${base}/`)) {
    mkdirSync(dir, { recursive: true });
  } else {
    folder(dirname(dir), base, dirs);
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  dirs.add(dir);
}
