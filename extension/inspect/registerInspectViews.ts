/** Registers the Variables and Pending Work views (Explorer) and their commands. */
import * as vscode from 'vscode';
import type { KernelManager } from '../kernel/KernelManager';
import { ActiveKernel } from './ActiveKernel';
import { PENDING_VIEW_ID, PendingWorkView } from './PendingWorkView';
import type { ScratchKernels } from './ScratchKernels';
import { VARIABLES_VIEW_ID, VariablesView } from './VariablesView';

export function registerInspectViews(manager: KernelManager, scratch: ScratchKernels, log: (message: string) => void): vscode.Disposable {
  const active = new ActiveKernel(manager, scratch);
  const variables = new VariablesView(active, log);
  const pending = new PendingWorkView(active, log);
  const pendingTree = vscode.window.createTreeView(PENDING_VIEW_ID, { treeDataProvider: pending });
  pending.visible(pendingTree.visible === true);
  return vscode.Disposable.from(
    active,
    variables,
    pending,
    vscode.window.createTreeView(VARIABLES_VIEW_ID, { treeDataProvider: variables }),
    pendingTree,
    pendingTree.onDidChangeVisibility((e) => pending.visible(e.visible)),
    vscode.commands.registerCommand('codajs.refreshVariables', () => variables.refresh()),
    vscode.commands.registerCommand('codajs.refreshPendingWork', () => pending.refresh()),
  );
}
