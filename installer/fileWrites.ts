/**
 * The file work of an install (fileJobs.ts) given to the installer's file threads (fileThread.ts →
 * dist/installer-files.js): jobs queued while the event loop runs go over as one batch, each folder's jobs to the
 * same thread (no two threads create files in one folder), and each resolves once done. A tarball is unpacked into a
 * new entry folder of its own, so it may go to any thread: to the one with the fewest tarball bytes still to unpack.
 * By the folder's name, as before, a cold install of the six common packages sent date-fns (490 ms of work), zod
 * (130) and lodash (100) to one thread, in a row, while the other unpacked 130 ms of small ones in all. Creating files is the slow
 * part of an install: as thread-pool work (open, write, stat, close: four round trips each) it cost several times the
 * CPU of the same calls made in a row, and on the installer's own thread it held up downloads and parsing. Where the
 * threads' bundle is absent (the sources run directly), the jobs run on this thread, a slice of the event loop at a
 * time.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { runFileJob, type FileJob, type FileOutcome } from './fileJobs';
import type { Unpacked } from './unpackTarball';

/** The bundle beside dist/installer.js. */
export const FILE_THREAD = join(__dirname, 'installer-files.js');
/** File threads per install. */
export const FILE_THREADS = 2;
/** Jobs sent in one message at most (a batch also goes whenever the event loop comes round). */
const BATCH_JOBS = 256;
/** Without threads: the longest run of jobs before the event loop gets a turn. */
export const SLICE_MS = 10;

export interface FileWrites {
  /**
   * Creates `dest` (never over a file) with `data` and `mode`, and the folders between it and `base` (which exists);
   * resolves with its size, time and sha256.
   */
  write(base: string, dest: string, data: Uint8Array, mode: number): Promise<{ size: number; mtimeMs: number; sha256: string }>;
  /**
   * Hard links `src` at `dest` (a read-only copy across file systems), folders as `write` makes them; resolves with
   * what `dest` is then (inode, size, modification time).
   */
  link(base: string, src: string, dest: string, mode: number): Promise<{ ino: number; size: number; mtimeMs: number }>;
  /**
   * Unpacks the tarball `data` (checked against `integrity`) into the new entry folder `dest` (unpackTarball.ts);
   * rejects with the error's `code` (UNUSUAL_TARBALL, UNSUPPORTED_TARBALL) when it does not store it.
   */
  unpack(dest: string, data: Uint8Array, umask: number, integrity: string): Promise<Unpacked>;
  /** Stops the threads; jobs not done fail. */
  dispose(): void;
}

interface Queued {
  job: FileJob;
  done: (o: FileOutcome) => void;
}

/** Runs jobs somewhere: `run` resolves with the job's outcome. */
interface Runner {
  run(job: FileJob): Promise<FileOutcome>;
  /** The bytes of the tarballs given to it that are not unpacked yet. */
  readonly unpacking: number;
  dispose(): void;
}

/** The index of the smallest of `loads` (the first of equals). */
export function leastLoaded(loads: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < loads.length; i++) if (loads[i]! < loads[best]!) best = i;
  return best;
}

/** `done`, once the tarball bytes `runner` counted for `job` are taken off again. */
function counted(runner: { unpacking: number }, job: FileJob, done: (o: FileOutcome) => void): (o: FileOutcome) => void {
  if (job.op !== 'unpack') return done;
  const bytes = job.data.length;
  runner.unpacking += bytes;
  return (o) => {
    runner.unpacking -= bytes;
    done(o);
  };
}

/** The file threads when their bundle is there, else this thread. */
export function fileWrites(): FileWrites {
  const runners: Runner[] = existsSync(FILE_THREAD) ? Array.from({ length: FILE_THREADS }, () => new ThreadRunner()) : [new SlicedRunner()];
  const run = async (job: FileJob) => {
    // a tarball goes to the thread with the least left to unpack; other jobs by their folder
    const at = job.op === 'unpack' ? leastLoaded(runners.map((r) => r.unpacking)) : folderHash(dirname(job.dest)) % runners.length;
    const outcome = await runners[at]!.run(job);
    if ('error' in outcome) throw Object.assign(new Error(outcome.error.message), { code: outcome.error.code });
    return outcome;
  };
  return {
    write: async (base, dest, data, mode) => {
      const o = await run({ op: 'write', base, dest, data, mode });
      return o.op === 'write' ? o : { size: 0, mtimeMs: 0, sha256: '' };
    },
    link: async (base, src, dest, mode) => {
      const o = await run({ op: 'link', base, src, dest, mode });
      if (o.op !== 'link') throw new Error(`${dest} was not linked`);
      return o;
    },
    unpack: async (dest, data, umask, integrity) => {
      const o = await run({ op: 'unpack', dest, data, umask, integrity });
      if (o.op !== 'unpack') throw new Error(`${dest} was not unpacked`);
      return { files: o.files, pkg: o.pkg };
    },
    dispose: () => runners.forEach((r) => r.dispose()),
  };
}

function folderHash(dir: string): number {
  let h = 0;
  for (let i = 0; i < dir.length; i++) h = (h * 31 + dir.charCodeAt(i)) | 0;
  return h >>> 0;
}

const OVER = (): FileOutcome => ({ error: { message: 'The install is over: no more files are written.' } });

/** One file thread, started on the first job; it never keeps the installer alive. */
class ThreadRunner implements Runner {
  unpacking = 0;
  private worker: Worker | undefined;
  private batch: Queued[] = [];
  private readonly sent = new Map<number, Queued[]>();
  private nextId = 1;
  private flushing = false;
  private disposed = false;

  run(job: FileJob): Promise<FileOutcome> {
    if (this.disposed) return Promise.resolve(OVER());
    return new Promise((done) => {
      this.batch.push({ job, done: counted(this, job, done) });
      if (this.batch.length >= BATCH_JOBS) this.flush();
      else if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushing = false;
    if (!this.batch.length || this.disposed) return;
    const id = this.nextId++;
    this.sent.set(id, this.batch);
    const jobs = this.batch.map((q) => q.job);
    this.batch = [];
    // a file's own buffer moves to the thread instead of being copied (small ones share a pool: those are copied); a
    // tarball's bytes are copied (the HTTP cache written behind the install may still hold them)
    const own = jobs.flatMap((j) =>
      j.op === 'write' && j.data.byteOffset === 0 && j.data.buffer.byteLength === j.data.length ? [j.data.buffer as ArrayBuffer] : [],
    );
    this.thread().postMessage({ id, jobs }, own);
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(FILE_THREAD);
    worker.on('message', ({ id, outcomes }: { id: number; outcomes: FileOutcome[] }) => {
      const queued = this.sent.get(id) ?? [];
      this.sent.delete(id);
      outcomes.forEach((o, i) => queued[i]?.done(o));
    });
    const failAll = (message: string) => {
      for (const queued of this.sent.values()) for (const q of queued) q.done({ error: { message } });
      this.sent.clear();
      this.worker = undefined;
    };
    worker.on('error', (err) => failAll(err.message));
    worker.on('exit', (code) => failAll(`The installer's file thread stopped (code ${code}).`));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  dispose(): void {
    this.disposed = true;
    for (const q of this.batch) q.done(OVER());
    this.batch = [];
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

/** The jobs on this thread, SLICE_MS at a time. */
class SlicedRunner implements Runner {
  unpacking = 0;
  private queue: Queued[] = [];
  private next = 0;
  private scheduled = false;
  private readonly dirs = new Set<string>();
  private disposed = false;

  run(job: FileJob): Promise<FileOutcome> {
    if (this.disposed) return Promise.resolve(OVER());
    return new Promise((done) => {
      this.queue.push({ job, done: counted(this, job, done) });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.drain());
      }
    });
  }

  private drain(): void {
    this.scheduled = false;
    if (this.disposed) return;
    const until = performance.now() + SLICE_MS;
    while (this.next < this.queue.length && performance.now() < until) {
      const q = this.queue[this.next++]!;
      q.done(runFileJob(q.job, this.dirs));
    }
    if (this.next < this.queue.length) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    } else {
      this.queue = [];
      this.next = 0;
    }
  }

  /** As the threads: the jobs not done fail, later ones too. */
  dispose(): void {
    this.disposed = true;
    for (const q of this.queue.slice(this.next)) q.done(OVER());
    this.queue = [];
    this.next = 0;
  }
}
