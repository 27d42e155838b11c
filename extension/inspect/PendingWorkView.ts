/**
 * The Pending Work view (Explorer): per cell, the background work the active kernel's cells started that is still
 * pending (timers, servers, sockets, child processes, fetches), each with the cell line that created it and a
 * Cancel action that stops it alone (the kernel and its state stay). Refreshed after each cell and, while the view
 * is visible and a kernel runs, every PENDING_POLL_MS (work also ends by itself).
 */
import * as vscode from 'vscode';
import type { WorkItem } from '../../protocol';
import type { Kernel } from '../../host/kernel/Kernel';
import type { ActiveKernel } from './ActiveKernel';
import { workGroups, type WorkGroup } from './inspectRows';

export const PENDING_VIEW_ID = 'codajs.pendingWork';
export const CANCEL_WORK_COMMAND = 'codajs.cancelWork';
export const REVEAL_WORK_COMMAND = 'codajs.revealWork';
/** Notebook cell ids are their documents' URIs (CodaController.cellId): those open at the creation line. */
const NOTEBOOK_CELL_SCHEME = 'vscode-notebook-cell:';
/** How often a visible Pending Work view asks the kernel again. */
export const PENDING_POLL_MS = 2000;

type Node = { kind: 'cell'; group: WorkGroup; kernel: Kernel } | { kind: 'work'; item: WorkItem; kernel: Kernel } | { kind: 'note'; text: string };

export class PendingWorkView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[] = [this.emitter];
  private poll: ReturnType<typeof setInterval> | undefined;
  /** A request is on its way (a busy kernel answers late): the poll does not pile more up. */
  private asking = false;

  constructor(
    private readonly active: ActiveKernel,
    private readonly log: (message: string) => void,
  ) {
    this.subscriptions.push(
      active.onDidChange(() => this.refresh()),
      vscode.commands.registerCommand(CANCEL_WORK_COMMAND, (node?: Node) => this.cancel(node)),
      vscode.commands.registerCommand(REVEAL_WORK_COMMAND, (item: WorkItem) => this.reveal(item)),
      { dispose: () => this.visible(false) },
    );
  }

  /** The tree view's visibility: poll only while someone can see it. */
  visible(shown: boolean): void {
    if (shown && !this.poll) this.poll = setInterval(() => !this.asking && this.active.kernel() && this.refresh(), PENDING_POLL_MS);
    else if (!shown && this.poll) {
      clearInterval(this.poll);
      this.poll = undefined;
    }
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'note') return new vscode.TreeItem(node.text);
    if (node.kind === 'cell') {
      const item = new vscode.TreeItem(vscode.l10n.t('Cell {0}', node.group.label), vscode.TreeItemCollapsibleState.Expanded);
      item.description = vscode.l10n.t('{0} pending', node.group.items.length);
      item.id = `cell:${node.group.cellId}`;
      return item;
    }
    const { item: work } = node;
    const item = new vscode.TreeItem(work.description);
    item.id = `work:${work.id}`;
    const loc = work.location;
    item.description = loc ? vscode.l10n.t('line {0}', loc.line) : '';
    item.tooltip = loc
      ? vscode.l10n.t('{0} ({1}), created at cell{2} line {3}, column {4}', work.description, work.kind, loc.cellLabel ?? '', loc.line, loc.column)
      : vscode.l10n.t('{0} ({1}), created outside the cell code (a library or the runtime)', work.description, work.kind);
    item.iconPath = new vscode.ThemeIcon(ICONS[work.kind]);
    item.contextValue = work.cancellable ? 'codajs.work.cancellable' : 'codajs.work';
    if (loc?.cellId.startsWith(NOTEBOOK_CELL_SCHEME))
      item.command = { command: REVEAL_WORK_COMMAND, title: vscode.l10n.t('Go to the cell line'), arguments: [work] };
    return item;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (node?.kind === 'cell') return node.group.items.map((item) => ({ kind: 'work', item, kernel: node.kernel }));
    if (node) return [];
    const kernel = this.active.kernel();
    if (!kernel) return [{ kind: 'note', text: vscode.l10n.t('No running kernel') }];
    this.asking = true;
    try {
      const { items, limitation } = await kernel.pendingWork();
      const nodes: Node[] = workGroups(items).map((group) => ({ kind: 'cell', group, kernel }));
      if (!items.length) nodes.push({ kind: 'note', text: vscode.l10n.t('No pending work') });
      if (limitation) nodes.push({ kind: 'note', text: limitation });
      return nodes;
    } catch (err) {
      this.log(`Pending Work view: ${(err as Error).message}`);
      return [{ kind: 'note', text: vscode.l10n.t('The kernel could not answer: {0}', (err as Error).message) }];
    } finally {
      this.asking = false;
    }
  }

  private async cancel(node?: Node): Promise<void> {
    if (node?.kind !== 'work') return;
    try {
      await node.kernel.cancelWork(node.item.id);
    } catch (err) {
      this.log(`Pending Work view: cancelling ${node.item.description} failed: ${(err as Error).message}`);
    }
    this.refresh();
  }

  /** Opens the notebook cell that created the work, at that line. */
  private async reveal(work: WorkItem): Promise<void> {
    const loc = work.location;
    if (!loc) return;
    const position = new vscode.Position(Math.max(0, loc.line - 1), Math.max(0, loc.column - 1));
    try {
      await vscode.window.showTextDocument(vscode.Uri.parse(loc.cellId), { selection: new vscode.Range(position, position) });
    } catch (err) {
      this.log(`Pending Work view: cannot open ${loc.cellId}: ${(err as Error).message}`);
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

const ICONS: Record<WorkItem['kind'], string> = {
  await: 'loading',
  timeout: 'watch',
  interval: 'sync',
  immediate: 'debug-step-over',
  server: 'server-process',
  socket: 'plug',
  'child-process': 'terminal',
  fetch: 'cloud-download',
};
