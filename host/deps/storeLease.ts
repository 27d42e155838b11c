/**
 * A store in use: a process whose kernel resolves packages from a store holds a lease on it
 * (`<cache>/leases/<store>.<pid>`), and the store's last use is stamped. Pruning skips a store while a lease of a
 * running process holds it; a lease whose process is gone is stale and ignored (and removed by the next prune). A pid
 * is used again once its process is gone: where the system says when a process started (Linux's /proc), a lease whose
 * pid now belongs to a process that started at another time is stale too.
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { readdir, readFile, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { COMPLETE_MARKER } from './atomicStore';

/** `<cache>/stores/<key>` -> `<cache>`. */
export const cacheRootOf = (storeDir: string) => dirname(dirname(storeDir));
export const leasesDir = (cacheRoot: string) => join(cacheRoot, 'leases');
const leaseFile = (storeDir: string, pid: number) => join(leasesDir(cacheRootOf(storeDir)), `${basename(storeDir)}.${pid}`);

/** Marks the store used now and in use by this process until it exits (or `release` is called). */
export async function leaseStore(storeDir: string, pid = process.pid): Promise<() => Promise<void>> {
  const file = leaseFile(storeDir, pid);
  await mkdir(dirname(file), { recursive: true });
  // when the process started (where the system says): a later process given the same pid is not the lease's
  const started = processStartTicks(pid);
  await writeFile(file, `${new Date().toISOString()}${started ? ` start ${started}` : ''}`);
  await touchStore(storeDir);
  return () => rm(file, { force: true });
}

/** leaseStore, released when this process exits (a `coda run`: one lease per run, not one left behind by each). */
export async function leaseStoreUntilExit(storeDir: string): Promise<void> {
  await leaseStore(storeDir);
  const file = leaseFile(storeDir, process.pid);
  process.once('exit', () => {
    try {
      unlinkSync(file);
    } catch {
      // gone already: nothing to release
    }
  });
}

/** Stamps the store's last use (the completion marker's time). */
export async function touchStore(storeDir: string): Promise<void> {
  const now = new Date();
  await utimes(join(storeDir, COMPLETE_MARKER), now, now).catch(() => undefined);
}

/** Store keys held by a running process, and the stale lease files found on the way. */
export async function liveLeases(cacheRoot: string): Promise<{ live: Set<string>; stale: string[] }> {
  const dir = leasesDir(cacheRoot);
  const live = new Set<string>();
  const stale: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = /^(.+)\.(\d+)$/.exec(name);
    const file = join(dir, name);
    if (m && alive(Number(m[2])) && !(await pidReused(Number(m[2]), file))) live.add(m[1]!);
    else stale.push(file);
  }
  return { live, stale };
}

/**
 * True when the process that has `pid` now is not the one that wrote `lease`: the lease's process is gone and its pid
 * was given to another. A lease records when its process started, in Linux's own unit (ticks since boot, from
 * /proc/<pid>/stat), and the pid's process now must have started at that very tick. A lease without it (written
 * elsewhere, or by an earlier version) or a system without /proc says false: the lease is taken as live, as before.
 */
async function pidReused(pid: number, lease: string): Promise<boolean> {
  const recorded = await readFile(lease, 'utf8').then(
    (text) => /\bstart (\d+)\b/.exec(text)?.[1],
    () => undefined,
  );
  const now = processStartTicks(pid);
  return recorded !== undefined && now !== undefined && now !== recorded;
}

/** When process `pid` started, in ticks since boot as /proc/<pid>/stat gives it (a string, compared exactly); else undefined. */
export function processStartTicks(pid: number): string | undefined {
  try {
    // the command name, in parentheses, may hold spaces and parentheses: the fields count from the last `)`
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return ticks && /^\d+$/.test(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
