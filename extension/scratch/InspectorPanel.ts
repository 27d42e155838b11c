/** A webview panel showing one value in the lazy object inspector (dist/inspectorPanel.js). */
import * as vscode from 'vscode';
import type { HostToRenderer, RemoteValue, RendererToHost } from '../../protocol';
import type { Kernel } from '../../host/kernel/Kernel';

export function openInspector(extensionUri: vscode.Uri, kernel: Kernel, value: RemoteValue, title: string): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel('codajs.inspector', vscode.l10n.t('Inspect: {0}', title), vscode.ViewColumn.Beside, {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
  });
  const script = panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'inspectorPanel.js'));
  const nonce = Math.random().toString(36).slice(2);
  panel.webview.html = `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}';">
</head><body><script type="module" nonce="${nonce}" src="${script.toString()}"></script></body></html>`;
  const sub = panel.webview.onDidReceiveMessage(async (m: RendererToHost | { type: 'ready' }) => {
    if (m.type === 'ready') return void panel.webview.postMessage({ type: 'show', value, title });
    if (m.type !== 'expand') return;
    let reply: HostToRenderer;
    if (!kernel.alive) reply = { type: 'expandResult', requestId: m.requestId, stale: true };
    else {
      try {
        reply = { type: 'expandResult', requestId: m.requestId, page: await kernel.expand({ handleId: m.handleId, start: m.start, count: m.count }) };
      } catch (err) {
        reply = { type: 'expandResult', requestId: m.requestId, stale: /stale handle/.test(String(err)), error: String(err) };
      }
    }
    void panel.webview.postMessage(reply);
  });
  panel.onDidDispose(() => sub.dispose());
  return panel;
}
