/**
 * Answers the renderers (webview/): object expansions go to the live kernel that owns the handle
 * (extension/pure/answerExpand.ts; a stale answer lets the renderer fall back to the saved preview); clicked stack
 * frames reveal the cell line; "show all" returns a cell's full console log.
 */
import * as vscode from 'vscode';
import { RENDERER_ID, type HostToRenderer, type RendererToHost } from '../../protocol';
import type { CodaController } from '../kernel/CodaController';
import type { KernelManager } from '../kernel/KernelManager';
import { answerExpand } from '../pure/answerExpand';

export function registerRendererBridge(manager: KernelManager, controller: CodaController, log: (m: string) => void): vscode.Disposable {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  const reply = (msg: HostToRenderer, editor: vscode.NotebookEditor) => void messaging.postMessage(msg, editor);
  return messaging.onDidReceiveMessage(async ({ editor, message }) => {
    const m = message as RendererToHost;
    switch (m.type) {
      case 'expand': {
        const busy = vscode.l10n.t('The kernel is busy running a cell: expand this value again when the cell finishes (or interrupt it).');
        return reply(await answerExpand(manager.kernelLookup, m, busy), editor);
      }
      case 'revealFrame':
        return revealFrame(controller, m, editor).catch((err: unknown) => log(`could not reveal ${JSON.stringify(m)}: ${String(err)}`));
      case 'showAll': {
        const cell = controller.cellForOutput(m.outputId);
        const entries = cell ? controller.consoleEntries(cell) : undefined;
        return reply(
          entries
            ? { type: 'showAllResult', requestId: m.requestId, entries }
            : { type: 'showAllResult', requestId: m.requestId, error: vscode.l10n.t('The full output is gone: run the cell again.') },
          editor,
        );
      }
      default:
        log(`unknown renderer message ${JSON.stringify(message)}`);
    }
  });
}

async function revealFrame(controller: CodaController, m: Extract<RendererToHost, { type: 'revealFrame' }>, editor: vscode.NotebookEditor): Promise<void> {
  const position = new vscode.Position(Math.max(0, m.line - 1), Math.max(0, m.column - 1));
  const selection = new vscode.Range(position, position);
  if (m.cellId) {
    const cell = controller.cell(m.cellId) ?? editor.notebook.getCells().find((c) => c.document.uri.toString() === m.cellId);
    if (!cell) return;
    editor.revealRange(new vscode.NotebookRange(cell.index, cell.index + 1), vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
    await vscode.window.showTextDocument(cell.document, { selection, preserveFocus: false });
  } else if (m.file) {
    await vscode.window.showTextDocument(vscode.Uri.file(m.file), { selection });
  }
}
