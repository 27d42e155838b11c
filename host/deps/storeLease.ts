/**
 * A store in use: a process whose kernel resolves packages from a store holds a lease on it
 * (`<cache>/leases/<store>.<pid>`), and the store's last use is stamped. Pruning skips a store while a lease of a
 * running process holds it; a lease whose process is gone is stale and ignored (and removed by the next prune).
 */
import { readdir, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { COMPLETE_MARKER } from './atomicStore';

/** `<cache>/stores/<key>` -> `<cache>`. */
export const cacheRootOf = (storeDir: string) => dirname(dirname(storeDir));
export const leasesDir = (cacheRoot: string) => join(cacheRoot, 'leases');

/** Marks the store used now and in use by this process until it exits (or `release` is called). */
export async function leaseStore(storeDir: string, pid = process.pid): Promise<() => Promise<void>> {
  const dir = leasesDir(cacheRootOf(storeDir));
  const file = join(dir, `${basename(storeDir)}.${pid}`);
  await mkdir(dir, { recursive: true });
  await writeFile(file, new Date().toISOString());
  await touchStore(storeDir);
  return () => rm(file, { force: true });
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
    if (m && alive(Number(m[2]))) live.add(m[1]!);
    else stale.push(join(dir, name));
  }
  return { live, stale };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
