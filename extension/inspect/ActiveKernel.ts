/**
 * The kernel the inspect views show: the active CodaJS notebook's (through KernelManager), or the active scratch
 * file's (ScratchKernels). Fires when the user moves to another notebook or file, and when that kernel finishes a
 * cell, changes state or exits, so the views refresh after each cell.
 */
import * as vscode from 'vscode';
import { CODA_NOTEBOOK_TYPE } from '../../protocol/codaFile';
import type { Kernel } from '../../host/kernel/Kernel';
import type { KernelManager } from '../kernel/KernelManager';
import type { ScratchKernels } from './ScratchKernels';

type Target = { kind: 'notebook'; notebook: vscode.NotebookDocument } | { kind: 'scratch'; path: string };

export class ActiveKernel implements vscode.Disposable {
  private target: Target | undefined;
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[] = [this.emitter];

  constructor(
    private readonly manager: KernelManager,
    private readonly scratch: ScratchKernels,
  ) {
    this.follow();
    const offScratch = scratch.onDidChange(() => this.target?.kind === 'scratch' && this.emitter.fire());
    this.subscriptions.push(
      { dispose: offScratch },
      vscode.window.onDidChangeActiveNotebookEditor(() => this.follow()),
      vscode.window.onDidChangeActiveTextEditor(() => this.follow()),
      // not while a cell runs: the kernel answers only between cells' synchronous runs; the end of the cell fires
      manager.onDidChangeState(
        (nk) => this.target?.kind === 'notebook' && nk.notebook === this.target.notebook && nk.state?.kind !== 'busy' && this.emitter.fire(),
      ),
    );
  }

  /** The live kernel of the active notebook or scratch file, if it has one. */
  kernel(): Kernel | undefined {
    const t = this.target;
    if (!t) return undefined;
    if (t.kind === 'scratch') return this.scratch.get(t.path);
    return this.manager.find(t.notebook)?.slot.kernel;
  }

  /** Shown above the views: what they are about. */
  title(): string | undefined {
    const t = this.target;
    if (!t) return undefined;
    return vscode.workspace.asRelativePath(t.kind === 'scratch' ? vscode.Uri.file(t.path) : t.notebook.uri);
  }

  /** A focused text editor that is a file (not a notebook cell) is a scratch file; else the active CodaJS notebook. */
  private follow(): void {
    const before = this.target;
    const doc = vscode.window.activeTextEditor?.document;
    const notebook = vscode.window.activeNotebookEditor?.notebook;
    if (doc && doc.uri.scheme === 'file') this.target = { kind: 'scratch', path: doc.uri.fsPath };
    else if (notebook?.notebookType === CODA_NOTEBOOK_TYPE) this.target = { kind: 'notebook', notebook };
    else return; // focus went to a view, a panel or another kind of editor: keep showing the last one
    if (!sameTarget(before, this.target)) this.emitter.fire();
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

function sameTarget(a: Target | undefined, b: Target | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.kind === 'scratch') return b.kind === 'scratch' && a.path === b.path;
  return b.kind === 'notebook' && a.notebook === b.notebook;
}
