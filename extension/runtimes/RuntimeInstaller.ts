/**
 * Fetching runtimes in VS Code: when a kernel cannot start because Deno, Bun or the sandbox (Node 24 +
 * isolated-vm) is missing, offer to download it from the npm registry into the extension's global storage, with a
 * cancellable progress notification; also the "CodaJS: Install Runtime" command.
 */
import * as vscode from 'vscode';
import { RUNTIME_LABELS, RUNTIMES, type RuntimeKind } from '../../protocol';
import { contentCache, type InstallerClient } from '../../host/deps/InstallerClient';
import { fetchRuntimes, runtimeDownloadSize } from '../../host/runtimes/fetchRuntimes';
import { RuntimeMissingError } from '../../host/kernel/locateRuntime';
import { runtimePackage, RUNTIME_VERSIONS, type FetchableRuntime } from '../../host/runtimes/runtimeStore';

export class RuntimeInstaller {
  constructor(
    private readonly storage: string,
    private readonly installer: () => Promise<InstallerClient>,
    private readonly log: (m: string) => void,
  ) {}

  /** After a failed kernel start: offers the download when a runtime is missing; true once it is installed. */
  async offer(err: unknown, runtime: RuntimeKind): Promise<boolean> {
    if (!(err instanceof RuntimeMissingError)) return false;
    const download = vscode.l10n.t('Download');
    // what the download costs, as the registry says it (the prompt goes without it when it cannot say in time)
    const size = await runtimeDownloadSize(err.missing, await this.installer(), { cacheDir: contentCache(this.storage), npmrcFrom: this.storage }).catch(
      () => undefined,
    );
    const pick = await vscode.window.showInformationMessage(
      vscode.l10n.t('The {0} kernel needs {1}', RUNTIME_LABELS[runtime], describe(err.missing)),
      {
        modal: true,
        detail: `${err.detail}\n\n${vscode.l10n.t("CodaJS can download it from the npm registry into its own storage. The download is checked against the registry's sha512 integrity before it is used.")}${size ? `\n\n${vscode.l10n.t('Size: {0}.', size)}` : ''}`,
      },
      download,
    );
    return pick === download && this.fetch(err.missing, runtime);
  }

  /** Downloads runtime packages with a progress notification; false when cancelled or failed (the reason is shown). */
  async fetch(kinds: FetchableRuntime[], runtime: RuntimeKind): Promise<boolean> {
    try {
      const client = await this.installer();
      const integrity = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('CodaJS: downloading {0}', RUNTIME_LABELS[runtime]), cancellable: true },
        (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          return fetchRuntimes(
            kinds,
            client,
            { storage: this.storage, cacheDir: contentCache(this.storage), npmrcFrom: this.storage },
            { signal: abort.signal, onProgress: (message) => progress.report({ message }) },
          ).finally(() => sub.dispose());
        },
      );
      this.log(
        `downloaded ${Object.entries(integrity)
          .map(([spec, sri]) => `${spec} (${sri.slice(0, 20)}…)`)
          .join(', ')}`,
      );
      return true;
    } catch (err) {
      void vscode.window.showErrorMessage(vscode.l10n.t('CodaJS could not download {0}: {1}', RUNTIME_LABELS[runtime], (err as Error).message));
      return false;
    }
  }

  /** "CodaJS: Install Runtime": pick one and download what it needs. */
  async pickAndFetch(): Promise<void> {
    const items = (['deno', 'bun', 'sandbox', 'node'] as const).map((runtime) => {
      const kinds: FetchableRuntime[] = [...RUNTIMES[runtime].downloads];
      const detail = runtime === 'node' ? vscode.l10n.t('Node.js 24, for notebooks that declare permissions when your Node.js is older') : undefined;
      return { label: RUNTIME_LABELS[runtime], description: describe(kinds), detail, runtime, kinds };
    });
    const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('CodaJS: download a runtime from the npm registry') });
    if (pick && (await this.fetch(pick.kinds, pick.runtime)))
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} is ready. Pick "CodaJS: {0}" in the kernel picker.', RUNTIME_LABELS[pick.runtime]));
  }
}

function describe(kinds: FetchableRuntime[]): string {
  return kinds.map((k) => `${runtimePackage(k)?.name ?? k}@${RUNTIME_VERSIONS[k]}`).join(' + ');
}
