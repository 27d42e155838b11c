/** One line saying what a prune removed (the CLI prints it, the extension logs it). Pure. */
import type { PruneResult } from './cachePrune';

export function cachePruneSummary(r: PruneResult): string {
  const mb = (r.freedBytes / (1024 * 1024)).toFixed(1);
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  return `pruned ${n(r.stores.length, 'unused notebook store')}, ${n(r.trees, 'unused shared tree')}, ${n(r.entries, 'unreferenced package')}, ${n(r.downloads, 'old download')} and ${n(r.codeCaches, 'old code cache')}: ${mb} MB freed`;
}
