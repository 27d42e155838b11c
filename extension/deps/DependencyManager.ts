/**
 * Before a cell runs: finds the packages the notebook needs (imports, requires, `// @coda-dep` comments),
 * installs what its store lacks (a cancellable progress notification), and keeps the resolved versions in the
 * notebook's metadata (`dependencies`, `lock`) so a later run installs exactly those. Failures become the cell's
 * error. Packages already resolvable from the notebook's folder (the user's own node_modules) are left alone.
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import {
  asCodaError,
  codaError,
  METADATA_ALLOW_SCRIPTS,
  METADATA_DEPENDENCIES,
  METADATA_LOCK,
  type DependencyLock,
  type InstallParams,
  type InstallResult,
} from '../../protocol';
import { isStoreComplete, storeFacts, storeGeneration } from '../../host/deps/atomicStore';
import { installAccess, scriptMode } from '../../host/deps/installAccess';
import { InstallerClient, storeFor } from '../../host/deps/InstallerClient';
import { neededDependencies } from '../../host/deps/neededDependencies';
import { storesServe } from '../../host/deps/storeReuse';
import { analyzeNotebook } from '../../host/deps/helperModules';
import { installForCells, type CellsInstall } from '../../host/deps/installForCells';
import { lockUpdate } from '../../host/deps/lockUpdate';
import { notebookPlugins, pluginInstallCell } from '../../host/plugins/notebookPlugins';
import { configuredPlugins } from '../plugins/configuredPlugins';
import { leaseStore } from '../../host/deps/storeLease';
import { InstallMemo } from '../pure/InstallMemo';
import type { InstallOutcome } from '../../host/run/prepareRun';
import { nodePermissionSupport } from '../../host/kernel/nodePermissionSupport';
import { fetchedRuntime } from '../../host/runtimes/runtimeStore';
import type { FoundNode } from '../../host/kernel/findNode';
import { installerNode } from '../../host/deps/installerNode';

export class DependencyManager implements vscode.Disposable {
  private client: InstallerClient | undefined;
  /** An installer on the downloaded Node 24, for confined install scripts when the configured Node lacks the model. */
  private confinedClient: InstallerClient | undefined;
  /** An installer on the downloaded Node 24 for installs that run no scripts, when the kernel's Node is older. */
  private fastClient: InstallerClient | undefined;
  /** What was last installed per notebook in this session, to skip work on every run. */
  private readonly memo = new InstallMemo();
  /** Installs started per document (addTypes: a newer one makes the types of an older one moot). */
  private readonly generations = new Map<string, number>();
  /** Stores leased by this window (released on dispose; stale anyway once this process is gone). */
  private readonly leases = new Map<string, () => Promise<void>>();
  private readonly installed = new vscode.EventEmitter<vscode.Uri>();
  /** A notebook's or scratch file's store received packages (the editor's types read it again). */
  readonly onDidInstall = this.installed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: (m: string) => void,
    /** The real Node the kernels run on; installs that run scripts run there (install scripts are user code). */
    private readonly kernelNode: () => Promise<FoundNode>,
  ) {}

  private async nodePath(): Promise<string> {
    return (await this.kernelNode()).path;
  }

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
  private async installerFor(params: InstallParams): Promise<InstallerClient> {
    const main = await this.installer();
    if (!params.allowScripts) {
      const kernel = await this.kernelNode();
      const fast = installerNode(kernel, this.context.globalStorageUri.fsPath, false);
      if (fast.path === kernel.path) return main;
      this.fastClient ??= new InstallerClient({ installerPath: this.context.asAbsolutePath('dist/installer.js'), nodePath: fast.path, log: this.log });
      return this.fastClient;
    }
    if (!params.permissions) return main;
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
    const folder = notebookFolder(notebook);
    return this.ensureCells(notebook.uri, documentPath(notebook), folder, await installCells(notebook, folder), notebook.metadata as Record<string, unknown>);
  }

  /**
   * Starts the installer ahead of a notebook's first run when the stores on disk cannot serve its packages (nothing is
   * fetched or installed here): that run's install then finds the process loaded. Says what it found.
   */
  async warmInstaller(notebook: vscode.NotebookDocument): Promise<'no packages' | 'in the stores' | 'started'> {
    const folder = notebookFolder(notebook);
    const analysis = await analyzeNotebook(
      await installCells(notebook, folder),
      folder,
      installAccess(notebook.metadata as Record<string, unknown>).permissions,
    );
    const { dependencies } = neededDependencies(analysis.specs, folder);
    if (!Object.keys(dependencies).length) return 'no packages';
    const meta = notebook.metadata as Record<string, unknown>;
    const { storeDir, cacheDir } = storeFor(this.context.globalStorageUri.fsPath, documentPath(notebook));
    const params = await this.installParams(meta, folder, storeDir, cacheDir, dependencies);
    if (await storesServe(params)) return 'in the stores';
    (await this.installerFor(params)).warm();
    return 'started';
  }

  /** An install of `dependencies` into `storeDir` as a run of the notebook (or scratch file) with `meta` asks for it. */
  private async installParams(
    meta: Record<string, unknown>,
    folder: string | undefined,
    storeDir: string,
    cacheDir: string,
    dependencies: Record<string, string>,
  ): Promise<InstallParams> {
    const allowScripts = meta[METADATA_ALLOW_SCRIPTS] === true;
    return {
      storeDir,
      cacheDir,
      dependencies,
      lock: meta[METADATA_LOCK] as DependencyLock | undefined,
      allowScripts,
      ...installAccess(meta),
      npmrcFrom: folder ?? this.context.globalStorageUri.fsPath,
      // versions as npm on the kernel's Node would pick them, whichever Node the installer runs on (installerNode.ts)
      nodeVersion: (await this.kernelNode()).version,
      // the packages first: the kernel waits for them; the editor's types follow (addTypes). A notebook whose install
      // scripts run gets both in one install: another one would run the scripts again
      editorTypes: allowScripts,
    };
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
    const analysis = await analyzeNotebook(cells, folder, access.permissions);
    const doc = uri.toString();
    const known = this.memo.recall(doc, InstallMemo.key(analysis, lock, scripts), () => isStoreComplete(storeDir));
    if (known) return { cellErrors: known };
    // a newer install of the document makes the types an older one is still adding moot
    const generation = (this.generations.get(doc) ?? 0) + 1;
    this.generations.set(doc, generation);
    let last: { client: InstallerClient; params: InstallParams } | undefined;
    let outcome;
    try {
      outcome = await installForCells(analysis, folder, storeDir, async (dependencies, store) => {
        const params = await this.installParams(meta, folder, store, cacheDir, dependencies);
        const client = await this.installerFor(params);
        const result = await vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: vscode.l10n.t('CodaJS: installing {0}', Object.keys(dependencies).join(', ')),
            cancellable: true,
          },
          (progress, token) => {
            const abort = new AbortController();
            const sub = token.onCancellationRequested(() => abort.abort());
            return client.install(params, { signal: abort.signal, onProgress: (message) => progress.report({ message }) }).finally(() => sub.dispose());
          },
        );
        if (store === storeDir) last = { client, params };
        return result;
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
      const facts = await storeFacts(storeDir);
      const over = facts && storeGeneration(facts);
      if (last && over && !facts.types) {
        // the lock is kept once the types are in (a kept lock comes from an install that looked for them); until then
        // a run of the same imports installs nothing
        this.memo.remember(doc, InstallMemo.key(analysis, lock, scripts), outcome);
        void this.addTypes(uri, generation, last, { ...outcome, result }, over, () => InstallMemo.key(analysis, this.lockOf(uri) ?? lock, scripts));
        return { cellErrors: outcome.cellErrors };
      }
      await this.keepLock(uri, meta, outcome);
    }
    this.memo.remember(doc, InstallMemo.key(analysis, result?.lock ?? lock, scripts), outcome);
    return { cellErrors: outcome.cellErrors };
  }

  /**
   * The editor's `@types` packages, added to a store installed without them while its kernel already runs (one more
   * install over the same lock, in the background); then the editor reads the store again and the notebook keeps the
   * lock. Nothing changes when a newer install of the document started meanwhile, or replaced the store.
   */
  private async addTypes(
    uri: vscode.Uri,
    generation: number,
    last: { client: InstallerClient; params: InstallParams },
    packages: CellsInstall & { result: InstallResult },
    over: string,
    memoKey: () => string,
  ): Promise<void> {
    const doc = uri.toString();
    const meta = this.metadataOf(uri);
    let result: InstallResult;
    try {
      // the versions the packages got, and the types the notebook's lock names (they are not in a tree without types)
      const lock = { ...typesIn(last.params.lock), ...packages.result.lock };
      result = await last.client.install({ ...last.params, lock, editorTypes: true, addsTypesTo: over });
    } catch (err) {
      this.log(`the editor's types could not be added: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    if (result.superseded || this.generations.get(doc) !== generation) return;
    this.installed.fire(uri);
    const types = Object.keys(typesIn(result.lock)).filter((k) => !packages.result.lock[k]);
    this.log(
      `added the editor's types (${types.length ? types.map((k) => k.slice('node_modules/'.length)).join(', ') : 'none needed'}) in ${result.durationMs.toFixed(0)} ms`,
    );
    // the lock goes into the notebook as it is now, unless its lock changed meanwhile (then that one stands)
    const now = this.metadataOf(uri);
    if (now && meta && JSON.stringify(now[METADATA_LOCK]) === JSON.stringify(meta[METADATA_LOCK])) await this.keepLock(uri, now, { ...packages, result });
    this.memo.remember(doc, memoKey(), packages);
  }

  /** Writes the resolved versions into the notebook's metadata (a scratch file keeps none). */
  private async keepLock(uri: vscode.Uri, meta: Record<string, unknown>, outcome: CellsInstall): Promise<void> {
    if (!this.metadataOf(uri)) return;
    // only a complete install changes it
    const update = lockUpdate(meta, outcome);
    if (!update) return;
    const edit = new vscode.WorkspaceEdit();
    edit.set(uri, [vscode.NotebookEdit.updateNotebookMetadata({ ...meta, [METADATA_DEPENDENCIES]: update.dependencies, [METADATA_LOCK]: update.lock })]);
    await vscode.workspace.applyEdit(edit);
  }

  /** The open notebook's metadata, or undefined for a scratch file or a closed notebook. */
  private metadataOf(uri: vscode.Uri): Record<string, unknown> | undefined {
    return vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === uri.toString())?.metadata as Record<string, unknown> | undefined;
  }

  private lockOf(uri: vscode.Uri): DependencyLock | undefined {
    return this.metadataOf(uri)?.[METADATA_LOCK] as DependencyLock | undefined;
  }

  dispose(): void {
    for (const release of this.leases.values()) void release();
    this.installed.dispose();
    this.client?.dispose();
    this.confinedClient?.dispose();
    this.fastClient?.dispose();
  }
}

/** The `@types` packages of a lock (and what they need below them). */
function typesIn(lock: DependencyLock | undefined): DependencyLock {
  return Object.fromEntries(Object.entries(lock ?? {}).filter(([location]) => location.startsWith('node_modules/@types/')));
}

function documentPath(notebook: vscode.NotebookDocument): string {
  return notebook.uri.scheme === 'file' ? notebook.uri.fsPath : notebook.uri.toString();
}

/** The folder of a notebook saved on disk (its packages resolve from there first), else none. */
function notebookFolder(notebook: vscode.NotebookDocument): string | undefined {
  return notebook.uri.scheme === 'file' ? dirname(notebook.uri.fsPath) : undefined;
}

/** A notebook's code cells, and its plugin packages (the notebook's and the configured ones) as one more cell. */
async function installCells(notebook: vscode.NotebookDocument, folder: string | undefined): Promise<{ cellId: string; code: string }[]> {
  const cells = notebook
    .getCells()
    .filter((c) => c.kind === vscode.NotebookCellKind.Code)
    .map((c) => ({ cellId: c.document.uri.toString(), code: c.document.getText() }));
  // plugin packages install with its imports, into the same store
  cells.push(...(await pluginInstallCell(notebookPlugins(notebook.metadata, folder ?? '.', configuredPlugins()))));
  return cells;
}
