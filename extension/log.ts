/**
 * The extension's diagnostics: one LogOutputChannel, and a popup for the extension's own failures shown at
 * most once per session, with a button to the logs. Cell failures never use this: they are cell outputs.
 */
import * as vscode from 'vscode';

export class Log implements vscode.Disposable {
  readonly channel = vscode.window.createOutputChannel('CodaJS', { log: true });
  private popupShown = false;

  write(level: 'trace' | 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.channel[level](message);
  }

  /** An extension failure (not a cell's): logged, and shown once with "Show Logs". */
  failure(message: string, err?: unknown): void {
    this.channel.error(`${message}${err ? `: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` : ''}`);
    if (this.popupShown) return;
    this.popupShown = true;
    const show = vscode.l10n.t('Show Logs');
    void vscode.window.showErrorMessage(vscode.l10n.t('CodaJS: {0}', message), show).then((pick) => {
      if (pick === show) this.channel.show();
    });
  }

  dispose(): void {
    this.channel.dispose();
  }
}
