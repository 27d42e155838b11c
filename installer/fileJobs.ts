/**
 * The file work of building a tree: new files of content store entries (hashed as they are written), and links from
 * entries into a notebook's tree. Done with synchronous calls, by the installer's file threads (fileThread.ts) or, without them, on the
 * installer's own thread in slices (fileWrites.ts). Pure Node: only `node:` built-ins.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { placeSync as link } from '../host/deps/contentStore';

/** `base`: a folder that exists, above `dest`: the folders between are made here, each once, parents first. */
export type FileJob =
  /** Create `dest` (never over a file) with `data` and `mode`. */
  | { op: 'write'; base: string; dest: string; data: Uint8Array; mode: number }
  /**
   * Hard link `src` at `dest`; a read-only copy with `mode` when they are on different file systems. Its outcome
   * says what `dest` is then (a shared tree's manifest records it: host/deps/sharedTree.ts).
   */
  | { op: 'link'; base: string; src: string; dest: string; mode: number };

export type FileOutcome =
  /** `sha256`: of the bytes written, hex. */
  | { op: 'write'; size: number; mtimeMs: number; sha256: string }
  | { op: 'link'; ino: number; size: number; mtimeMs: number }
  | { error: { message: string; code?: string } };

/** Runs one job; `dirs` remembers the folders made (or found) so far. Never throws: a failure is an outcome. */
export function runFileJob(job: FileJob, dirs: Set<string>): FileOutcome {
  try {
    folder(dirname(job.dest), job.base, dirs);
    if (job.op === 'link') {
      link(job.src, job.dest, job.mode);
      const st = lstatSync(job.dest);
      return { op: 'link', ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    }
    const fd = openSync(job.dest, 'wx', job.mode);
    try {
      for (let off = 0; off < job.data.length;) off += writeSync(fd, job.data, off, job.data.length - off);
      const st = fstatSync(fd);
      return { op: 'write', size: st.size, mtimeMs: st.mtimeMs, sha256: createHash('sha256').update(job.data).digest('hex') };
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: { message: e.message, code: e.code } };
  }
}

/**
 * Makes `dir` and the folders between it and `base` that are not known yet, parents first: one call per new folder
 * (creating a folder costs about what creating a file does; a recursive mkdir also fails its way up first). A folder
 * another thread made in between is fine.
 */
function folder(dir: string, base: string, dirs: Set<string>): void {
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
