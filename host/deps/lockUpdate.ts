/**
 * What a complete install changes in a notebook's metadata: its `dependencies` (the `// @coda-dep` pins) and its
 * `lock` (the resolved tree). Nothing when a package failed this time (the lock keeps its entries) or when both are as
 * saved. The editor writes it into the notebook; `coda run` never modifies the file and says it is out of date.
 */
import { METADATA_DEPENDENCIES, METADATA_LOCK, type DependencyLock } from '../../protocol';
import type { CellsInstall } from './installForCells';

export interface LockUpdate {
  dependencies: Record<string, string>;
  lock: DependencyLock;
}

export function lockUpdate(meta: Record<string, unknown>, outcome: CellsInstall): LockUpdate | undefined {
  const { result, needed, failed } = outcome;
  if (!result || failed.size) return undefined;
  const dependencies = Object.fromEntries(needed.filter((s) => s.from.kind === 'magic').map((s) => [s.name, s.range]));
  const same =
    JSON.stringify(result.lock) === JSON.stringify(meta[METADATA_LOCK] ?? {}) &&
    JSON.stringify(dependencies) === JSON.stringify(meta[METADATA_DEPENDENCIES] ?? {});
  return same ? undefined : { dependencies, lock: result.lock };
}
