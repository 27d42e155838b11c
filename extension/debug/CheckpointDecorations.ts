/** Each checkpoint's count and last value at the end of its line, in every visible editor of its document. */
import * as vscode from 'vscode';
import { cellSourceUri } from '../pure/cellSourceUri';
import { checkpointInline } from '../pure/checkpointText';
import type { CheckpointStore } from '../pure/CheckpointStore';

export class CheckpointDecorations implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 1em', color: new vscode.ThemeColor('editorCodeLens.foreground') },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly store: CheckpointStore) {
    this.subscriptions = [this.type, vscode.window.onDidChangeVisibleTextEditors(() => this.render())];
  }

  render(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const hits = this.store.forUri(cellSourceUri(editor.document.uri));
      const options = hits
        .filter((h) => h.line < editor.document.lineCount)
        .map((h) => {
          const end = editor.document.lineAt(h.line).range.end;
          const hover = new vscode.MarkdownString();
          hover.appendCodeblock(h.recent.map((r) => r.text).join('\n'), 'text');
          return { range: new vscode.Range(end, end), hoverMessage: hover, renderOptions: { after: { contentText: checkpointInline(h) } } };
        });
      editor.setDecorations(this.type, options);
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
