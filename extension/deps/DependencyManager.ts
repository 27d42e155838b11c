/**
 * Before a cell runs: finds the packages the notebook needs (imports, requires, `// @coda-dep` comments),
 * installs what its store lacks (a cancellable progress notification), and keeps the resolved versions in the
 * notebook's metadata (`dependencies`, `lock`) so a later run installs exactly those. Failures become the cell's
 * error. Packages already resolvable from the notebook's folder (the user's own node_modules) are left alone.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { METADATA_ALLOW_SCRIPTS, METADATA_DEPENDENCIES, METADATA_LOCK, type DependencyLock, type SerializedError } from '../../protocol';
import { analyzeDependencies } from '../../worker/deps/analyzeDependencies';
import { isStoreComplete } from '../../worker/deps/atomicStore';
import { installAccess, scriptMode } from '../../worker/deps/installAccess';
import { InstallerClient, storeFor } from '../../worker/deps/InstallerClient';
import { neededDependencies } from '../../worker/deps/neededDependencies';
import { nodePermissionSupport } from '../../worker/host/nodePermissionSupport';
import { fetchedRuntime } from '../../worker/host/runtimeStore';

export type EnsureResult = { ok: true } | { ok: false; error: SerializedError };

export class DependencyManager implements vscode.Disposable {
  private client: InstallerClient | undefined;
  /** An installer on the downloaded Node 24, for confined install scripts when the configured Node lacks the model. */
  private confinedClient: InstallerClient | undefined;
  /** What was last installed per notebook in this session, to skip work on every run. */
  private readonly done = new Map<string, string>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: (m: string) => void,
    /** The real Node the installer runs on (install scripts, when allowed, are user code). */
    private readonly nodePath: () => Promise<string>,
  ) {}

  /** The installer process client (also used to fetch runtimes). */
  async installer(): Promise<InstallerClient> {
    this.client ??= new InstallerClient({ installerPath: this.context.asAbsolutePath('dist/installer.js'), nodePath: await this.nodePath(), log: this.log });
    return this.client;
  }

  /**
   * The installer for a notebook's install: confined install scripts need Node's permission model, so when the
   * configured Node lacks it and CodaJS has downloaded Node 24 (the one permission kernels use), the installer runs
   * there; otherwise the install says which Node is needed.
   */
  private async installerFor(confinedScripts: boolean): Promise<InstallerClient> {
    const main = await this.installer();
    if (!confinedScripts) return main;
    const nodePath = await this.nodePath();
    if ((await nodePermissionSupport(nodePath).catch(() => undefined))?.permissionFlag === '--permission') return main;
    const node24 = fetchedRuntime(this.context.globalStorageUri.fsPath, 'node');
    if (!node24) return main;
    this.confinedClient ??= new InstallerClient({ installerPath: this.context.asAbsolutePath('dist/installer.js'), nodePath: node24, log: this.log });
    return this.confinedClient;
  }

  /** The store's node_modules folder of a notebook (the kernel resolves packages there after the notebook's folder). */
  modulePath(notebook: vscode.NotebookDocument): string {
    return storeFor(this.context.globalStorageUri.fsPath, documentPath(notebook)).modulePath;
  }

  async ensure(notebook: vscode.NotebookDocument, cell: vscode.NotebookCell): Promise<EnsureResult> {
    const cells = notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code).map((c) => ({ cellId: c.document.uri.toString(), code: c.document.getText() }));
    const analysis = await analyzeDependencies(cells);
    const problem = analysis.problems.find((p) => p.cellId === cell.document.uri.toString());
    if (problem) return { ok: false, error: { name: 'DependencySpecError', message: `line ${problem.line}: ${problem.message}` } };
    const folder = notebook.uri.scheme === 'file' ? dirname(notebook.uri.fsPath) : undefined;
    const { needed, dependencies } = neededDependencies(analysis.specs, folder);
    if (!needed.length) return { ok: true };
    const meta = notebook.metadata as Record<string, unknown>;
    const lock = meta[METADATA_LOCK] as DependencyLock | undefined;
    const access = installAccess(meta);
    const allowScripts = meta[METADATA_ALLOW_SCRIPTS] === true;
    // how scripts run is part of what was installed: opting in to them (or changing permissions) installs again
    const scripts = scriptMode({ allowScripts, permissions: access.permissions });
    const key = JSON.stringify([dependencies, lock ?? null, scripts]);
    const { storeDir, cacheDir, modulePath } = storeFor(this.context.globalStorageUri.fsPath, documentPath(notebook));
    // only a complete store counts (an interrupted install leaves none): a folder of the package's name is not enough
    if (this.done.get(notebook.uri.toString()) === key && isStoreComplete(storeDir) && needed.every((s) => existsSync(join(modulePath, s.name)))) return { ok: true };
    const names = Object.keys(dependencies).join(', ');
    try {
      const client = await this.installerFor(allowScripts && !!access.permissions);
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('CodaJS: installing {0}', names), cancellable: true },
        (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          return client
            .install(
              { storeDir, cacheDir, dependencies, lock, allowScripts, ...access, npmrcFrom: folder ?? this.context.globalStorageUri.fsPath },
              { signal: abort.signal, onProgress: (message) => progress.report({ message }) },
            )
            .finally(() => sub.dispose());
        },
      );
      this.log(`installed ${Object.entries(result.installed).map(([n, v]) => `${n}@${v}`).join(', ')} in ${result.durationMs.toFixed(0)} ms (${result.fetched} downloads${result.offline ? ', offline' : ''})`);
      const magic = Object.fromEntries(needed.filter((s) => s.from.kind === 'magic').map((s) => [s.name, s.range]));
      if (JSON.stringify(result.lock) !== JSON.stringify(lock ?? {}) || JSON.stringify(magic) !== JSON.stringify(meta[METADATA_DEPENDENCIES] ?? {})) {
        const edit = new vscode.WorkspaceEdit();
        edit.set(notebook.uri, [vscode.NotebookEdit.updateNotebookMetadata({ ...meta, [METADATA_DEPENDENCIES]: magic, [METADATA_LOCK]: result.lock })]);
        await vscode.workspace.applyEdit(edit);
      }
      this.done.set(notebook.uri.toString(), JSON.stringify([dependencies, result.lock, scripts]));
      return { ok: true };
    } catch (err) {
      const e = err as Error;
      return { ok: false, error: { name: e.name === 'Error' ? 'InstallFailed' : e.name, message: e.message } };
    }
  }

  dispose(): void {
    this.client?.dispose();
    this.confinedClient?.dispose();
  }
}

function documentPath(notebook: vscode.NotebookDocument): string {
  return notebook.uri.scheme === 'file' ? notebook.uri.fsPath : notebook.uri.toString();
}
