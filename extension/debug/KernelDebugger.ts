/**
 * Debug sessions on kernels: opens a kernel's inspector (HostRequests `debugOpen`), starts VS Code's JavaScript
 * debugger attached to it, waits until the debugger has taken the thread (so breakpoints are set before the cell
 * runs), and closes the inspector when the session ends, however it ends (the Stop button, the cell finishing, the
 * kernel exiting). The kernel's state outlives every session. While it runs, the sources js-debug sends for notebook
 * cells are rewritten to the cells themselves (extension/pure/cellDebugSources.ts), so VS Code shows them in the notebook.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Kernel } from '../../host/kernel/Kernel';
import { CODA_NOTEBOOK_TYPE } from '../../protocol/codaFile';
import { showCellSources } from '../pure/cellDebugSources';
import { CODA_DEBUG_KEY, debugAttachConfig, withoutCwd } from '../pure/debugAttachConfig';

/** How long the debugger may take to attach before the cell runs anyway. */
export const ATTACH_TIMEOUT_MS = 10_000;

/** A cell of an open CodaJS notebook by its URI string, labelled as its session is (`demo.coda, cell 2`). */
function cellLabel(uri: string): string | undefined {
  for (const notebook of vscode.workspace.notebookDocuments) {
    if (notebook.notebookType !== CODA_NOTEBOOK_TYPE) continue;
    const cell = notebook.getCells().find((c) => c.document.uri.toString() === uri);
    if (cell) return vscode.l10n.t('{0}, cell {1}', basename(notebook.uri.path), cell.index + 1);
  }
  return undefined;
}

interface Attached {
  key: string;
  session?: vscode.DebugSession;
}

export class KernelDebugger implements vscode.Disposable {
  private readonly attached = new Map<Kernel, Attached>();
  /** Session key → resolves when js-debug's session on the kernel has set its breakpoints. */
  private readonly ready = new Map<string, () => void>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly kernelCode: string[],
    private readonly log: (message: string) => void,
  ) {
    this.subscriptions = [
      vscode.debug.registerDebugAdapterTrackerFactory('pwa-node', {
        createDebugAdapterTracker: (session) => {
          // js-debug debugs the kernel in a child session of the one started: once that child's configuration is
          // done, its breakpoints are set in the kernel
          const key = session.parentSession?.configuration[CODA_DEBUG_KEY] as string | undefined;
          if (!key) return undefined;
          return {
            // VS Code hands the tracker the message it then forwards (a copy is made only after this returns): the
            // rewrite is what VS Code's debugger receives
            onDidSendMessage: (m: { type?: string; command?: string }) => {
              showCellSources(m, cellLabel);
              if (m.type === 'response' && m.command === 'configurationDone') this.ready.get(key)?.();
            },
          };
        },
      }),
      vscode.debug.registerDebugConfigurationProvider('pwa-node', {
        resolveDebugConfigurationWithSubstitutedVariables: (_folder, config) => withoutCwd(config),
      }),
      vscode.debug.onDidStartDebugSession((s) => {
        for (const a of this.attached.values()) if (a.key === s.configuration[CODA_DEBUG_KEY]) a.session = s;
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        for (const [kernel, a] of this.attached) if (a.key === s.configuration[CODA_DEBUG_KEY]) this.closed(kernel);
      }),
    ];
  }

  /** True while a session is attached to the kernel. */
  has(kernel: Kernel): boolean {
    return this.attached.has(kernel);
  }

  /** Attaches the debugger to the kernel (once); rejects with the kernel's DebugUnsupported on Bun and the Sandbox. */
  async attach(kernel: Kernel, name: string, folder: vscode.WorkspaceFolder | undefined): Promise<void> {
    if (this.attached.has(kernel)) return;
    const { webSocketUrl } = await kernel.debugOpen();
    const key = randomUUID();
    const entry: Attached = { key };
    this.attached.set(kernel, entry);
    const offExit = kernel.onExit(() => this.closed(kernel));
    const threadSeen = new Promise<void>((resolve) => this.ready.set(key, resolve));
    let timer: NodeJS.Timeout | undefined;
    try {
      const config = debugAttachConfig({ name, webSocketUrl, key, kernelCode: this.kernelCode }) as vscode.DebugConfiguration;
      const started = await vscode.debug.startDebugging(folder, config, { suppressSaveBeforeStart: true });
      if (!started) throw new Error(vscode.l10n.t('VS Code did not start the debug session.'));
      await Promise.race([threadSeen, new Promise<void>((resolve) => (timer = setTimeout(resolve, ATTACH_TIMEOUT_MS)))]);
    } catch (err) {
      this.closed(kernel);
      throw err;
    } finally {
      clearTimeout(timer);
      this.ready.delete(key);
      offExit();
    }
  }

  /** Ends the kernel's session (the kernel keeps running, with its state). */
  async detach(kernel: Kernel): Promise<void> {
    const a = this.attached.get(kernel);
    if (!a) return;
    if (a.session) await vscode.debug.stopDebugging(a.session);
    this.closed(kernel);
  }

  private closed(kernel: Kernel): void {
    if (!this.attached.delete(kernel)) return;
    kernel.debugClose().catch((err: unknown) => this.log(`closing the kernel's inspector failed: ${String(err)}`));
  }

  dispose(): void {
    for (const kernel of [...this.attached.keys()]) void this.detach(kernel);
    vscode.Disposable.from(...this.subscriptions).dispose();
  }
}
