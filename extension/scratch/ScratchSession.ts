/**
 * Runs one plain .js/.ts file as a scratchpad in its own kernel: every top-level expression's value and every
 * console call are shown at the end of their line, errors are marked on their line, and console output also
 * goes to the "CodaJS Scratch" output channel. Runs go through a RunScheduler (never two at once).
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { codaError, METADATA_PLUGINS, type ConsoleEntry, type InitParams, type RemoteValue, type RuntimeKind, type SerializedError } from '../../protocol';
import type { Kernel } from '../../host/kernel/Kernel';
import type { RuntimeMissingError } from '../../host/kernel/locateRuntime';
import { ConsoleLines } from '../../host/format/ConsoleLines';
import { executeCell } from '../../host/run/executeCell';
import { KernelSlot } from '../../host/run/KernelSlot';
import { prepareRun, type InstallOutcome } from '../../host/run/prepareRun';
import type { ScratchDebugHooks } from '../debug/registerDebugging';
import { notebookPlugins, pluginInstallCell, scratchPlugins, type NotebookPlugins } from '../../host/plugins/notebookPlugins';
import { kernelFolder } from '../kernel/KernelManager';
import { configuredPlugins } from '../plugins/configuredPlugins';
import { cellSourceUri } from '../pure/cellSourceUri';
import { ScratchLines, type Tone } from '../pure/ScratchLines';
import { inlineConsole, inlineValue } from '../pure/inlineText';
import { RunScheduler } from '../pure/RunScheduler';
import { scratchRuntime } from '../../host/notebook/scratchRuntime';
import type { LineChange } from '../pure/lineShift';
import { splitCells, type ScratchCell } from '../../host/notebook/splitCells';

export interface ScratchDeps {
  startKernel(init: InitParams): Promise<Kernel>;
  output: vscode.OutputChannel;
  diagnostics: vscode.DiagnosticCollection;
  decoration: vscode.TextEditorDecorationType;
  /** Remembers values the user may open in the inspector; returns a command link. */
  inspectLink(kernel: Kernel, value: RemoteValue): string | undefined;
  /** Installs what the file's cells import, as for a notebook; cells whose imports failed are named. */
  install?(doc: vscode.TextDocument, cells: { cellId: string; code: string }[]): Promise<InstallOutcome>;
  /** The kernel's runtime is missing: offer to fetch it (as for a notebook); true once fetched. */
  offerRuntime?(err: RuntimeMissingError, runtime: RuntimeKind): Promise<boolean>;
  /** The dependency store folders the file's kernel resolves packages from. */
  modulePaths?(doc: vscode.TextDocument): string[];
  /** Debug Scratch: attaches the debugger before the run, ends its session after. */
  debug?: ScratchDebugHooks;
}

const TONE_COLORS: Record<Tone, string> = { error: 'editorError.foreground', warn: 'editorWarning.foreground' };

export type RunTarget = { kind: 'all' } | { kind: 'cell'; index: number } | { kind: 'above'; index: number } | { kind: 'selection'; range: vscode.Range };

export class ScratchSession implements vscode.Disposable {
  private readonly slot = new KernelSlot({ started: (kernel) => this.listen(kernel) });
  private readonly lines = new ScratchLines();
  private readonly scheduler: RunScheduler;
  private target: RunTarget = { kind: 'all' };
  private executionId = 0;
  /** The output channel, where a write without a line end leaves the line open. */
  private readonly outputLines: ConsoleLines;
  private refreshTimer: NodeJS.Timeout | undefined;
  private kernelListeners: (() => void)[] = [];

  constructor(
    readonly document: vscode.TextDocument,
    private readonly deps: ScratchDeps,
  ) {
    this.scheduler = new RunScheduler({ run: () => this.runOnce(), stop: () => this.slot.interrupt() });
    this.outputLines = new ConsoleLines((text) => deps.output.append(text));
  }

  get running(): boolean {
    return this.scheduler.busy;
  }

  run(target: RunTarget): Promise<void> {
    this.target = target;
    return this.scheduler.request();
  }

  runDebounced(ms: number): void {
    this.target = { kind: 'all' };
    this.scheduler.debounce(ms);
  }

  stop(): void {
    this.scheduler.stop();
  }

  /** The file was edited: values follow their lines and are marked stale until the next run (ScratchLines). */
  edited(changes: readonly LineChange[]): void {
    this.lines.edited(changes);
    this.refresh();
  }

  /** A new run starts: every old annotation goes. */
  clear(): void {
    this.lines.clear();
    this.deps.diagnostics.delete(this.document.uri);
    this.refresh();
  }

  private cellsFor(target: RunTarget): { code: string; startLine: number; startColumn?: number; label: string }[] {
    const name = basename(this.document.fileName);
    if (target.kind === 'selection') {
      const { start } = target.range;
      return [{ code: this.document.getText(target.range), startLine: start.line, startColumn: start.character, label: `${name}:${start.line + 1}` }];
    }
    const cells = splitCells(this.document.getText()).filter((c) => c.kind === 'code');
    const pick = (c: ScratchCell) => target.kind === 'all' || (target.kind === 'cell' ? c.index === target.index : c.index <= target.index);
    return cells.filter(pick).map((c) => ({ code: c.code, startLine: c.startLine, label: `${name}:${c.startLine + 1}` }));
  }

  /**
   * The file's kernel plugins, as a notebook's: the `coda.plugins` setting's and the API's, then the file's own
   * `// @coda-plugin` lines (its metadata), local files resolved against the file's folder.
   */
  private plugins(): NotebookPlugins {
    return notebookPlugins({ [METADATA_PLUGINS]: scratchPlugins(this.document.getText()) }, kernelFolder(this.document.uri), configuredPlugins());
  }

  private startKernel(runtime: RuntimeKind, plugins: string[]): Promise<Kernel> {
    // a kernel loads its plugins when it starts: other plugins (an edited `// @coda-plugin` line) get a fresh one
    return this.slot.ensure(JSON.stringify([runtime, plugins]), () =>
      this.deps.startKernel({
        cwd: kernelFolder(this.document.uri),
        documentPath: this.document.uri.fsPath,
        runtime,
        modulePaths: this.deps.modulePaths?.(this.document),
        ...(plugins.length && { plugins }),
      }),
    );
  }

  private listen(kernel: Kernel): void {
    this.kernelListeners.forEach((off) => off());
    this.kernelListeners = [
      kernel.onEvent('lineValue', (v) =>
        this.annotate(
          v.cellId,
          v.line,
          `→ ${inlineValue(v.value)}`,
          valueHover(v.value, this.deps.inspectLink(kernel, v.value)),
          undefined,
          v.value.type === 'undefined',
          v.promiseId === undefined ? undefined : settledKey(v.executionId, v.promiseId),
        ),
      ),
      // a line's pending promise settled: its value where the pending one is (none after a new run cleared it)
      kernel.onEvent('lineSettled', (v) => {
        const hover = valueHover(v.value, this.deps.inspectLink(kernel, v.value));
        if (this.lines.replace(settledKey(v.executionId, v.promiseId), `→ ${inlineValue(v.value)}`, hover.value)) this.refreshSoon();
      }),
      kernel.onEvent('console', ({ entries }) => entries.forEach((e) => this.consoleEntry(e))),
      kernel.onEvent('uncaught', (u) => u.cellId && this.error(u.cellId, u.error)),
    ];
  }

  private async runOnce(): Promise<void> {
    const cells = this.cellsFor(this.target);
    this.clear();
    this.deps.output.clear();
    const idOf = (startLine: number) => `${this.document.uri.toString()}#${startLine}`;
    const chosen = scratchRuntime(this.document.getText(), vscode.workspace.getConfiguration('coda').get<string>('scratch.runtime'));
    const { install, offerRuntime } = this.deps;
    // the packages every cell of the file imports, installed as for a notebook (the sandbox imports nothing), with
    // its plugins' packages
    const plugins = this.plugins();
    const all = async () => [
      ...this.cellsFor({ kind: 'all' }).map((c) => ({ cellId: idOf(c.startLine), code: c.code })),
      ...(await pluginInstallCell(plugins)),
    ];
    const prepared = await prepareRun<Kernel>({
      runtime: 'error' in chosen ? 'node' : chosen.runtime,
      untrusted: () => (vscode.workspace.isTrusted ? undefined : codaError('UntrustedWorkspace')),
      install: install && (async () => install(this.document, await all())),
      startKernel: () => ('error' in chosen ? Promise.reject(new Error(chosen.error)) : this.startKernel(chosen.runtime, plugins.specs)),
      fetchRuntime: offerRuntime && ((err) => offerRuntime(err, err.runtime)),
    });
    if (!prepared.ok) {
      if (prepared.stage === 'kernel') {
        void vscode.window.showErrorMessage(
          vscode.l10n.t('CodaJS could not start a kernel for {0}: {1}', basename(this.document.fileName), prepared.error.message),
        );
        return;
      }
      const line = cells[0]?.startLine ?? 0;
      this.annotateAt(line, prepared.error.message, new vscode.MarkdownString(prepared.error.message), 'error');
      return;
    }
    const kernel = prepared.kernel;
    try {
      await this.deps.debug?.beforeRun(this.document, kernel);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.annotateAt(cells[0]?.startLine ?? 0, message, new vscode.MarkdownString(message), 'error');
      return;
    }
    try {
      await this.runCells(kernel, cells, idOf, prepared.cellErrors);
    } finally {
      this.deps.debug?.afterRun(this.document);
    }
  }

  private async runCells(
    kernel: Kernel,
    cells: { code: string; startLine: number; startColumn?: number; label: string }[],
    idOf: (startLine: number) => string,
    cellErrors: ReadonlyMap<string, SerializedError>,
  ): Promise<void> {
    const language = /\.(m|c)?tsx?$/.test(this.document.fileName) || this.document.languageId.startsWith('typescript') ? 'typescript' : 'javascript';
    for (const cell of cells) {
      const cellId = idOf(cell.startLine);
      this.lines.startCell(cellId, cell.startLine);
      const source = { uri: cellSourceUri(this.document.uri), lineOffset: cell.startLine };
      // frames name the file's own lines: its path on disk (the Output view opens it there), an untitled one's name
      const script = {
        name: this.document.uri.scheme === 'file' ? this.document.fileName : basename(this.document.fileName),
        line: cell.startLine + 1,
        ...(cell.startColumn && { column: cell.startColumn + 1 }),
      };
      const params = {
        cellId,
        cellLabel: cell.label,
        executionId: ++this.executionId,
        code: cell.code,
        language,
        instrumentLines: true,
        source,
        script,
      } as const;
      const ok = await executeCell(kernel, params, cellErrors, {
        value: () => undefined,
        error: (error, kind) =>
          kind === 'kernel' ? this.annotateAt(cell.startLine, error.message, new vscode.MarkdownString(error.message), 'error') : this.error(cellId, error),
        interrupted: () =>
          this.annotateAt(cell.startLine, vscode.l10n.t('Interrupted'), new vscode.MarkdownString(vscode.l10n.t('The run was stopped.')), 'warn'),
      });
      if (!ok) return;
    }
  }

  private consoleEntry(e: ConsoleEntry): void {
    // text written without a line end stays on its line in the output channel until what continues it comes
    this.outputLines.console(
      e,
      () => `${'  '.repeat(e.depth)}${e.level === 'log' ? '' : `[${e.level}] `}${e.text}`,
      () => e.text,
    );
    if (e.line === undefined || !e.text) return;
    const tone = e.level === 'error' || e.level === 'warn' ? e.level : undefined;
    this.annotate(e.cellId, e.line, `» ${inlineConsole(e)}`, codeblock(e.text), tone);
  }

  private error(cellId: string, error: SerializedError): void {
    const loc = error.location;
    const line = this.lines.lineOf(cellId, loc?.line);
    if (line === undefined) return;
    const message = `${error.name}: ${error.message}`;
    this.annotateAt(line, message, codeblock(error.stack ?? message), 'error');
    const col = loc ? Math.max(0, loc.column - 1) : 0;
    const diagnostic = new vscode.Diagnostic(new vscode.Range(line, col, line, Number.MAX_SAFE_INTEGER), message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'CodaJS';
    this.deps.diagnostics.set(this.document.uri, [diagnostic]);
  }

  private annotate(cellId: string, cellLine: number, text: string, hover: vscode.MarkdownString, tone?: Tone, weak = false, key?: string): void {
    this.lines.inCell(cellId, cellLine, text, hover.value, tone, weak, key);
    this.refreshSoon();
  }

  private annotateAt(line: number, text: string, hover: vscode.MarkdownString, tone?: Tone): void {
    this.lines.at(line, text, hover.value, tone);
    this.refreshSoon();
  }

  private refreshSoon(): void {
    if (!this.refreshTimer) this.refreshTimer = setTimeout(() => this.refresh(), 30);
  }

  refresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    const options: vscode.DecorationOptions[] = this.lines.view(this.document.lineCount).map((v) => {
      const end = this.document.lineAt(v.line).range.end;
      const hover = new vscode.MarkdownString(v.hover, true);
      hover.isTrusted = { enabledCommands: ['codajs.inspectValue'] };
      return {
        range: new vscode.Range(end, end),
        hoverMessage: v.stale ? staleHover(hover) : hover,
        renderOptions: {
          after: {
            contentText: `  ${v.text}`,
            color: new vscode.ThemeColor(v.stale ? 'disabledForeground' : v.tone ? TONE_COLORS[v.tone] : 'editorCodeLens.foreground'),
            fontStyle: 'italic',
          },
        },
      };
    });
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document === this.document) editor.setDecorations(this.deps.decoration, options);
    }
  }

  dispose(): void {
    this.scheduler.stop();
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.kernelListeners.forEach((off) => off());
    this.deps.diagnostics.delete(this.document.uri);
    this.slot.dispose();
  }
}

/** A line's pending promise in ScratchLines: execution ids never repeat in a session, so a past run's never matches. */
function settledKey(executionId: number, promiseId: number): string {
  return `${executionId}:${promiseId}`;
}

function valueHover(value: RemoteValue, inspect: string | undefined): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendCodeblock(value.type === 'object' ? value.preview : inlineValue(value), 'javascript');
  if (inspect) md.appendMarkdown(`[$(search) ${vscode.l10n.t('Inspect')}](${inspect})`);
  md.supportThemeIcons = true;
  return md;
}

function codeblock(text: string): vscode.MarkdownString {
  return new vscode.MarkdownString().appendCodeblock(text, 'text');
}

function staleHover(hover: vscode.MarkdownString): vscode.MarkdownString {
  const md = new vscode.MarkdownString(vscode.l10n.t('*Stale: from the run before your last edit; the next run replaces it.*'), true);
  md.isTrusted = hover.isTrusted;
  return md.appendMarkdown('\n\n').appendMarkdown(hover.value);
}
