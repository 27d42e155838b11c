/**
 * What a document's last install left, so that a run whose imports, lock and script mode did not change installs
 * nothing (its store still complete). A failure is not remembered: the next run tries again (the network may be
 * back). The editor keeps one for all its notebooks and scratch files; `coda run` installs once per run.
 */
import type { SerializedError } from '../../protocol';
import type { CellsInstall } from '../../host/deps/installForCells';

export class InstallMemo {
  private readonly done = new Map<string, { key: string; installed: boolean; cellErrors: Map<string, SerializedError> }>();

  /** What decides an install: the cells' imports, the lock, how scripts run. */
  static key(analysis: unknown, lock: unknown, scripts: unknown): string {
    return JSON.stringify([analysis, lock ?? null, scripts]);
  }

  /** The cell errors of the document's last install with this key, unless something of it changed or its store went. */
  recall(document: string, key: string, storeComplete: () => boolean): Map<string, SerializedError> | undefined {
    const known = this.done.get(document);
    return known?.key === key && (!known.installed || storeComplete()) ? known.cellErrors : undefined;
  }

  /** Remembers an install under the key of what it left (a package that failed: not remembered). */
  remember(document: string, key: string, outcome: CellsInstall): void {
    if (outcome.failed.size) return;
    this.done.set(document, { key, installed: !!outcome.result, cellErrors: outcome.cellErrors });
  }
}
