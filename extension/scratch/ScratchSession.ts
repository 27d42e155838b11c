/**
 * Runs one plain .js/.ts file as a scratchpad in its own kernel: every top-level expression's value and every
 * console call are shown at the end of their line, errors are marked on their line, and console output also
 * goes to the "CodaJS Scratch" output channel. Runs go through a RunScheduler (never two at once).
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { ConsoleEntry, InitParams, RemoteValue, RuntimeKind, SerializedError } from '../../protocol';
import type { Kernel } from '../../host/kernel/Kernel';
import type { RuntimeMissingError } from '../../host/kernel/locateRuntime';
import { executeCell } from '../../host/run/executeCell';
import { KernelSlot } from '../../host/run/KernelSlot';
import { prepareRun, type InstallOutcome } from '../../host/run/prepareRun';
import { kernelFolder } from '../kernel/KernelManager';
import { inlineConsole, inlineValue, lineAnnotation } from './inlineText';
import { RunScheduler } from './RunScheduler';
import { scratchRuntime } from './scratchRuntime';
import { lineShift, type LineChange } from './lineShift';
import { documentLine, splitCells, type ScratchCell } from './splitCells';

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
}

interface LineInfo {
  /** From a run before the latest edit: shown dimmed until the next run replaces it. */
  stale?: boolean;
  parts: string[];
  /** `→ undefined` of a line: shown only when nothing else is (a console.log line returns undefined). */
  weak: string[];
  hover: vscode.MarkdownString;
  color?: vscode.ThemeColor;
}

export type RunTarget = { kind: 'all' } | { kind: 'cell'; index: number } | { kind: 'above'; index: number } | { kind: 'selection'; range: vscode.Range };

export class ScratchSession implements vscode.Disposable {
  private readonly slot = new KernelSlot({ started: (kernel) => this.listen(kernel) });
  private readonly lines = new Map<number, LineInfo>();
  private readonly cellStarts = new Map<string, number>();
  private readonly scheduler: RunScheduler;
  private target: RunTarget = { kind: 'all' };
  private executionId = 0;
  private refreshTimer: NodeJS.Timeout | undefined;
  private kernelListeners: (() => void)[] = [];

  constructor(
    readonly document: vscode.TextDocument,
    private readonly deps: ScratchDeps,
  ) {
    this.scheduler = new RunScheduler({ run: () => this.runOnce(), stop: () => this.slot.interrupt() });
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

  /**
   * The file was edited: values follow their lines (lineShift) and are marked stale until the next run replaces
   * them; values of lines the edit replaced are dropped. Late values of the last run land on the moved lines too.
   */
  edited(changes: readonly LineChange[]): void {
    const shift = lineShift(changes);
    const moved = new Map<number, LineInfo>();
    for (const [line, info] of this.lines) {
      const to = shift(line);
      if (to !== undefined) moved.set(to, { ...info, stale: true });
    }
    this.lines.clear();
    for (const [line, info] of moved) this.lines.set(line, info);
    for (const [cellId, start] of this.cellStarts) {
      const to = shift(start);
      if (to === undefined) this.cellStarts.delete(cellId);
      else this.cellStarts.set(cellId, to);
    }
    this.refresh();
  }

  /** A new run starts: every old annotation goes. */
  clear(): void {
    this.lines.clear();
    this.deps.diagnostics.delete(this.document.uri);
    this.refresh();
  }

  private cellsFor(target: RunTarget): { code: string; startLine: number; label: string }[] {
    const name = basename(this.document.fileName);
    if (target.kind === 'selection') {
      return [{ code: this.document.getText(target.range), startLine: target.range.start.line, label: `${name}:${target.range.start.line + 1}` }];
    }
    const cells = splitCells(this.document.getText()).filter((c) => c.kind === 'code');
    const pick = (c: ScratchCell) => target.kind === 'all' || (target.kind === 'cell' ? c.index === target.index : c.index <= target.index);
    return cells.filter(pick).map((c) => ({ code: c.code, startLine: c.startLine, label: `${name}:${c.startLine + 1}` }));
  }

  private startKernel(runtime: RuntimeKind): Promise<Kernel> {
    return this.slot.ensure(runtime, () =>
      this.deps.startKernel({
        cwd: kernelFolder(this.document.uri),
        documentPath: this.document.uri.fsPath,
        runtime,
        modulePaths: this.deps.modulePaths?.(this.document),
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
        ),
      ),
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
    // the packages every cell of the file imports, installed as for a notebook (the sandbox imports nothing)
    const all = () => this.cellsFor({ kind: 'all' }).map((c) => ({ cellId: idOf(c.startLine), code: c.code }));
    const prepared = await prepareRun<Kernel>({
      runtime: 'error' in chosen ? 'node' : chosen.runtime,
      untrusted: () =>
        vscode.workspace.isTrusted ? undefined : { name: 'UntrustedWorkspace', message: vscode.l10n.t('CodaJS does not run code in an untrusted workspace.') },
      install: install && (() => install(this.document, all())),
      startKernel: () => ('error' in chosen ? Promise.reject(new Error(chosen.error)) : this.startKernel(chosen.runtime)),
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
      this.annotateAt(line, prepared.error.message, new vscode.MarkdownString(prepared.error.message), new vscode.ThemeColor('editorError.foreground'));
      return;
    }
    const kernel = prepared.kernel;
    const language = /\.(m|c)?tsx?$/.test(this.document.fileName) || this.document.languageId.startsWith('typescript') ? 'typescript' : 'javascript';
    for (const cell of cells) {
      const cellId = idOf(cell.startLine);
      this.cellStarts.set(cellId, cell.startLine);
      const params = { cellId, cellLabel: cell.label, executionId: ++this.executionId, code: cell.code, language, instrumentLines: true } as const;
      const ok = await executeCell(kernel, params, prepared.cellErrors, {
        value: () => undefined,
        error: (error, kind) =>
          kind === 'kernel'
            ? this.annotateAt(cell.startLine, error.message, new vscode.MarkdownString(error.message), new vscode.ThemeColor('editorError.foreground'))
            : this.error(cellId, error),
        interrupted: () =>
          this.annotateAt(
            cell.startLine,
            vscode.l10n.t('Interrupted'),
            new vscode.MarkdownString(vscode.l10n.t('The run was stopped.')),
            new vscode.ThemeColor('editorWarning.foreground'),
          ),
      });
      if (!ok) return;
    }
  }

  private consoleEntry(e: ConsoleEntry): void {
    this.deps.output.appendLine(`${'  '.repeat(e.depth)}${e.level === 'log' ? '' : `[${e.level}] `}${e.text}`);
    if (e.line === undefined || !e.text) return;
    const color =
      e.level === 'error'
        ? new vscode.ThemeColor('editorError.foreground')
        : e.level === 'warn'
          ? new vscode.ThemeColor('editorWarning.foreground')
          : undefined;
    const hover = new vscode.MarkdownString();
    hover.appendCodeblock(e.text, 'text');
    this.annotate(e.cellId, e.line, `» ${inlineConsole(e)}`, hover, color);
  }

  private error(cellId: string, error: SerializedError): void {
    const start = this.cellStarts.get(cellId);
    const loc = error.location;
    if (start === undefined) return;
    const line = loc ? documentLine(start, loc.line) : start;
    const message = `${error.name}: ${error.message}`;
    const hover = new vscode.MarkdownString();
    hover.appendCodeblock(error.stack ?? message, 'text');
    this.annotateAt(line, message, hover, new vscode.ThemeColor('editorError.foreground'));
    const col = loc ? Math.max(0, loc.column - 1) : 0;
    const diagnostic = new vscode.Diagnostic(new vscode.Range(line, col, line, Number.MAX_SAFE_INTEGER), message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'CodaJS';
    this.deps.diagnostics.set(this.document.uri, [diagnostic]);
  }

  private annotate(cellId: string, cellLine: number, text: string, hover: vscode.MarkdownString, color?: vscode.ThemeColor, weak = false): void {
    const start = this.cellStarts.get(cellId);
    if (start !== undefined) this.annotateAt(documentLine(start, cellLine), text, hover, color, weak);
  }

  private annotateAt(line: number, text: string, hover: vscode.MarkdownString, color?: vscode.ThemeColor, weak = false): void {
    const info = this.lines.get(line) ?? { parts: [], weak: [], hover: new vscode.MarkdownString(undefined, true) };
    (weak ? info.weak : info.parts).push(text);
    info.hover.isTrusted = { enabledCommands: ['codajs.inspectValue'] };
    info.hover.appendMarkdown(hover.value).appendMarkdown('\n\n');
    if (color) info.color = color;
    this.lines.set(line, info);
    if (!this.refreshTimer) this.refreshTimer = setTimeout(() => this.refresh(), 30);
  }

  refresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    const options: vscode.DecorationOptions[] = [];
    for (const [line, info] of this.lines) {
      if (line >= this.document.lineCount) continue;
      const end = this.document.lineAt(line).range.end;
      options.push({
        range: new vscode.Range(end, end),
        hoverMessage: info.stale ? staleHover(info.hover) : info.hover,
        renderOptions: {
          after: {
            contentText: `  ${lineAnnotation(info.parts.length ? info.parts : info.weak)}`,
            color: info.stale ? new vscode.ThemeColor('disabledForeground') : (info.color ?? new vscode.ThemeColor('editorCodeLens.foreground')),
            fontStyle: 'italic',
          },
        },
      });
    }
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

function valueHover(value: RemoteValue, inspect: string | undefined): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendCodeblock(value.type === 'object' ? value.preview : inlineValue(value), 'javascript');
  if (inspect) md.appendMarkdown(`[$(search) ${vscode.l10n.t('Inspect')}](${inspect})`);
  md.supportThemeIcons = true;
  return md;
}

function staleHover(hover: vscode.MarkdownString): vscode.MarkdownString {
  const md = new vscode.MarkdownString(vscode.l10n.t('*Stale: from the run before your last edit; the next run replaces it.*'), true);
  md.isTrusted = hover.isTrusted;
  return md.appendMarkdown('\n\n').appendMarkdown(hover.value);
}
