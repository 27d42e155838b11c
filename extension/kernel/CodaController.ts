/**
 * The notebook controller: queues a notebook's cells, runs them in its kernel, and turns kernel results and
 * events into cell outputs. Every failure of a cell (including "no Node.js" or a crashed kernel) is shown in
 * the cell; nothing runs in an untrusted workspace.
 */
import * as vscode from 'vscode';
import { CODA_NOTEBOOK_TYPE } from '../../protocol/codaFile';
import { codaError, RUNTIME_IDS, RUNTIME_LABELS, RUNTIMES, runtimeNamed, type RuntimeKind, type SerializedError } from '../../protocol';
import type { Kernel } from '../../host/kernel/Kernel';
import type { RuntimeMissingError } from '../../host/kernel/locateRuntime';
import { DisplayIds } from '../../host/run/DisplayIds';
import { cellSourceUri } from '../pure/cellSourceUri';
import { runNotebookCell } from '../pure/runNotebookCell';
import type { DependencyManager } from '../deps/DependencyManager';
import type { NotebookAccess } from '../security/NotebookAccess';
import { CellRun, outputId as idOf } from './CellRun';
import type { KernelManager, NotebookKernel } from './KernelManager';
import { displayOutput, errorOutput, valueOutput } from './outputs';
import type { CodaCellExecution } from '../api/codaApi';

export interface ControllerOptions {
  /** The extension's own failures (a bug, not a cell's error): logged and shown once. */
  failure?: (message: string, err: unknown) => void;
  maxStoredEntries: () => number;
  /** Installs what the notebook imports before the cell runs (a failed import fails only the cells that import it). */
  dependencies?: Pick<DependencyManager, 'ensureAll'>;
  /** Grants permissions and provides secrets before the kernel starts. */
  access?: Pick<NotebookAccess, 'prepare'>;
  /** A kernel could not start because its runtime is missing: offer to fetch it; true when it was fetched. */
  offerRuntime?: (err: RuntimeMissingError, runtime: RuntimeKind) => Promise<boolean>;
  /** This extension's id, for selecting its kernels. */
  extensionId?: string;
  /** Where the controller remembers that VS Code's kernel history of this workspace lists every CodaJS kernel. */
  workspaceState?: Pick<vscode.Memento, 'get' | 'update'>;
  /** Debug Cell: attaches the debugger once the cell's kernel is ready, and ends the session when the cell ends. */
  debug?: CellDebugHooks;
}

export interface CellDebugHooks {
  /** Called with the kernel right before the cell executes. */
  beforeRun(cell: vscode.NotebookCell, kernel: Kernel): Promise<void>;
  afterRun(cell: vscode.NotebookCell): void;
}

/** workspaceState key: the kernel picker of this workspace already lists all CodaJS runtimes (see listAllKernels). */
export const KERNELS_LISTED_KEY = 'codajs.kernelPickerListsAll';

/** One kernel (notebook controller) per runtime; the notebook's metadata `runtime` says which one it prefers. */
export const RUNTIME_CONTROLLERS: readonly { runtime: RuntimeKind; id: string; description: string }[] = RUNTIME_IDS.map((id) => ({
  runtime: id,
  id: RUNTIMES[id].controllerId,
  description: RUNTIMES[id].description,
}));

export class CodaController implements vscode.Disposable {
  readonly controllers = new Map<RuntimeKind, vscode.NotebookController>();
  /** The current run of each cell, by cell id. */
  private readonly runs = new Map<string, CellRun>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Notebooks (by URI) that have one of these kernels selected. */
  private readonly selected = new Set<string>();
  private executionId = 0;
  /** True while listAllKernels selects kernels only to list them in the picker. */
  private listing = false;
  private readonly executed = new vscode.EventEmitter<CodaCellExecution>();
  /** After each cell execution (the extension API's onDidExecuteCell). */
  readonly onDidExecuteCell = this.executed.event;

  constructor(
    private readonly manager: KernelManager,
    private readonly options: ControllerOptions,
  ) {
    for (const r of RUNTIME_CONTROLLERS) {
      const c = vscode.notebooks.createNotebookController(r.id, CODA_NOTEBOOK_TYPE, `CodaJS: ${RUNTIME_LABELS[r.runtime]}`);
      c.supportedLanguages = ['javascript', 'typescript'];
      c.supportsExecutionOrder = true;
      c.description = vscode.l10n.t(r.description);
      c.executeHandler = (cells, notebook) => this.execute(cells, notebook, r.runtime, c);
      c.interruptHandler = (notebook) => manager.interrupt(notebook);
      this.subscriptions.push(
        c.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
          if (selected) {
            this.selected.add(notebook.uri.toString());
            void this.remember(notebook, r.runtime);
          }
        }),
      );
      this.controllers.set(r.runtime, c);
    }
    this.subscriptions.push(
      vscode.workspace.onDidOpenNotebookDocument((nb) => this.prefer(nb)),
      vscode.window.onDidChangeActiveNotebookEditor((editor) => editor && this.autoSelect(editor)),
    );
    vscode.workspace.notebookDocuments.forEach((nb) => this.prefer(nb));
    if (vscode.window.activeNotebookEditor) this.autoSelect(vscode.window.activeNotebookEditor);
  }

  /**
   * With several kernels VS Code selects none by itself: a notebook shown without a selected kernel gets the one its
   * metadata names (never replacing a kernel the user picked).
   */
  private autoSelect(editor: vscode.NotebookEditor): void {
    const nb = editor.notebook;
    if (nb.notebookType !== CODA_NOTEBOOK_TYPE || this.selected.has(nb.uri.toString()) || !this.options.extensionId) return;
    const id = this.controllers.get(runtimeOf(nb))?.id;
    if (!id) return;
    void this.listAllKernels(editor, runtimeOf(nb))
      // after listing, another kernel is selected for a moment: select the notebook's own unconditionally
      .then((listed) =>
        vscode.commands.executeCommand('notebook.selectKernel', {
          notebookEditor: editor,
          id,
          extension: this.options.extensionId,
          skipIfAlreadySelected: !listed,
        }),
      )
      .then(undefined, () => undefined);
  }

  /**
   * VS Code's kernel picker lists, at its first level, the kernels recently selected in this workspace; the others hide
   * behind "Select Another Kernel…". Once per workspace, before the notebook's own kernel is selected, each other CodaJS
   * kernel is selected for a moment, so the picker lists all four runtimes at its first level (nothing starts: a
   * kernel starts on the first run, and the notebook's runtime is not changed by these selections).
   */
  private async listAllKernels(editor: vscode.NotebookEditor, own: RuntimeKind): Promise<boolean> {
    const state = this.options.workspaceState;
    if (!state || state.get<boolean>(KERNELS_LISTED_KEY)) return false;
    await state.update(KERNELS_LISTED_KEY, true);
    this.listing = true;
    try {
      for (const r of [...RUNTIME_CONTROLLERS].reverse()) {
        if (r.runtime === own) continue;
        await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: editor, id: r.id, extension: this.options.extensionId });
      }
    } finally {
      this.listing = false;
    }
    return true;
  }

  /**
   * Every CodaJS kernel is suggested for a CodaJS notebook, so the kernel picker lists all four runtimes at its first
   * level (VS Code hides kernels of default affinity behind "Select Another Kernel…"); the notebook's own runtime is
   * selected by autoSelect.
   */
  private prefer(notebook: vscode.NotebookDocument): void {
    if (notebook.notebookType !== CODA_NOTEBOOK_TYPE) return;
    for (const c of this.controllers.values()) c.updateNotebookAffinity(notebook, vscode.NotebookControllerAffinity.Preferred);
  }

  /** Choosing a kernel records its runtime in the notebook, so it opens with the same one next time. */
  private async remember(notebook: vscode.NotebookDocument, runtime: RuntimeKind): Promise<void> {
    if (this.listing || runtimeOf(notebook) === runtime) return;
    const meta = notebook.metadata as Record<string, unknown>;
    const edit = new vscode.WorkspaceEdit();
    edit.set(notebook.uri, [vscode.NotebookEdit.updateNotebookMetadata({ ...meta, runtime })]);
    await vscode.workspace.applyEdit(edit);
  }

  static cellId(cell: vscode.NotebookCell): string {
    return cell.document.uri.toString();
  }

  label = (cellId: string): string => {
    const run = this.runs.get(cellId);
    return run?.executionOrder !== undefined ? `[${run.executionOrder}]` : cellId;
  };

  /** Finds a cell by the id used in outputs and stack frames. */
  cell(cellId: string): vscode.NotebookCell | undefined {
    return this.runs.get(cellId)?.cell;
  }

  private async execute(
    cells: vscode.NotebookCell[],
    notebook: vscode.NotebookDocument,
    runtime: RuntimeKind,
    controller: vscode.NotebookController,
  ): Promise<void> {
    const nk = this.manager.entry(notebook);
    await Promise.all(
      cells.map((cell) =>
        nk
          .enqueue(() => this.runCell(cell, nk, runtime, controller))
          .catch((err: unknown) => this.options.failure?.(vscode.l10n.t('running a cell failed unexpectedly'), err)),
      ),
    );
  }

  private async runCell(cell: vscode.NotebookCell, nk: NotebookKernel, runtime: RuntimeKind, controller: vscode.NotebookController): Promise<void> {
    const cellId = CodaController.cellId(cell);
    this.runs.get(cellId)?.dispose();
    const run = new CellRun(controller, cell, ++this.executionId, this.options.maxStoredEntries(), this.label);
    this.runs.set(cellId, run);
    const execution = controller.createNotebookCellExecution(cell);
    const order = nk.nextOrder();
    run.begin(execution, order);
    const cancel = execution.token.onCancellationRequested(() => this.manager.interrupt(nk.notebook));
    let success = false;
    try {
      const { dependencies, access, offerRuntime } = this.options;
      const language = cell.document.languageId === 'typescript' ? 'typescript' : 'javascript';
      success = await runNotebookCell(
        nk,
        { cellId, executionId: run.executionId, code: cell.document.getText(), language, source: { uri: cellSourceUri(cell.document.uri) } },
        order,
        {
          runtime,
          untrusted: () => (vscode.workspace.isTrusted ? undefined : UNTRUSTED()),
          access: access && (() => access.prepare(nk.notebook, runtime)),
          install: dependencies && (() => dependencies.ensureAll(nk.notebook)),
          startKernel: async (granted) => {
            const kernel = await this.manager.ensure(nk.notebook, runtime, granted);
            await this.options.debug?.beforeRun(cell, kernel);
            return kernel;
          },
          fetchRuntime: offerRuntime && ((err) => offerRuntime(err, runtime)),
        },
        {
          value: (value) => run.addOutput((run.resultOutput = valueOutput(value))),
          error: (error, cellLabel) => run.addOutput(errorOutput({ error, cellLabel }, this.label)),
          interrupted: () => run.addOutput(errorOutput({ error: codaError('Interrupted'), interrupted: true }, this.label)),
        },
      );
    } finally {
      cancel.dispose();
      this.options.debug?.afterRun(cell);
      await run.end(success);
      this.executed.fire({ notebook: nk.notebook.uri, cell, success });
    }
  }

  /** The cell whose console output has this output id. */
  cellForOutput(outputId: string): vscode.NotebookCell | undefined {
    for (const run of this.runs.values()) if (run.cell.outputs.some((o) => idOf(o) === outputId)) return run.cell;
    return undefined;
  }

  /** Every console entry of a cell's current run (for "show all"). */
  consoleEntries(cell: vscode.NotebookCell) {
    return this.runs.get(CodaController.cellId(cell))?.log.all();
  }

  /** Routes a kernel's events to the cell runs they belong to. */
  attach(nk: NotebookKernel, kernel: Kernel): vscode.Disposable {
    const current = (cellId: string | undefined, executionId: number | undefined) => {
      const run = cellId ? this.runs.get(cellId) : undefined;
      return run && run.executionId === executionId ? run : undefined;
    };
    // the outputs shown with each display id of this kernel, in whichever cell
    const displays = new DisplayIds<{ run: CellRun; output: vscode.NotebookCellOutput }>((t) => !t.run.isDisposed);
    const offs = [
      kernel.onEvent('console', ({ entries }) => {
        const byRun = new Map<CellRun, typeof entries>();
        for (const e of entries) {
          const run = current(e.cellId, e.executionId);
          if (run) byRun.set(run, [...(byRun.get(run) ?? []), e]);
        }
        for (const [run, list] of byRun) run.addConsole(list);
      }),
      kernel.onEvent('display', (d) => {
        const output = displayOutput(d.data, d.displayId);
        const route = displays.route(d);
        for (const t of route.replace) void t.run.replaceOutput(t.output, output);
        const run = route.add ? current(d.cellId, d.executionId) : undefined;
        if (!run) return;
        void run.addOutput(output);
        if (d.displayId !== undefined) displays.add(d.displayId, { run, output });
      }),
      // a promise the cell returned has settled: its result is shown again, settled, where the pending one is
      kernel.onEvent('resultSettled', (r) => {
        const run = current(r.cellId, r.executionId);
        if (run?.resultOutput) void run.replaceOutput(run.resultOutput, valueOutput(r.value));
      }),
      kernel.onEvent('uncaught', (u) => {
        const run = current(u.cellId, u.executionId);
        void run?.addOutput(
          errorOutput({ error: u.error, cellLabel: `[${run.executionOrder}]`, background: true, ...(u.from === 'result' && { rejected: true }) }, this.label),
        );
      }),
      kernel.onEvent('cellWork', (w) => {
        const run = this.runs.get(w.cellId);
        nk.cellWork(kernel, w.cellId, w.pending, run && `[${run.executionOrder}]`);
      }),
    ];
    return { dispose: () => offs.forEach((off) => off()) };
  }

  dispose(): void {
    this.runs.forEach((r) => r.dispose());
    this.controllers.forEach((c) => c.dispose());
    this.subscriptions.forEach((d) => d.dispose());
    this.executed.dispose();
  }
}

/** The cell error of a run in an untrusted workspace (nothing is installed or forked). */
const UNTRUSTED = (): SerializedError => codaError('UntrustedWorkspace');

/** The runtime a notebook's metadata names (Node when it names none). */
export function runtimeOf(notebook: vscode.NotebookDocument): RuntimeKind {
  return runtimeNamed((notebook.metadata as { runtime?: unknown }).runtime) ?? 'node';
}
