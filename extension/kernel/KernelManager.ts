/**
 * One kernel per notebook, started on its first execution (never at activation) and replaced after a crash
 * or a restart. Owns the kernels; reports state changes for the status bar.
 */
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { CODA_NOTEBOOK_TYPE, permissionsKey, type InitParams, type RuntimeKind } from '../../protocol';
import type { Kernel } from '../../host/kernel/Kernel';
import type { KernelAccess } from '../../host/run/resolveAccess';
import { notebookPlugins } from '../../host/plugins/notebookPlugins';
import { configuredPlugins } from '../plugins/configuredPlugins';
import { kernelsOf, type KernelLookup } from '../pure/answerExpand';
import { NotebookRuns } from '../pure/NotebookRuns';
import { KernelHandover, notebookSignature, PARK_MS, renamedKey } from '../pure/KernelHandover';

export type { KernelState } from '../pure/NotebookRuns';

/** A notebook's queue, kernel, execution count and state (extension/pure/NotebookRuns.ts). */
export type NotebookKernel = NotebookRuns<vscode.NotebookDocument>;

export type StartKernel = (init: InitParams) => Promise<Kernel>;

export class KernelManager implements vscode.Disposable {
  private readonly kernels = new Map<string, NotebookKernel>();
  private readonly stateEmitter = new vscode.EventEmitter<NotebookKernel>();
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly handover = new KernelHandover<NotebookKernel, vscode.NotebookDocument>((nk) => nk.dispose(), signatureOf);
  /** Documents opened without a kernel that may still be a Save As of a notebook whose editor is about to go. */
  private readonly unclaimed = new Set<vscode.NotebookDocument>();

  constructor(
    private readonly start: StartKernel,
    private readonly onKernel: (nk: NotebookKernel, kernel: Kernel) => void,
    /** Dependency store folders a notebook's kernel resolves packages from. */
    private readonly modulePaths: (notebook: vscode.NotebookDocument) => string[] = () => [],
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.closed(nb)),
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.opened(nb)),
      // a rename or move of a .coda file (or of a folder holding some) takes their kernels along, whenever VS Code
      // gets round to closing the old documents
      vscode.workspace.onDidRenameFiles((e) => e.files.forEach((f) => this.renamed(f.oldUri.toString(), f.newUri.toString()))),
      vscode.window.onDidChangeVisibleNotebookEditors(() => this.claimTwins()),
      // a document can open empty and get its cells a moment later (a Save As does)
      vscode.workspace.onDidChangeNotebookDocument((e) => this.unclaimed.has(e.notebook) && this.claimTwins()),
    );
  }

  entry(notebook: vscode.NotebookDocument): NotebookKernel {
    const key = notebook.uri.toString();
    let nk = this.kernels.get(key);
    // a kernel moved here by a rename still knows the old document
    if (nk && nk.notebook !== notebook) nk.notebook = notebook;
    if (!nk) this.kernels.set(key, (nk = this.created(notebook)));
    return nk;
  }

  private created(notebook: vscode.NotebookDocument): NotebookKernel {
    return new NotebookRuns(notebook, { changed: (nk) => this.stateEmitter.fire(nk), started: (nk, kernel) => this.onKernel(nk, kernel) });
  }

  find(notebook: vscode.NotebookDocument): NotebookKernel | undefined {
    return this.kernels.get(notebook.uri.toString());
  }

  /** The live kernels by id, for renderer expansions (a kernel that was restarted or closed is gone). */
  readonly kernelLookup: KernelLookup = kernelsOf(() => this.kernels.values());

  /**
   * The notebook's running kernel, starting one if there is none (or the last one died). A kernel started for
   * another runtime, other permissions or other secrets is stopped first: its state cannot carry over.
   */
  async ensure(notebook: vscode.NotebookDocument, runtime: RuntimeKind, access: KernelAccess = {}): Promise<Kernel> {
    const nk = this.entry(notebook);
    return nk.slot.ensure(launchKey(runtime, access), () => this.start({ ...initFor(notebook, runtime), modulePaths: this.modulePaths(notebook), ...access }));
  }

  /** Stops the notebook's kernel; the next execution starts a clean one. */
  async restart(notebook: vscode.NotebookDocument): Promise<void> {
    await this.entry(notebook).restart(vscode.l10n.t('restarted: the next run starts a fresh kernel'));
  }

  interrupt(notebook: vscode.NotebookDocument): void {
    this.find(notebook)?.interrupt();
  }

  /** A closed notebook's kernel stops, unless the notebook was only saved under another name or moved. */
  private closed(notebook: vscode.NotebookDocument): void {
    this.unclaimed.delete(notebook);
    const key = notebook.uri.toString();
    const nk = this.kernels.get(key);
    // a kernel that moved on (rename, Save As) belongs to the new document now
    if (!nk || nk.notebook !== notebook) return;
    this.kernels.delete(key);
    if (!nk.slot.kernel) {
      nk.dispose();
      return;
    }
    const successor = this.handover.closed(signatureOf(notebook), nk);
    if (successor) this.adopt(nk, successor);
    else this.log(`${key} closed with a live kernel: it waits ${PARK_MS} ms for the notebook's new name (Save As, rename)`);
  }

  /** A new notebook document: the one a Save As made of a notebook with a kernel takes that kernel. */
  private opened(notebook: vscode.NotebookDocument): void {
    if (notebook.notebookType !== CODA_NOTEBOOK_TYPE || this.kernels.has(notebook.uri.toString())) return;
    const twin = this.twinOf(notebook);
    if (twin) {
      this.kernels.delete(twin.notebook.uri.toString());
      this.adopt(twin, notebook);
      return;
    }
    const nk = this.handover.opened(notebook);
    if (nk) this.adopt(nk, notebook);
    else this.unclaimed.add(notebook);
  }

  /**
   * The notebook a Save As came from: a document with a live kernel and the same cells that is untitled, or that no
   * editor tab holds any more (VS Code keeps the old document open for a while after a Save As). A notebook open in
   * another tab keeps its kernel, even when a file with the same cells opens.
   */
  private twinOf(notebook: vscode.NotebookDocument): NotebookKernel | undefined {
    const tabs = new Set(
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).flatMap((t) => (t.input instanceof vscode.TabInputNotebook ? [t.input.uri.toString()] : [])),
    );
    const shown = { has: (d: vscode.NotebookDocument) => tabs.has(d.uri.toString()) };
    const signature = signatureOf(notebook);
    for (const nk of this.kernels.values()) {
      const old = nk.notebook;
      if (old === notebook || !nk.slot.kernel || (!old.isUntitled && shown.has(old)) || old.isClosed) continue;
      if (signatureOf(old) === signature) return nk;
    }
    return undefined;
  }

  /** New documents without a kernel try again once editors changed (the old document's editor may just have gone). */
  private claimTwins(): void {
    for (const notebook of [...this.unclaimed]) {
      if (notebook.isClosed || this.kernels.has(notebook.uri.toString())) {
        this.unclaimed.delete(notebook);
        continue;
      }
      const twin = this.twinOf(notebook);
      if (twin) this.kernels.delete(twin.notebook.uri.toString());
      const nk = twin ?? this.handover.changed(notebook);
      if (nk) this.adopt(nk, notebook);
    }
  }

  private renamed(oldKey: string, newKey: string): void {
    for (const [key, nk] of [...this.kernels]) {
      const target = renamedKey(key, oldKey, newKey);
      if (target === undefined || this.kernels.has(target)) continue;
      this.kernels.delete(key);
      this.kernels.set(target, nk);
      const opened = vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === target);
      this.log(`kernel of ${key} moved with the notebook to ${target}`);
      if (opened) this.adopt(nk, opened);
    }
  }

  private adopt(nk: NotebookKernel, notebook: vscode.NotebookDocument): void {
    this.log(`kernel of ${nk.notebook.uri.toString()} kept for ${notebook.uri.toString()}`);
    this.unclaimed.delete(notebook);
    this.kernels.set(notebook.uri.toString(), nk);
    nk.moved(notebook);
  }

  dispose(): void {
    this.handover.dispose();
    for (const nk of this.kernels.values()) nk.dispose();
    this.kernels.clear();
    this.stateEmitter.dispose();
    this.subscriptions.forEach((s) => s.dispose());
  }
}

function launchKey(runtime: RuntimeKind, access: KernelAccess): string {
  return JSON.stringify([runtime, permissionsKey(access.permissions), access.env ?? {}]);
}

function initFor(notebook: vscode.NotebookDocument, runtime: RuntimeKind): InitParams {
  const cwd = kernelFolder(notebook.uri);
  const plugins = notebookPlugins(notebook.metadata, cwd, configuredPlugins()).specs;
  return { cwd, documentPath: notebook.uri.scheme === 'file' ? notebook.uri.fsPath : notebook.uri.toString(), runtime, ...(plugins.length && { plugins }) };
}

/** Where a document's kernel runs and resolves packages: its folder, else its workspace folder, else home. */
export function kernelFolder(uri: vscode.Uri): string {
  if (uri.scheme === 'file') return dirname(uri.fsPath);
  const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? folder.uri.fsPath : homedir();
}

function signatureOf(notebook: vscode.NotebookDocument): string {
  return notebookSignature(notebook.getCells().map((c) => ({ kind: c.kind, language: c.document.languageId, text: c.document.getText() })));
}
