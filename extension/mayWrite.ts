/** Asks before a command writes over a file. */
import * as vscode from 'vscode';

/** True when `uri` does not exist, or the user agreed to overwrite it. */
export async function mayWrite(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    return true;
  }
  const overwrite = vscode.l10n.t('Overwrite');
  return (
    (await vscode.window.showWarningMessage(vscode.l10n.t('{0} exists. Overwrite it?', vscode.workspace.asRelativePath(uri)), { modal: true }, overwrite)) ===
    overwrite
  );
}
