/**
 * `codajs.pruneCache` (asks first) and the background prune a few seconds after activation (at most once a day,
 * host/deps/autoPrune.ts): both remove stores of notebooks unused for `coda.cache.maxAgeDays` and packages no store
 * uses, never a store a running kernel holds, and kernel and installer code caches written longer ago (written again when used).
 */
import * as vscode from 'vscode';
import { pruneIfDue } from '../../host/deps/autoPrune';
import { DEFAULT_MAX_AGE_DAYS, pruneCache } from '../../host/deps/cachePrune';
import { cachePruneSummary } from '../../host/deps/cacheSummary';
import { compileCacheDir } from '../../host/cacheRoot';

/** Delay before the background prune: activation and the first run come first. */
export const AUTO_PRUNE_DELAY_MS = 30_000;

export function registerPruneCache(storage: string, log: (m: string) => void): vscode.Disposable {
  const maxAgeDays = () => vscode.workspace.getConfiguration('coda').get<number>('cache.maxAgeDays', DEFAULT_MAX_AGE_DAYS);
  const timer = setTimeout(() => {
    pruneIfDue(storage, maxAgeDays(), Date.now(), compileCacheDir()).then(
      (r) => r && log(`background cache prune: ${cachePruneSummary(r)}`),
      (err: unknown) => log(`background cache prune failed: ${String(err)}`),
    );
  }, AUTO_PRUNE_DELAY_MS);
  timer.unref();
  const command = vscode.commands.registerCommand('codajs.pruneCache', async () => {
    const prune = vscode.l10n.t('Prune');
    const days = maxAgeDays();
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        'Remove the installed packages of notebooks not run for {0} days, and packages no notebook uses? They are installed again when needed.',
        days,
      ),
      { modal: true },
      prune,
    );
    if (answer !== prune) return;
    const summary = cachePruneSummary(await pruneCache(storage, days, Date.now(), compileCacheDir()));
    log(summary);
    void vscode.window.showInformationMessage(vscode.l10n.t('CodaJS: {0}', summary));
  });
  return new vscode.Disposable(() => {
    clearTimeout(timer);
    command.dispose();
  });
}
