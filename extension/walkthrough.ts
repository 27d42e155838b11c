/**
 * The Getting Started walkthrough (package.json `contributes.walkthroughs`). VS Code opens a walkthrough by itself
 * only for an extension installed from its UI in the running window: CodaJS opens it once, on its first activation,
 * unless the user turned `workbench.welcomePage.walkthroughs.openOnInstall` off. Also sets the context key that
 * completes the "add a package" step, which no command marks.
 */
import * as vscode from 'vscode';

export const WALKTHROUGH_ID = 'codajs.codajs#codajs.gettingStarted';
/** globalState key: the walkthrough was opened once. */
const SHOWN_KEY = 'codajs.walkthroughShown';
/** Context key of the "add a package" step's completion event. */
const PACKAGE_ADDED = 'codajs.walkthrough.packageAdded';

export function registerWalkthrough(context: vscode.ExtensionContext, onDidInstall: vscode.Event<unknown>): vscode.Disposable {
  const openOnInstall = vscode.workspace.getConfiguration('workbench').get<boolean>('welcomePage.walkthroughs.openOnInstall', true);
  if (openOnInstall && !context.globalState.get<boolean>(SHOWN_KEY)) {
    void context.globalState.update(SHOWN_KEY, true);
    void vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
  }
  return onDidInstall(() => void vscode.commands.executeCommand('setContext', PACKAGE_ADDED, true));
}
