/**
 * The file work of building a tree: new files of content store entries (hashed as they are written), and links from
 * entries into a notebook's tree. Done with synchronous calls, by the installer's file threads (fileThread.ts) or, without them, on the
 * installer's own thread in slices (fileWrites.ts). Pure Node: only `node:` built-ins.
 */
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, fstatSync, linkSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export type FileJob =
  /** Create `dest` (never over a file) with `data` and `mode`. */
  | { op: 'write'; dest: string; data: Uint8Array; mode: number }
  /** Hard link `src` at `dest`; a read-only copy with `mode` when they are on different file systems. */
  | { op: 'link'; src: string; dest: string; mode: number };

export type FileOutcome =
  /** `sha256`: of the bytes written, hex. */
  { op: 'write'; size: number; mtimeMs: number; sha256: string } | { op: 'link'; landing: 'linked' | 'copied' } | { error: { message: string; code?: string } };

/** Runs one job; `dirs` remembers the folders made (or found) so far. Never throws: a failure is an outcome. */
export function runFileJob(job: FileJob, dirs: Set<string>): FileOutcome {
  try {
    const dir = dirname(job.dest);
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
    }
    if (job.op === 'link') return { op: 'link', landing: link(job.src, job.dest, job.mode) };
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

function link(src: string, dest: string, mode: number): 'linked' | 'copied' {
  try {
    linkSync(src, dest);
    return 'linked';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw err;
    copyFileSync(src, dest);
    chmodSync(dest, mode);
    return 'copied';
  }
}
