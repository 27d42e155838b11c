/**
 * Answers the renderers (webview/). Every message is checked first (extension/pure/parseRendererMessage.ts) and acts
 * only on the notebook of the editor it came from: the webview may be hostile (a saved notebook's output HTML runs in
 * it). Object expansions go to that notebook's live kernel (extension/pure/answerExpand.ts; a stale answer lets the
 * renderer fall back to the saved preview); clicked stack frames reveal what the outputs show
 * (./revealFrame.ts), one at a time; "show all" returns a cell's full console log.
 */
import * as vscode from 'vscode';
import { RENDERER_ID, type HostToRenderer } from '../../protocol';
import type { CodaController } from '../kernel/CodaController';
import type { KernelManager } from '../kernel/KernelManager';
import { answerExpand } from '../pure/answerExpand';
import { answerShowAll, type ConsoleLogs } from '../pure/answerShowAll';
import { describeRefused, parseRendererMessage } from '../pure/parseRendererMessage';
import { RevealGate } from '../pure/RevealGate';
import { revealFrame } from './revealFrame';

export function registerRendererBridge(manager: KernelManager, controller: CodaController, log: (m: string) => void): vscode.Disposable {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  const reply = (msg: HostToRenderer, editor: vscode.NotebookEditor) => void messaging.postMessage(msg, editor);
  const gate = new RevealGate();
  const logs: ConsoleLogs<vscode.NotebookCell> = {
    cellForOutput: (id) => controller.cellForOutput(id),
    notebookOf: (cell) => cell.notebook,
    consoleEntries: (cell) => controller.consoleEntries(cell),
  };
  return messaging.onDidReceiveMessage(async ({ editor, message }) => {
    const m = parseRendererMessage(message);
    if (!m) return log(`refused a renderer message ${describeRefused(message)}`);
    switch (m.type) {
      case 'expand': {
        const busy = vscode.l10n.t('The kernel is busy running a cell: expand this value again when the cell finishes (or interrupt it).');
        return reply(await answerExpand(manager.kernelLookup, m, busy, editor.notebook), editor);
      }
      case 'revealFrame': {
        const ran = await gate.run(() => revealFrame(m, editor, log)).catch((err: unknown) => log(`could not reveal a frame: ${String(err)}`));
        if (ran === false) log('refused a reveal: another one is in progress or came too soon');
        return;
      }
      case 'showAll': {
        const gone = vscode.l10n.t('The full output is gone: run the cell again.');
        return reply(answerShowAll(logs, m, editor.notebook, gone), editor);
      }
    }
  });
}
