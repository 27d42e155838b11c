/**
 * The Checkpoints view: every checkpoint with its hit count and last value, and under it its last hits (newest
 * first). Clicking a checkpoint opens its line.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { CheckpointHit, CheckpointHits } from '../../protocol';
import { checkpointInline, hitTime } from '../pure/checkpointText';
import type { CheckpointStore } from '../pure/CheckpointStore';

export const CHECKPOINTS_VIEW_ID = 'codajs.checkpoints';

type Node = { kind: 'checkpoint'; hits: CheckpointHits } | { kind: 'hit'; hit: CheckpointHit };

/** The editor URI of a CellSource uri (a scratch file's path, or a notebook cell's URI). */
export function documentUri(uri: string): vscode.Uri {
  return uri.startsWith('/') || /^[A-Za-z]:[\\/]/.test(uri) ? vscode.Uri.file(uri) : vscode.Uri.parse(uri);
}

export class CheckpointsView implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly store: CheckpointStore) {}

  refresh(): void {
    this.emitter.fire();
  }

  getChildren(node?: Node): Node[] {
    if (!node) return this.store.all().map((hits) => ({ kind: 'checkpoint', hits }));
    if (node.kind === 'checkpoint') return [...node.hits.recent].reverse().map((hit) => ({ kind: 'hit', hit }));
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    if (node.kind === 'hit') {
      const item = new vscode.TreeItem(node.hit.text);
      item.description = hitTime(node.hit);
      item.iconPath = new vscode.ThemeIcon(node.hit.error ? 'warning' : 'debug-breakpoint-log');
      item.tooltip = node.hit.text;
      return item;
    }
    const { hits } = node;
    const doc = documentUri(hits.uri);
    const item = new vscode.TreeItem(`${basename(doc.path)}:${hits.line + 1}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.description = checkpointInline(hits);
    item.iconPath = new vscode.ThemeIcon('debug-breakpoint-log');
    item.contextValue = 'codajs.checkpoint';
    item.command = {
      command: 'vscode.open',
      title: vscode.l10n.t('Open'),
      arguments: [doc, { selection: new vscode.Range(hits.line, 0, hits.line, 0) }],
    };
    return item;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
