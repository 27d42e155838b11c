/**
 * Starts the kernel of the notebook the user opens or focuses, so the first Run answers like a warm one, and the
 * installer when that Run will install (extension/pure/prewarm.ts decides when; setting `coda.kernel.startOnOpen`).
 * Activation still forks nothing.
 */
import * as vscode from 'vscode';
import { CODA_NOTEBOOK_TYPE } from '../../protocol';
import { prewarm, type PrewarmPorts } from '../pure/prewarm';
import type { NotebookAccess } from '../security/NotebookAccess';
import { runtimeOf } from './CodaController';
import type { KernelManager } from './KernelManager';
import type { DependencyManager } from '../deps/DependencyManager';

export function registerPrewarm(
  manager: KernelManager,
  access: NotebookAccess | undefined,
  deps: DependencyManager,
  log: (message: string) => void,
): vscode.Disposable {
  const ports: PrewarmPorts<vscode.NotebookDocument> = {
    enabled: () => vscode.workspace.getConfiguration('coda').get<boolean>('kernel.startOnOpen', true),
    trusted: () => vscode.workspace.isTrusted,
    hasKernel: (notebook) => {
      const nk = manager.find(notebook);
      return !!nk && (nk.slot.kernel !== undefined || nk.state?.kind === 'starting' || nk.state?.kind === 'busy');
    },
    runtime: runtimeOf,
    access: async (notebook, runtime) => (access ? access.prepareSilently(notebook, runtime) : {}),
    start: (notebook, runtime, granted) => manager.ensure(notebook, runtime, granted),
    warmInstaller: async (notebook) => {
      const found = await deps.warmInstaller(notebook);
      if (found === 'started') log(`the installer was started ahead of the first run of ${notebook.uri.fsPath || notebook.uri.toString()}`);
    },
    log,
  };
  const consider = (editor: vscode.NotebookEditor | undefined) => {
    if (editor?.notebook.notebookType === CODA_NOTEBOOK_TYPE && !editor.notebook.isClosed) void prewarm(editor.notebook, ports);
  };
  consider(vscode.window.activeNotebookEditor);
  return vscode.window.onDidChangeActiveNotebookEditor(consider);
}
