/**
 * The store's own record of what it holds (`<store>/.coda-lock.json`): the lock of its tree, keyed by the dependency
 * set and script mode it was installed for. A notebook whose file holds no lock (one only ever run by `coda run`,
 * which never writes the file) is served from the store by this record on its next run, with no installer process.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DependencyLock } from '../../protocol';
import { compareNames } from './compareNames';

export const STORE_RECORD = '.coda-lock.json';

interface StoreRecord {
  key: string;
  lock: DependencyLock;
}

/**
 * The key of a dependency set (order does not matter) installed with a script mode. Names sort without a locale
 * comparison (compareNames.ts), which would load ICU's collator: ~8 ms of every `coda run` with packages.
 * (CodaJS 0.1.0 sorted by locale: a set whose names order differently, `a_b` beside `a-b` or a scoped name, misses the
 * record 0.1.0 wrote once, and is installed from the cache again.)
 */
export function dependencyKey(dependencies: Record<string, string>, scripts: string): string {
  const sorted = Object.entries(dependencies).sort(([a], [b]) => compareNames(a, b));
  return createHash('sha256')
    .update(JSON.stringify([sorted, scripts]))
    .digest('hex');
}

/** Remembers the lock a store was installed with (a store that is gone is left alone). */
export async function recordLock(storeDir: string, dependencies: Record<string, string>, scripts: string, lock: DependencyLock): Promise<void> {
  const record: StoreRecord = { key: dependencyKey(dependencies, scripts), lock };
  await writeFile(join(storeDir, STORE_RECORD), JSON.stringify(record)).catch(() => undefined);
}

/** The lock the store recorded for exactly this dependency set and script mode, if any. */
export async function recordedLock(storeDir: string, dependencies: Record<string, string>, scripts: string): Promise<DependencyLock | undefined> {
  try {
    const record = JSON.parse(readFileSync(join(storeDir, STORE_RECORD), 'utf8')) as StoreRecord;
    return record.key === dependencyKey(dependencies, scripts) ? record.lock : undefined;
  } catch {
    return undefined;
  }
}
