// CodaJS's extension API: generated from extension/api/codaApi.ts by scripts/apiTypes.mjs (do not edit). Docs: docs/plugins.md
/**
 * The API CodaJS returns from `activate()` for other extensions, declared once (published as api/codajs.d.ts by
 * scripts/apiTypes.mjs). Get it with `vscode.extensions.getExtension<CodaApi>('codajs.codajs')?.activate()` and check
 * `apiVersion` first: it changes only when something here changes incompatibly. docs/plugins.md.
 */
import type * as vscode from 'vscode';
/** Bumped on an incompatible change of CodaApi. */
export declare const CODA_API_VERSION = 1;
export interface CodaApi {
    readonly apiVersion: typeof CODA_API_VERSION;
    /**
     * Loads a kernel plugin (protocol/plugins.ts, api/plugin.d.ts: value formatters for the object inspector, display
     * MIME types, setup, cell transforms) into every kernel started from now on, after the `coda.plugins` setting's and
     * before a notebook's own. `modulePath`: an absolute path (e.g. inside your extension) or a package name. Rich output
     * of a MIME type of your own is drawn by a notebook renderer your extension contributes for that type.
     */
    registerKernelPlugin(modulePath: string): vscode.Disposable;
    /**
     * Runs code in the running kernel of an open CodaJS notebook (queued after its cells; it shares their variables).
     * Rejects with a `KernelNotRunning` error when the notebook has no running kernel: a user runs a cell first, so
     * trust, permissions and installs stay theirs to grant.
     */
    runInKernel(notebook: vscode.Uri, code: string, options?: {
        language?: 'javascript' | 'typescript';
    }): Promise<CodaRunResult>;
    /** Fires after each cell execution of a CodaJS notebook ends. */
    readonly onDidExecuteCell: vscode.Event<CodaCellExecution>;
}
export interface CodaRunResult {
    status: 'ok' | 'error' | 'interrupted';
    /** The result's one-line preview, as the inspector shows it collapsed (status ok and a value). */
    value?: string;
    /** What was thrown (status error). */
    error?: {
        name: string;
        message: string;
    };
    durationMs: number;
}
export interface CodaCellExecution {
    notebook: vscode.Uri;
    cell: vscode.NotebookCell;
    success: boolean;
}
