/**
 * Run Scratch for plain .js/.ts files: commands, CodeLens ("Run Scratch" at the top, "Run Cell | Run Above"
 * over `// %%` markers), run on save / on change (off by default), and conversion to and from .coda notebooks.
 * Registrations only: a file's kernel starts on its first run.
 */
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { helperModules } from '../../host/deps/helperModules';
import { inNodeModules } from '../../common/modulePathCandidates';
import type { DependencyManager } from '../deps/DependencyManager';
import type { InitParams, RemoteValue } from '../../protocol';
import { CODA_NOTEBOOK_TYPE } from '../../protocol/codaFile';
import { serializeCoda } from '../../protocol/codaFormat';
import { mayWrite } from '../mayWrite';
import { toCodaDocument } from '../notebook/CodaSerializer';
import type { Kernel } from '../../host/kernel/Kernel';
import { notebookToScript, scriptLanguage, scriptToNotebook } from '../../host/notebook/scriptNotebook';
import { openInspector } from './InspectorPanel';
import { ScratchSession, type RunTarget, type ScratchDeps } from './ScratchSession';
import { splitCells } from '../../host/notebook/splitCells';

const SCRATCH_LANGUAGES = ['javascript', 'typescript', 'javascriptreact', 'typescriptreact'];
/** Values kept for "Inspect" links in hovers. */
export const MAX_INSPECTABLE = 500;

export function registerScratch(
  context: vscode.ExtensionContext,
  deps: {
    log: vscode.LogOutputChannel;
    startKernel: (init: InitParams) => Promise<Kernel>;
    /** Installs what scratch files import (the notebooks' dependency manager). */
    dependencies?: Pick<DependencyManager, 'ensureScratch' | 'scratchModulePath'>;
    /** Offers to fetch a missing runtime (as for a notebook's kernel). */
    offerRuntime?: ScratchDeps['offerRuntime'];
    /** Debug Scratch (extension/debug/registerDebugging.ts). */
    debug?: ScratchDeps['debug'];
  },
): void {
  const sessions = new Map<string, ScratchSession>();
  const output = vscode.window.createOutputChannel('CodaJS Scratch');
  const diagnostics = vscode.languages.createDiagnosticCollection('codajs-scratch');
  const decoration = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 1em' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  const inspectable = new Map<number, { kernel: Kernel; value: RemoteValue }>();
  let nextInspect = 1;
  const config = () => vscode.workspace.getConfiguration('coda.scratch');
  const lensChanged = new vscode.EventEmitter<void>();

  const inspectLink = (kernel: Kernel, value: RemoteValue) => {
    if (value.type !== 'object' || !value.handle) return undefined;
    const id = nextInspect++;
    inspectable.set(id, { kernel, value });
    if (inspectable.size > MAX_INSPECTABLE) inspectable.delete(inspectable.keys().next().value!);
    return `command:codajs.inspectValue?${encodeURIComponent(JSON.stringify([id]))}`;
  };

  const helperWatcher = vscode.workspace.createFileSystemWatcher('**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}', true, false, true);
  const helperChanged = async (uri: vscode.Uri): Promise<void> => {
    if (uri.scheme !== 'file' || inNodeModules(uri.fsPath) || !sessions.size) return;
    if (!config().get<boolean>('runOnChange', true) || !vscode.workspace.isTrusted) return;
    for (const s of sessions.values()) {
      const doc = s.document;
      if (doc.uri.scheme !== 'file' || doc.uri.fsPath === uri.fsPath) continue;
      const folder = dirname(doc.uri.fsPath);
      const helpers = await helperModules([{ cellId: 'scratch', code: doc.getText() }], folder);
      if (helpers.some((h) => h.file !== undefined && join(folder, h.file) === uri.fsPath)) s.runDebounced(config().get<number>('debounceMs', 600));
    }
  };

  const session = (doc: vscode.TextDocument) => {
    let s = sessions.get(doc.uri.toString());
    const dependencies = deps.dependencies;
    const install = dependencies ? (d: vscode.TextDocument, cells: { cellId: string; code: string }[]) => dependencies.ensureScratch(d, cells) : undefined;
    const modulePaths = dependencies ? (d: vscode.TextDocument) => [dependencies.scratchModulePath(d)] : undefined;
    if (!s)
      sessions.set(
        doc.uri.toString(),
        (s = new ScratchSession(doc, {
          startKernel: deps.startKernel,
          output,
          diagnostics,
          decoration,
          inspectLink,
          install,
          modulePaths,
          offerRuntime: deps.offerRuntime,
          debug: deps.debug,
        })),
      );
    return s;
  };

  const trusted = () => {
    if (vscode.workspace.isTrusted) return true;
    const manage = vscode.l10n.t('Manage Workspace Trust');
    void vscode.window
      .showWarningMessage(vscode.l10n.t('CodaJS does not run code in an untrusted workspace.'), manage)
      .then((p) => p === manage && vscode.commands.executeCommand('workbench.trust.manage'));
    return false;
  };

  const run = async (uri: vscode.Uri | undefined, target: RunTarget | ((editor: vscode.TextEditor | undefined) => RunTarget)) => {
    const editor = vscode.window.activeTextEditor;
    const doc = uri ? await vscode.workspace.openTextDocument(uri) : editor?.document;
    if (!doc || !SCRATCH_LANGUAGES.includes(doc.languageId)) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Run Scratch works on a JavaScript or TypeScript file: open one first.'));
      return;
    }
    if (!trusted()) return;
    const s = session(doc);
    lensChanged.fire();
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('CodaJS: running {0}', vscode.workspace.asRelativePath(doc.uri)), cancellable: true },
      (_p, token) => {
        const off = token.onCancellationRequested(() => s.stop());
        return s.run(typeof target === 'function' ? target(editor?.document === doc ? editor : undefined) : target).finally(() => off.dispose());
      },
    );
    lensChanged.fire();
  };

  context.subscriptions.push(
    output,
    diagnostics,
    decoration,
    lensChanged,
    { dispose: () => sessions.forEach((s) => s.dispose()) },
    vscode.commands.registerCommand('codajs.runScratch', (uri?: vscode.Uri) =>
      run(uri instanceof vscode.Uri ? uri : undefined, (editor) =>
        editor && !editor.selection.isEmpty ? { kind: 'selection', range: editor.selection } : { kind: 'all' },
      ),
    ),
    vscode.commands.registerCommand('codajs.runScratchCell', (uri: vscode.Uri, index: number) => run(uri, { kind: 'cell', index })),
    vscode.commands.registerCommand('codajs.runScratchAbove', (uri: vscode.Uri, index: number) => run(uri, { kind: 'above', index })),
    vscode.commands.registerCommand('codajs.stopScratch', (uri?: vscode.Uri) => {
      const key = (uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri)?.toString();
      if (key) sessions.get(key)?.stop();
    }),
    vscode.commands.registerCommand('codajs.inspectValue', (id: number) => {
      const item = inspectable.get(id);
      if (item) openInspector(context.extensionUri, item.kernel, item.value, item.value.type === 'object' ? item.value.className || 'value' : 'value');
    }),
    vscode.commands.registerCommand('codajs.openScratchAsNotebook', async (uri?: vscode.Uri) => {
      const doc = uri instanceof vscode.Uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
      if (!doc) return;
      const target = doc.uri.with({ path: doc.uri.path.replace(/\.[^./]+$/, '') + '.coda' });
      if (!(await mayWrite(target))) return;
      const language = doc.languageId.startsWith('typescript') ? 'typescript' : 'javascript';
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(serializeCoda(scriptToNotebook(doc.getText(), language))));
      await vscode.window.showNotebookDocument(await vscode.workspace.openNotebookDocument(target));
    }),
    vscode.commands.registerCommand('codajs.exportNotebookAsScript', async () => {
      const nb = vscode.window.activeNotebookEditor?.notebook;
      if (!nb || nb.notebookType !== CODA_NOTEBOOK_TYPE) return;
      // the notebook as it is in the editor, unsaved edits included
      const doc = toCodaDocument(
        new vscode.NotebookData(nb.getCells().map((c) => new vscode.NotebookCellData(c.kind, c.document.getText(), c.document.languageId))),
      );
      const ts = scriptLanguage(doc) === 'typescript';
      const target = nb.uri.with({ path: nb.uri.path.replace(/\.coda$/, ts ? '.ts' : '.js') });
      if (!(await mayWrite(target))) return;
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(notebookToScript(doc)));
      await vscode.window.showTextDocument(target);
    }),
    vscode.languages.registerCodeLensProvider(
      SCRATCH_LANGUAGES.map((language) => ({ language, scheme: 'file' })),
      {
        onDidChangeCodeLenses: lensChanged.event,
        provideCodeLenses(doc) {
          if (!config().get<boolean>('codeLens', true)) return [];
          const top = new vscode.Range(0, 0, 0, 0);
          const running = sessions.get(doc.uri.toString())?.running;
          const lenses = [
            new vscode.CodeLens(
              top,
              running
                ? { title: vscode.l10n.t('$(debug-stop) Stop Scratch'), command: 'codajs.stopScratch', arguments: [doc.uri] }
                : { title: vscode.l10n.t('$(play) Run Scratch'), command: 'codajs.runScratch', arguments: [doc.uri] },
            ),
          ];
          for (const cell of splitCells(doc.getText())) {
            if (cell.markerLine < 0 || cell.kind !== 'code') continue;
            const at = new vscode.Range(cell.markerLine, 0, cell.markerLine, 0);
            lenses.push(new vscode.CodeLens(at, { title: vscode.l10n.t('Run Cell'), command: 'codajs.runScratchCell', arguments: [doc.uri, cell.index] }));
            lenses.push(new vscode.CodeLens(at, { title: vscode.l10n.t('Run Above'), command: 'codajs.runScratchAbove', arguments: [doc.uri, cell.index] }));
          }
          return lenses;
        },
      },
    ),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (config().get<boolean>('runOnSave', false) && SCRATCH_LANGUAGES.includes(doc.languageId) && sessions.has(doc.uri.toString()))
        void run(doc.uri, { kind: 'all' });
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      const s = sessions.get(e.document.uri.toString());
      if (!s || !e.contentChanges.length) return;
      s.edited(e.contentChanges);
      // once a file has been run, edits run it again (as Quokka does) unless coda.scratch.runOnChange is off
      if (config().get<boolean>('runOnChange', true) && vscode.workspace.isTrusted) s.runDebounced(config().get<number>('debounceMs', 600));
    }),
    // a helper module the file imports (at any depth) changed on disk, saved here or elsewhere: the file runs again,
    // and its kernel loads the helper's new version (worker/node/LocalModules.ts), as Quokka re-runs on imported files
    helperWatcher,
    helperWatcher.onDidChange((uri) => void helperChanged(uri)),
    vscode.window.onDidChangeVisibleTextEditors(() => sessions.forEach((s) => s.refresh())),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      const s = sessions.get(doc.uri.toString());
      sessions.delete(doc.uri.toString());
      s?.dispose();
    }),
  );
  deps.log.info('scratch commands registered');
}
