/** CodaJS commands for notebooks. */
import * as vscode from 'vscode';
import { CODA_NOTEBOOK_TYPE } from '../protocol/codaFile';
import type { KernelManager } from './kernel/KernelManager';
import type { Log } from './log';

function activeNotebook(arg?: unknown): vscode.NotebookDocument | undefined {
  const fromArg = (arg as { notebookEditor?: { notebookUri?: vscode.Uri } } | undefined)?.notebookEditor?.notebookUri;
  if (fromArg) return vscode.workspace.notebookDocuments.find((d) => d.uri.toString() === fromArg.toString());
  const nb = vscode.window.activeNotebookEditor?.notebook;
  return nb?.notebookType === CODA_NOTEBOOK_TYPE ? nb : undefined;
}

export function registerCommands(manager: KernelManager, log: Log): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('codajs.restartKernel', async (arg?: unknown) => {
      const nb = activeNotebook(arg);
      if (!nb) return;
      await manager.restart(nb);
      log.write('info', `kernel of ${nb.uri.toString()} restarted by the user`);
    }),
    vscode.commands.registerCommand('codajs.interruptKernel', (arg?: unknown) => {
      const nb = activeNotebook(arg);
      if (nb) manager.interrupt(nb);
    }),
    vscode.commands.registerCommand('codajs.newNotebook', async () => {
      const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, '', 'javascript');
      const doc = await vscode.workspace.openNotebookDocument(CODA_NOTEBOOK_TYPE, new vscode.NotebookData([cell]));
      await vscode.window.showNotebookDocument(doc);
      return doc;
    }),
    vscode.commands.registerCommand('codajs.showLogs', () => log.channel.show()),
  );
}
