/** `coda cache list | size | prune`: the stores under ~/.cache/codajs, what they take on disk, and pruning them. */
import { cachePruneSummary } from '../host/deps/cacheSummary';
import { cacheSize, DEFAULT_MAX_AGE_DAYS, listStores, pruneCache } from '../host/deps/cachePrune';
import type { CacheOptions } from './args';
import { cacheRoot, compileCacheDir } from '../host/cacheRoot';

const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/** At most this many of a store's packages are named in its listing. */
const LISTED_PACKAGES = 8;
const packageList = (packages: string[]) =>
  packages.length > LISTED_PACKAGES ? `${packages.slice(0, LISTED_PACKAGES).join(', ')} and ${packages.length - LISTED_PACKAGES} more` : packages.join(', ');

export async function cacheCommand(opts: CacheOptions, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const root = cacheRoot();
  if (opts.action === 'list') {
    const stores = await listStores(root);
    for (const s of stores) {
      out(`${s.key}  last used ${s.lastUsed.toISOString()}  own files ${mb(s.ownBytes)}${s.inUse ? '  (in use)' : ''}`);
      if (s.packages.length) out(`  ${packageList(s.packages)}`);
    }
    out(`${stores.length} stores in ${root}`);
  } else if (opts.action === 'size') {
    const size = await cacheSize(root);
    out(`shared packages ${mb(size.content)}, notebook stores ${mb(size.stores)}, downloaded tarballs ${mb(size.tarballs)}: ${mb(size.total)} in ${root}`);
  } else {
    out(cachePruneSummary(await pruneCache(root, opts.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS, Date.now(), compileCacheDir())));
  }
  return 0;
}
