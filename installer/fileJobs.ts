/**
 * The file work of building a tree: tarballs unpacked into new content store entries (unpackTarball.ts), new files
 * (hashed as they are written: newFile.ts), and links from entries into a notebook's tree. Done with synchronous
 * calls, by the installer's file threads (fileThread.ts) or, without them, on the installer's own thread in slices
 * (fileWrites.ts). Pure Node: `node:` built-ins, and tar's parser for the tarballs.
 */
import { lstatSync } from 'node:fs';
import { dirname } from 'node:path';
import { placeSync as link } from '../host/deps/contentStore';
import { folder, newFile } from './newFile';
import { unpackTarball, type Unpacked, type UnpackJob } from './unpackTarball';

/**
 * `base` (writes and links): a folder that exists, above `dest`: the folders between are made here, each once,
 * parents first.
 */
export type FileJob =
  /** Create `dest` (never over a file) with `data` and `mode`. */
  | { op: 'write'; base: string; dest: string; data: Uint8Array; mode: number }
  /**
   * Hard link `src` at `dest`; a read-only copy with `mode` when they are on different file systems. Its outcome
   * says what `dest` is then (a shared tree's manifest records it: host/deps/sharedTree.ts).
   */
  | { op: 'link'; base: string; src: string; dest: string; mode: number }
  /** Unpack a tarball into a new entry folder (unpackTarball.ts). */
  | ({ op: 'unpack' } & UnpackJob);

export type FileOutcome =
  /** `sha256`: of the bytes written, hex. */
  | { op: 'write'; size: number; mtimeMs: number; sha256: string }
  | { op: 'link'; ino: number; size: number; mtimeMs: number }
  | ({ op: 'unpack' } & Unpacked)
  | { error: { message: string; code?: string } };

/** Runs one job; `dirs` remembers the folders made (or found) so far. Never throws: a failure is an outcome. */
export function runFileJob(job: FileJob, dirs: Set<string>): FileOutcome {
  try {
    if (job.op === 'unpack') return { op: 'unpack', ...unpackTarball(job, dirs) };
    if (job.op === 'write') return { op: 'write', ...newFile(job.base, job.dest, job.data, job.mode, dirs) };
    folder(dirname(job.dest), job.base, dirs);
    link(job.src, job.dest, job.mode);
    const st = lstatSync(job.dest);
    return { op: 'link', ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { error: { message: e.message, code: e.code } };
  }
}
