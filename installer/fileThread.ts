/**
 * An installer file thread (dist/installer-files.js): runs the file jobs the installer sends in batches
 * (fileWrites.ts), synchronously, so that the installer's own thread keeps downloading and parsing while the disk
 * works. Only `node:` built-ins; nothing but the files it is given is touched.
 */
import { parentPort } from 'node:worker_threads';
import { runFileJob, type FileJob } from './fileJobs';

const dirs = new Set<string>();

parentPort?.on('message', ({ id, jobs }: { id: number; jobs: FileJob[] }) => {
  parentPort!.postMessage({ id, outcomes: jobs.map((job) => runFileJob(job, dirs)) });
});
