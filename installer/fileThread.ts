/**
 * An installer file thread (dist/installer-files.js): runs the file jobs the installer sends in batches
 * (fileWrites.ts), synchronously, so that the installer's own thread keeps resolving and downloading while tarballs
 * are unpacked and the disk works. `node:` built-ins and tar's parser; nothing but the files it is given is touched.
 */
import { parentPort } from 'node:worker_threads';
import { runFileJob, type FileJob } from './fileJobs';

const dirs = new Set<string>();

parentPort?.on('message', ({ id, jobs }: { id: number; jobs: FileJob[] }) => {
  parentPort!.postMessage({ id, outcomes: jobs.map((job) => runFileJob(job, dirs)) });
});
