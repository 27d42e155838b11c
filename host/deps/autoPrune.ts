/** The background prune: at most once per PRUNE_INTERVAL_MS per cache (a stamp file records the last one). */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pruneCache, type PruneResult } from './cachePrune';

export const PRUNE_INTERVAL_MS = 24 * 60 * 60_000;
const STAMP = '.coda-last-prune';

/** Prunes when the last prune is older than a day (or never ran); undefined when it was not due. */
export async function pruneIfDue(cacheRoot: string, maxAgeDays: number, now = Date.now(), codeCacheDir?: string): Promise<PruneResult | undefined> {
  const last = Number(await readFile(join(cacheRoot, STAMP), 'utf8').catch(() => '0'));
  if (Number.isFinite(last) && now - last < PRUNE_INTERVAL_MS) return undefined;
  await writeFile(join(cacheRoot, STAMP), String(now)).catch(() => undefined);
  return pruneCache(cacheRoot, maxAgeDays, now, codeCacheDir);
}
