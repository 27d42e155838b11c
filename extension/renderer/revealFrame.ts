/**
 * A clicked stack frame, revealed only when this notebook's outputs show it (extension/pure/outputsHoldFrame.ts): a
 * cell frame opens that cell of this notebook; a file frame opens the file when it lies in the notebook's folder or
 * the workspace, after symlinks and `..` are resolved, and otherwise asks first, naming the path
 * (extension/pure/fileFrameTarget.ts). The renderer posts only for a real click, but the webview may be hostile, so
 * nothing here trusts it.
 */
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { RendererToHost } from '../../protocol';
import { fileFrameTarget } from '../pure/fileFrameTarget';
import { outputsHoldFrame } from '../pure/outputsHoldFrame';

type RevealMessage = Extract<RendererToHost, { type: 'revealFrame' }>;

export async function revealFrame(m: RevealMessage, editor: vscode.NotebookEditor, log: (m: string) => void): Promise<void> {
  const notebook = editor.notebook;
  const items = notebook.getCells().flatMap((c) => c.outputs.flatMap((o) => o.items));
  if (!outputsHoldFrame(items, m)) return log(`refused a reveal of a frame no output of ${notebook.uri.toString()} shows`);
  const position = new vscode.Position(m.line - 1, Math.max(0, m.column - 1));
  const selection = new vscode.Range(position, position);
  if (m.cellId !== undefined) {
    const cell = notebook.getCells().find((c) => c.document.uri.toString() === m.cellId);
    if (!cell) return log('refused a reveal of a cell that is not in this notebook');
    editor.revealRange(new vscode.NotebookRange(cell.index, cell.index + 1), vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
    await vscode.window.showTextDocument(cell.document, { selection, preserveFocus: false });
    return;
  }
  if (m.file === undefined) return;
  const target = await fileFrameTarget(m.file, frameRoots(notebook));
  if (target.kind === 'refused') return log(`refused a reveal of a file frame: ${target.reason}`);
  if (target.kind === 'ask') {
    const open = vscode.l10n.t('Open');
    const answer = await vscode.window.showWarningMessage(
      vscode.l10n.t('A stack frame in this notebook names a file outside its folder and the workspace:'),
      { modal: true, detail: target.path },
      open,
    );
    if (answer !== open) return;
  }
  await vscode.window.showTextDocument(vscode.Uri.file(target.path), { selection, preview: true });
}

/** Folders whose files a frame may open without asking: the notebook's own and the workspace's (on disk). */
function frameRoots(notebook: vscode.NotebookDocument): string[] {
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  if (notebook.uri.scheme === 'file') roots.push(dirname(notebook.uri.fsPath));
  return roots;
}
