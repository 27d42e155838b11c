/**
 * Keeps each kernel's checkpoints in step with the `//?` markers of its documents (notebook cells, scratch files):
 * sent when a kernel starts and when a document changes (debounced), without running anything; and collects the
 * kernels' hits in the CheckpointStore.
 */
import * as vscode from 'vscode';
import { CODA_NOTEBOOK_TYPE } from '../../protocol/codaFile';
import type { Kernel } from '../../host/kernel/Kernel';
import type { ScratchKernels } from '../inspect/ScratchKernels';
import type { KernelManager } from '../kernel/KernelManager';
import { cellSourceUri } from '../pure/cellSourceUri';
import { CHECKPOINT_MARKER, checkpointComments } from '../pure/checkpointComments';
import type { CheckpointStore } from '../pure/CheckpointStore';

/** Edits settle this long before a document's checkpoints are sent again. */
export const CHECKPOINT_SYNC_DELAY_MS = 300;

export class CheckpointSync implements vscode.Disposable {
  /** What each kernel was last told, per document: nothing is sent twice. */
  private readonly sent = new WeakMap<Kernel, Map<string, string>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires when hits arrive or checkpoints change. */
  readonly onDidChange = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly store: CheckpointStore,
    private readonly manager: KernelManager,
    private readonly scratch: ScratchKernels,
    private readonly log: (message: string) => void,
  ) {
    const offScratch = scratch.onDidChange(() => vscode.workspace.textDocuments.forEach((d) => this.syncSoon(d, 0)));
    this.subscriptions = [
      this.emitter,
      { dispose: offScratch },
      manager.onDidChangeState((nk) => nk.notebook.getCells().forEach((c) => this.syncSoon(c.document, 0))),
      vscode.workspace.onDidChangeTextDocument((e) => this.syncSoon(e.document, CHECKPOINT_SYNC_DELAY_MS)),
      { dispose: () => this.timers.forEach((t) => clearTimeout(t)) },
    ];
  }

  /** The kernel that runs a document: its notebook's, or its scratch file's. */
  kernelOf(doc: vscode.TextDocument): Kernel | undefined {
    if (doc.uri.scheme === 'file') return this.scratch.get(doc.uri.fsPath);
    const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.notebookType === CODA_NOTEBOOK_TYPE && nb.getCells().some((c) => c.document === doc));
    return notebook && this.manager.find(notebook)?.slot.kernel;
  }

  private syncSoon(doc: vscode.TextDocument, delay: number): void {
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.sync(doc);
      }, delay),
    );
  }

  private async sync(doc: vscode.TextDocument): Promise<void> {
    const kernel = this.kernelOf(doc);
    if (!kernel?.alive) return;
    const uri = cellSourceUri(doc.uri);
    let sent = this.sent.get(kernel);
    if (!sent) {
      this.sent.set(kernel, (sent = new Map()));
      const off = kernel.onEvent('checkpointHits', ({ checkpoints }) => {
        this.store.update(checkpoints);
        this.emitter.fire();
      });
      kernel.onExit(off);
    }
    const text = doc.getText();
    const checkpoints = text.includes(CHECKPOINT_MARKER) ? checkpointComments(text) : [];
    const key = JSON.stringify(checkpoints);
    if ((sent.get(uri) ?? '[]') === key) return;
    sent.set(uri, key);
    this.store.retain(
      uri,
      checkpoints.map((c) => c.id),
    );
    this.emitter.fire();
    try {
      await kernel.setCheckpoints({ uri, checkpoints });
    } catch (err) {
      // a kernel without checkpoints (Bun, the Sandbox) says so once per document, in the log
      this.log(`checkpoints of ${vscode.workspace.asRelativePath(doc.uri)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
