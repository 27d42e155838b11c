/**
 * Packages published before npm recorded sha512 checksums (once@1.4.0, wrappy@1.0.2, …) have only a sha1 in the
 * registry, so arborist records `sha1-…` for them. A lock must carry a sha512 (lockPolicy.ts): on the install that
 * resolves such a package, its tarball (already checked against the registry's sha1) is hashed with sha512 and both
 * are recorded, so every later install checks the sha512. Trust on first use, for those old packages only; a lock a
 * notebook brings with only a sha1 is still refused.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pacote from 'pacote';
import type { DependencyLock } from '../protocol';
import { nameAt } from '../host/deps/lockPolicy';

const HAS_SHA512 = /(^|\s)sha512-/;

/** Adds a sha512 to every entry that lacks one (changing `lock` in place); returns how many were strengthened. */
export async function strengthenIntegrity(lock: DependencyLock, fetchOpts: Record<string, unknown>, cacheDir: string, storeDir: string): Promise<number> {
  const weak = Object.entries(lock).filter(([, e]) => e.integrity && !HAS_SHA512.test(e.integrity) && /^https?:\/\//.test(e.resolved));
  for (const [location, entry] of weak) {
    const name = entry.name ?? nameAt(location);
    if (!name) continue;
    const bytes = await pacote.tarball(`${name}@${entry.resolved}`, { ...fetchOpts, cache: cacheDir, integrity: entry.integrity });
    entry.integrity = `sha512-${createHash('sha512').update(bytes).digest('base64')} ${entry.integrity}`;
  }
  if (weak.length) await rewriteHiddenLock(storeDir, lock);
  return weak.length;
}

/** The store's hidden lockfile records the same integrity, so the store is recognised as holding the lock. */
async function rewriteHiddenLock(storeDir: string, lock: DependencyLock): Promise<void> {
  const file = join(storeDir, 'node_modules', '.package-lock.json');
  const hidden = JSON.parse(await readFile(file, 'utf8')) as { packages?: Record<string, { integrity?: string }> };
  for (const [location, entry] of Object.entries(hidden.packages ?? {})) {
    const integrity = lock[location]?.integrity;
    if (integrity) entry.integrity = integrity;
  }
  await writeFile(file, JSON.stringify(hidden, null, 2));
}
