/** The kernel state of the active CodaJS notebook, in the status bar. */
import * as vscode from 'vscode';
import { CODA_NOTEBOOK_TYPE } from '../protocol/codaFile';
import type { KernelManager, KernelState } from './kernel/KernelManager';

export function statusText(state: KernelState | undefined): { text: string; tooltip: string } {
  switch (state?.kind) {
    case undefined:
      return { text: '$(circle-outline) CodaJS', tooltip: vscode.l10n.t('No kernel yet: it starts when a cell runs') };
    case 'starting':
      return { text: '$(loading~spin) CodaJS: starting', tooltip: vscode.l10n.t('Starting the kernel') };
    case 'idle':
      return { text: `$(circle-filled) CodaJS: ${state.version}`, tooltip: vscode.l10n.t('Kernel idle') };
    case 'busy':
      return { text: `$(loading~spin) CodaJS: ${state.version}`, tooltip: vscode.l10n.t('A cell is running') };
    case 'background':
      return {
        text: `$(pulse) CodaJS: ${state.version}`,
        tooltip: vscode.l10n.t('Background work (timers) still running in cell {0}', state.cells.join(', ')),
      };
    case 'stopped':
      return { text: '$(debug-disconnect) CodaJS: stopped', tooltip: vscode.l10n.t('The kernel {0}', state.reason) };
  }
}

export function registerStatusBar(manager: KernelManager): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('codajs.kernel', vscode.StatusBarAlignment.Left, 100);
  item.name = 'CodaJS Kernel';
  item.command = 'codajs.restartKernel';
  const update = () => {
    const nb = vscode.window.activeNotebookEditor?.notebook;
    if (!nb || nb.notebookType !== CODA_NOTEBOOK_TYPE) return item.hide();
    const { text, tooltip } = statusText(manager.find(nb)?.state);
    item.text = text;
    item.tooltip = `${tooltip}\n${vscode.l10n.t('Click to restart the kernel')}`;
    item.show();
  };
  update();
  return vscode.Disposable.from(item, manager.onDidChangeState(update), vscode.window.onDidChangeActiveNotebookEditor(update));
}
