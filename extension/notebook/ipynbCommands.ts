/**
 * Jupyter notebooks in VS Code without taking `.ipynb` from the Jupyter extension: "Open with CodaJS" converts an
 * `.ipynb` into a `.coda` beside it and opens that (host/notebook/ converts; nothing is run), and "Export as Jupyter
 * Notebook" writes the open `.coda`, outputs included, as an `.ipynb` beside it (for GitHub, Jupyter, Colab).
 */
import * as vscode from 'vscode';
import { CODA_NOTEBOOK_TYPE } from '../../protocol/codaFile';
import { convertNotebookText } from '../../host/notebook/convertNotebookText';
import { mayWrite } from '../mayWrite';
import { CodaSerializer } from './CodaSerializer';

export function registerIpynbCommands(): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('codajs.openIpynb', async (uri?: vscode.Uri) => {
      const source = uri instanceof vscode.Uri ? uri : vscode.window.activeNotebookEditor?.notebook.uri;
      if (!source || !source.path.endsWith('.ipynb')) return;
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(source));
      const converted = convertNotebookText(text, 'ipynb', 'coda');
      if (!converted.ok) {
        const problems = converted.problems.map((p) => p.message).join('; ');
        void vscode.window.showErrorMessage(vscode.l10n.t('{0} cannot be opened with CodaJS: {1}', vscode.workspace.asRelativePath(source), problems));
        return;
      }
      const target = source.with({ path: source.path.replace(/\.ipynb$/, '.coda') });
      if (!(await mayWrite(target))) return;
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(converted.text));
      await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(target));
      if (converted.warnings.length) void vscode.window.showWarningMessage(converted.warnings.join(' '));
    }),
    vscode.commands.registerCommand('codajs.exportIpynb', async () => {
      const nb = vscode.window.activeNotebookEditor?.notebook;
      if (!nb || nb.notebookType !== CODA_NOTEBOOK_TYPE) return;
      // the notebook as the editor holds it: unsaved edits and the outputs shown now
      const data = new vscode.NotebookData(
        nb.getCells().map((c) => {
          const cell = new vscode.NotebookCellData(c.kind, c.document.getText(), c.document.languageId);
          cell.outputs = [...c.outputs];
          cell.metadata = { ...c.metadata };
          if (c.executionSummary) cell.executionSummary = c.executionSummary;
          return cell;
        }),
      );
      data.metadata = { ...nb.metadata };
      const coda = new TextDecoder().decode(new CodaSerializer().serializeNotebook(data));
      const converted = convertNotebookText(coda, 'coda', 'ipynb');
      if (!converted.ok) return void vscode.window.showErrorMessage(converted.problems.map((p) => p.message).join('; '));
      const target = nb.uri.with({ path: nb.uri.path.replace(/(\.coda)?$/, '.ipynb') });
      if (!(await mayWrite(target))) return;
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(converted.text));
      void vscode.window.showInformationMessage(vscode.l10n.t('Exported {0}', vscode.workspace.asRelativePath(target)));
    }),
  );
}
