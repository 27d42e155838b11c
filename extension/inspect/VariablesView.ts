/**
 * The Variables view (Explorer): the top-level bindings of the active notebook's or scratch file's kernel, with
 * type and a short preview; objects expand lazily, a page at a time, through the kernel's `expand` (the object
 * inspector's paging). Refreshed after each cell; no getter runs (the kernel reads descriptors).
 */
import * as vscode from 'vscode';
import type { PropertyPage } from '../../protocol';
import type { Kernel } from '../../host/kernel/Kernel';
import type { ActiveKernel } from './ActiveKernel';
import { nextPage, propertyRow, variableRow, VARIABLES_PAGE_SIZE, type ValueRow } from './inspectRows';

export const VARIABLES_VIEW_ID = 'codajs.variables';
export const LOAD_MORE_COMMAND = 'codajs.variables.loadMore';

type Node =
  | { kind: 'value'; row: ValueRow; kernel: Kernel; pages?: PropertyPage[] }
  | { kind: 'more'; parent: Node & { kind: 'value' }; start: number; count: number; total: number }
  | { kind: 'note'; text: string };

export class VariablesView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[] = [this.emitter];

  constructor(
    private readonly active: ActiveKernel,
    private readonly log: (message: string) => void,
  ) {
    this.subscriptions.push(
      active.onDidChange(() => this.refresh()),
      vscode.commands.registerCommand(LOAD_MORE_COMMAND, (node: Node) => this.loadMore(node)),
    );
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'note') return new vscode.TreeItem(node.text);
    if (node.kind === 'more') {
      const item = new vscode.TreeItem(vscode.l10n.t('Show {0} more of {1}…', node.count, node.total - node.start));
      item.command = { command: LOAD_MORE_COMMAND, title: vscode.l10n.t('Show more'), arguments: [node] };
      return item;
    }
    const { row } = node;
    const item = new vscode.TreeItem(row.label, row.handleId !== undefined ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.description = row.accessor ? accessorText(row.accessor) : row.description;
    item.tooltip = row.accessor ? `${row.tooltip}: ${accessorText(row.accessor)}` : row.tooltip;
    item.contextValue = 'codajs.variable';
    return item;
  }

  async getChildren(node?: Node): Promise<Node[]> {
    try {
      if (!node) return await this.roots();
      if (node.kind !== 'value' || node.row.handleId === undefined) return [];
      node.pages ??= [await node.kernel.expand({ handleId: node.row.handleId, start: 0, count: VARIABLES_PAGE_SIZE })];
      return this.pageNodes(node);
    } catch (err) {
      this.log(`Variables view: ${(err as Error).message}`);
      return [{ kind: 'note', text: vscode.l10n.t('The kernel could not answer: {0}', (err as Error).message) }];
    }
  }

  private async roots(): Promise<Node[]> {
    const kernel = this.active.kernel();
    if (!kernel) return [{ kind: 'note', text: vscode.l10n.t('No running kernel: run a cell of a CodaJS notebook or scratch file') }];
    const { variables, omitted } = await kernel.variables();
    const nodes: Node[] = variables.map((v) => ({ kind: 'value', row: variableRow(v), kernel }));
    if (!variables.length) nodes.push({ kind: 'note', text: vscode.l10n.t('No top-level bindings yet') });
    if (omitted) nodes.push({ kind: 'note', text: vscode.l10n.t('{0} more bindings are not listed', omitted) });
    return nodes;
  }

  private pageNodes(node: Node & { kind: 'value' }): Node[] {
    const pages = node.pages ?? [];
    const out: Node[] = pages.flatMap((p) => p.items.map((i): Node => ({ kind: 'value', row: propertyRow(i), kernel: node.kernel })));
    const last = pages[pages.length - 1];
    const next = last && nextPage(last);
    if (next) out.push({ kind: 'more', parent: node, start: next.start, count: next.count, total: last.total });
    return out;
  }

  private async loadMore(node: Node): Promise<void> {
    if (node.kind !== 'more' || node.parent.row.handleId === undefined) return;
    try {
      const page = await node.parent.kernel.expand({ handleId: node.parent.row.handleId, start: node.start, count: node.count });
      (node.parent.pages ??= []).push(page);
      this.emitter.fire(node.parent);
    } catch (err) {
      this.log(`Variables view: ${(err as Error).message}`);
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}

function accessorText(accessor: 'get' | 'set' | 'get/set'): string {
  if (accessor === 'set') return vscode.l10n.t('(setter)');
  return accessor === 'get' ? vscode.l10n.t('(getter, not run)') : vscode.l10n.t('(getter/setter, not run)');
}
