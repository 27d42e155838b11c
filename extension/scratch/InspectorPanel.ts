/** A webview panel showing one value in the lazy object inspector (dist/inspectorPanel.js). */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { RemoteValue } from '../../protocol';
import type { Kernel } from '../../host/kernel/Kernel';
import { answerPanelMessage } from '../pure/answerPanelMessage';

export function openInspector(extensionUri: vscode.Uri, kernel: Kernel, value: RemoteValue, title: string): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel('codajs.inspector', vscode.l10n.t('Inspect: {0}', title), vscode.ViewColumn.Beside, {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
  });
  const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'inspectorPanel.js'));
  const nonce = randomBytes(18).toString('base64url');
  panel.webview.html = `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
</head><body><script type="module" nonce="${nonce}" src="${script.toString()}"></script></body></html>`;
  // every message is checked as if from a hostile page (extension/pure/answerPanelMessage.ts)
  const sub = panel.webview.onDidReceiveMessage(async (raw: unknown) => {
    const answer = await answerPanelMessage(kernel, raw);
    if (answer.kind === 'show') void panel.webview.postMessage({ type: 'show', value, title });
    else if (answer.kind === 'reply') void panel.webview.postMessage(answer.reply);
  });
  panel.onDidDispose(() => sub.dispose());
  return panel;
}
