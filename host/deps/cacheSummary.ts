/** One line saying what a prune removed (the CLI prints it, the extension logs it). Pure. */
import type { PruneResult } from './cachePrune';

export function cachePruneSummary(r: PruneResult): string {
  const mb = (r.freedBytes / (1024 * 1024)).toFixed(1);
  return `pruned ${r.stores.length} unused notebook store${r.stores.length === 1 ? '' : 's'} and ${r.entries} unreferenced package${r.entries === 1 ? '' : 's'}: ${mb} MB freed`;
}
