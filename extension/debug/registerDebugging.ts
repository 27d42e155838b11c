/**
 * Debug Cell (notebook cell toolbar, command palette) and Debug Scratch: VS Code's JavaScript debugger attached to the
 * kernel for one run (KernelDebugger, DebugRuns). Returns the hooks the notebook controller and scratch sessions call
 * around a run.
 */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { Kernel } from '../../host/kernel/Kernel';
import type { CellDebugHooks } from '../kernel/CodaController';
import { DebugRuns } from './DebugRuns';
import { KernelDebugger } from './KernelDebugger';

export interface ScratchDebugHooks {
  beforeRun(doc: vscode.TextDocument, kernel: Kernel): Promise<void>;
  afterRun(doc: vscode.TextDocument): void;
}

export interface Debugging {
  cells: CellDebugHooks;
  scratch: ScratchDebugHooks;
  disposable: vscode.Disposable;
}

/** A command's notebook cell: the toolbar passes it, the palette means the active editor's selected cell. */
function cellOf(arg: unknown): vscode.NotebookCell | undefined {
  const given = (arg as { cell?: unknown } | undefined)?.cell ?? arg;
  if (given && typeof given === 'object' && 'notebook' in given && 'document' in given) return given as vscode.NotebookCell;
  const editor = vscode.window.activeNotebookEditor;
  const index = editor?.selection.start;
  return editor && index !== undefined && index < editor.notebook.cellCount ? editor.notebook.cellAt(index) : undefined;
}

export function registerDebugging(context: vscode.ExtensionContext, log: (message: string) => void): Debugging {
  const kernelDebugger = new KernelDebugger([context.asAbsolutePath('dist')], log);
  const runs = new DebugRuns(kernelDebugger);
  const folderOf = (uri: vscode.Uri) => vscode.workspace.getWorkspaceFolder(uri);
  const disposable = vscode.Disposable.from(
    kernelDebugger,
    vscode.commands.registerCommand('codajs.debugCell', async (arg?: unknown) => {
      const cell = cellOf(arg);
      if (!cell) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Select a cell of a CodaJS notebook to debug.'));
        return;
      }
      runs.request(cell.document.uri.toString());
      await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: cell.index, end: cell.index + 1 }], document: cell.notebook.uri });
    }),
    vscode.commands.registerCommand('codajs.debugScratch', async (uri?: vscode.Uri) => {
      const doc = uri instanceof vscode.Uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
      if (!doc) return;
      runs.request(doc.uri.toString());
      await vscode.commands.executeCommand('codajs.runScratch', doc.uri);
    }),
  );
  return {
    cells: {
      beforeRun: (cell, kernel) =>
        runs.before(
          cell.document.uri.toString(),
          kernel,
          vscode.l10n.t('Debug cell {0} of {1}', cell.index + 1, basename(cell.notebook.uri.path)),
          folderOf(cell.notebook.uri),
        ),
      afterRun: (cell) => runs.after(cell.document.uri.toString()),
    },
    scratch: {
      beforeRun: (doc, kernel) => runs.before(doc.uri.toString(), kernel, vscode.l10n.t('Debug {0}', basename(doc.uri.path)), folderOf(doc.uri)),
      afterRun: (doc) => runs.after(doc.uri.toString()),
    },
    disposable,
  };
}
