/**
 * A new notebook's store built from another notebook's store that holds exactly the locked tree: every shared
 * package is linked from the content store (its entry hashed against its index first), a package that keeps its own
 * files (its install scripts ran) is copied, and everything else (`.bin` links, arborist's hidden lockfile) is
 * recreated. Nothing is copied from a shared package of the other store: when its entry is gone or fails its check,
 * the tree is not built and the installer runs instead.
 */
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { DependencyLock } from '../../protocol';
import { entryDir, linkEntry, verifiedEntry, type Landing } from './contentStore';

export interface LinkOutcome {
  linked: number;
  copied: number;
}

/** Fills `staging` from `other`; false when a shared package cannot be read from the content store. */
export async function linkStore(
  other: string,
  staging: string,
  lock: DependencyLock,
  own: readonly string[],
  contentRoot: string,
): Promise<LinkOutcome | false> {
  const ownSet = new Set(own);
  const outcome: LinkOutcome = { linked: 0, copied: 0 };
  const walk = async (rel: string): Promise<boolean> => {
    const entry = lock[rel];
    const shared = entry && !ownSet.has(rel) ? entryDir(contentRoot, entry.integrity) : undefined;
    if (shared) {
      const index = await verifiedEntry(shared);
      if (!index) return false;
      const landing: Landing = await linkEntry(shared, index, join(staging, rel), true);
      outcome[landing]++;
      // the package's own files came from the entry: only nested packages are left
      return existsSync(join(other, rel, 'node_modules')) ? walk(join(rel, 'node_modules')) : true;
    }
    mkdirSync(join(staging, rel), { recursive: true });
    for (const d of readdirSync(join(other, rel), { withFileTypes: true })) {
      const child = rel ? join(rel, d.name) : d.name;
      if (d.isDirectory()) {
        if (!(await walk(child))) return false;
      } else if (d.isSymbolicLink()) symlinkSync(readlinkSync(join(other, child)), join(staging, child));
      else if (d.isFile()) {
        copyFileSync(join(other, child), join(staging, child));
        chmodSync(join(staging, child), lstatSync(join(other, child)).mode & 0o7777);
      }
    }
    return true;
  };
  // an entry pruned between its check and its links (or any other failure) leaves the install to the installer
  return (await walk('').catch(() => false)) ? outcome : false;
}
