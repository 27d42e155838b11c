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
import { entryDir, linkEntry, verifiedEntry } from './contentStore';

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
  // a store that links a shared tree is no model: the tree is read through its own check (storeReuse.fromSharedTree)
  if (lstatSync(join(other, 'node_modules'), { throwIfNoEntry: false })?.isSymbolicLink()) return false;
  const ownSet = new Set(own);
  const outcome: LinkOutcome = { linked: 0, copied: 0 };
  const shared: { rel: string; entry: string }[] = [];
  // first the other store's own files and folders (synchronous, few), noting each shared package on the way
  const walk = (rel: string): void => {
    const locked = lock[rel];
    const entry = locked && !ownSet.has(rel) ? entryDir(contentRoot, locked.integrity) : undefined;
    if (entry) {
      shared.push({ rel, entry });
      // the package's own files come from the entry: only nested packages are left
      if (existsSync(join(other, rel, 'node_modules'))) walk(join(rel, 'node_modules'));
      return;
    }
    mkdirSync(join(staging, rel), { recursive: true });
    for (const d of readdirSync(join(other, rel), { withFileTypes: true })) {
      const child = rel ? join(rel, d.name) : d.name;
      if (d.isDirectory()) walk(child);
      else if (d.isSymbolicLink()) symlinkSync(readlinkSync(join(other, child)), join(staging, child));
      else if (d.isFile()) {
        copyFileSync(join(other, child), join(staging, child));
        chmodSync(join(staging, child), lstatSync(join(other, child)).mode & 0o7777);
      }
    }
  };
  try {
    walk('');
    // then every shared package, checked and linked (synchronously, one package at a time: the host's other work
    // runs between packages)
    for (const { rel, entry } of shared) {
      const index = await verifiedEntry(entry);
      if (!index) return false;
      outcome[await linkEntry(entry, index, join(staging, rel), true)]++;
      await new Promise((r) => setImmediate(r));
    }
    return outcome;
  } catch {
    // an entry pruned between its check and its links (or any other failure) leaves the install to the installer
    return false;
  }
}
