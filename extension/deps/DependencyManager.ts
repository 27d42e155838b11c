/**
 * Before a cell runs: finds the packages the notebook needs (imports, requires, `// @coda-dep` comments),
 * installs what its store lacks (a cancellable progress notification), and keeps the resolved versions in the
 * notebook's metadata (`dependencies`, `lock`) so a later run installs exactly those. Failures become the cell's
 * error. Packages already resolvable from the notebook's folder (the user's own node_modules) are left alone.
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { asCodaError, codaError, METADATA_ALLOW_SCRIPTS, METADATA_DEPENDENCIES, METADATA_LOCK, type DependencyLock } from '../../protocol';
import { isStoreComplete } from '../../host/deps/atomicStore';
import { installAccess, scriptMode } from '../../host/deps/installAccess';
import { InstallerClient, storeFor } from '../../host/deps/InstallerClient';
import { analyzeDependencies } from '../../host/deps/analyzeDependencies';
import { installForCells } from '../../host/deps/installForCells';
import { lockUpdate } from '../../host/deps/lockUpdate';
import { notebookPlugins, pluginInstallCell } from '../../host/plugins/notebookPlugins';
import { configuredPlugins } from '../plugins/configuredPlugins';
import { leaseStore } from '../../host/deps/storeLease';
import { InstallMemo } from '../pure/InstallMemo';
import type { InstallOutcome } from '../../host/run/prepareRun';
import { nodePermissionSupport } from '../../host/kernel/nodePermissionSupport';
import { fetchedRuntime } from '../../host/runtimes/runtimeStore';

export class DependencyManager implements vscode.Disposable {
  private client: InstallerClient | undefined;
  /** An installer on the downloaded Node 24, for confined install scripts when the configured Node lacks the model. */
  private confinedClient: InstallerClient | undefined;
  /** What was last installed per notebook in this session, to skip work on every run. */
  private readonly memo = new InstallMemo();
  /** Stores leased by this window (released on dispose; stale anyway once this process is gone). */
  private readonly leases = new Map<string, () => Promise<void>>();
  private readonly installed = new vscode.EventEmitter<vscode.Uri>();
  /** A notebook's or scratch file's store received packages (the editor's types read it again). */
  readonly onDidInstall = this.installed.event;

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

  /** A notebook's packages: cells whose imports could not be installed (each fails alone), or an error for every cell. */
  async ensureAll(notebook: vscode.NotebookDocument): Promise<InstallOutcome> {
    const cells = notebook
      .getCells()
      .filter((c) => c.kind === vscode.NotebookCellKind.Code)
      .map((c) => ({ cellId: c.document.uri.toString(), code: c.document.getText() }));
    const folder = notebook.uri.scheme === 'file' ? dirname(notebook.uri.fsPath) : undefined;
    // plugin packages (the notebook's and the configured ones) install with its imports, into the same store
    cells.push(...(await pluginInstallCell(notebookPlugins(notebook.metadata, folder ?? '.', configuredPlugins()))));
    return this.ensureCells(notebook.uri, documentPath(notebook), folder, cells, notebook.metadata as Record<string, unknown>);
  }

  /**
   * A scratch file's packages: the same installs as a notebook's (imports, `// @coda-dep`, one bad import failing only
   * its cell), without a lock to keep (a scratch file has no metadata).
   */
  async ensureScratch(doc: vscode.TextDocument, cells: { cellId: string; code: string }[]): Promise<InstallOutcome> {
    return this.ensureCells(
      doc.uri,
      doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString(),
      doc.uri.scheme === 'file' ? dirname(doc.uri.fsPath) : undefined,
      cells,
      {},
    );
  }

  /** The store's node_modules folder of a scratch file (its kernel resolves packages there after the file's folder). */
  scratchModulePath(doc: vscode.TextDocument): string {
    return storeFor(this.context.globalStorageUri.fsPath, doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString()).modulePath;
  }

  private async ensureCells(
    uri: vscode.Uri,
    docPath: string,
    folder: string | undefined,
    cells: { cellId: string; code: string }[],
    meta: Record<string, unknown>,
  ): Promise<InstallOutcome> {
    const lock = meta[METADATA_LOCK] as DependencyLock | undefined;
    const access = installAccess(meta);
    const allowScripts = meta[METADATA_ALLOW_SCRIPTS] === true;
    // how scripts run is part of what was installed: opting in to them (or changing permissions) installs again
    const scripts = scriptMode({ allowScripts, permissions: access.permissions });
    const { storeDir, cacheDir } = storeFor(this.context.globalStorageUri.fsPath, docPath);
    // what the cells import decides the store; a run of a notebook whose imports did not change installs nothing
    const analysis = await analyzeDependencies(cells);
    const known = this.memo.recall(uri.toString(), InstallMemo.key(analysis, lock, scripts), () => isStoreComplete(storeDir));
    if (known) return { cellErrors: known };
    let outcome;
    try {
      outcome = await installForCells(analysis, folder, storeDir, async (dependencies, store) => {
        const client = await this.installerFor(allowScripts && !!access.permissions);
        return vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: vscode.l10n.t('CodaJS: installing {0}', Object.keys(dependencies).join(', ')),
            cancellable: true,
          },
          (progress, token) => {
            const abort = new AbortController();
            const sub = token.onCancellationRequested(() => abort.abort());
            return client
              .install(
                { storeDir: store, cacheDir, dependencies, lock, allowScripts, ...access, npmrcFrom: folder ?? this.context.globalStorageUri.fsPath },
                { signal: abort.signal, onProgress: (message) => progress.report({ message }) },
              )
              .finally(() => sub.dispose());
          },
        );
      });
    } catch (err) {
      return { error: asCodaError(err) ?? codaError('InstallFailedOther', { detail: err instanceof Error ? err.message : String(err) }) };
    }
    const { result, failed } = outcome;
    for (const [name, error] of failed) this.log(`${name} could not be installed: ${error.message}`);
    if (result) {
      this.installed.fire(uri);
      // in use while this window's kernels may resolve from it: a prune (any window, coda cache) skips it
      if (!this.leases.has(storeDir)) this.leases.set(storeDir, await leaseStore(storeDir).catch(() => async () => undefined));
      this.log(
        `installed ${Object.entries(result.installed)
          .map(([n, v]) => `${n}@${v}`)
          .join(', ')} in ${result.durationMs.toFixed(0)} ms (${result.fetched} downloads${result.offline ? ', offline' : ''})`,
      );
      // only a notebook keeps a lock (a scratch file has no metadata), and only a complete install changes it
      const isNotebook = vscode.workspace.notebookDocuments.some((d) => d.uri.toString() === uri.toString());
      const update = isNotebook ? lockUpdate(meta, outcome) : undefined;
      if (update) {
        const edit = new vscode.WorkspaceEdit();
        edit.set(uri, [vscode.NotebookEdit.updateNotebookMetadata({ ...meta, [METADATA_DEPENDENCIES]: update.dependencies, [METADATA_LOCK]: update.lock })]);
        await vscode.workspace.applyEdit(edit);
      }
    }
    this.memo.remember(uri.toString(), InstallMemo.key(analysis, result?.lock ?? lock, scripts), outcome);
    return { cellErrors: outcome.cellErrors };
  }

  dispose(): void {
    for (const release of this.leases.values()) void release();
    this.installed.dispose();
    this.client?.dispose();
    this.confinedClient?.dispose();
  }
}

function documentPath(notebook: vscode.NotebookDocument): string {
  return notebook.uri.scheme === 'file' ? notebook.uri.fsPath : notebook.uri.toString();
}
