/** Notebook outputs for results, errors and rich display data. */
import * as vscode from 'vscode';
import { DISPLAY_ID_KEY, MIME_ERROR, MIME_VALUE, type DisplayData, type ErrorOutput, type RemoteValue } from '../../protocol';
import { formatError } from '../../host/format/formatText';
import { resultOutputData } from '../pure/resultOutputData';

/** A cell's result: its value for the renderer, and its full text as the text/plain sibling (resultOutputData.ts). */
export function valueOutput(value: RemoteValue): vscode.NotebookCellOutput {
  const data = resultOutputData(value);
  return new vscode.NotebookCellOutput([
    vscode.NotebookCellOutputItem.json(data.value, MIME_VALUE),
    vscode.NotebookCellOutputItem.text(data.text, 'text/plain'),
  ]);
}

export function errorOutput(payload: ErrorOutput, label: (cellId: string) => string): vscode.NotebookCellOutput {
  const text = payload.interrupted ? vscode.l10n.t('Interrupted') : formatError(payload.error, label);
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.json(payload, MIME_ERROR), vscode.NotebookCellOutputItem.text(text, 'text/plain')]);
}

/** A display output; one shown with a display id keeps it in its metadata (saved with the notebook, exported to .ipynb). */
export function displayOutput(data: DisplayData[], displayId?: string): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput(
    data.map((d) => new vscode.NotebookCellOutputItem(d.encoding === 'base64' ? Buffer.from(d.data, 'base64') : Buffer.from(d.data, 'utf8'), d.mime)),
    displayId === undefined ? undefined : { [DISPLAY_ID_KEY]: displayId },
  );
}
