/**
 * What the extension sends the plugin, built from VS Code's notebook objects without importing `vscode` (the
 * shapes below are the parts of `vscode.NotebookDocument` / `TextDocument` it reads). The extension calls, on
 * activation and whenever a CodaJS notebook or scratch file opens, closes, changes runtime, reorders cells or
 * gets a new dependency store:
 *
 *   const api = vscode.extensions.getExtension('vscode.typescript-language-features')?.exports?.getAPI?.(0);
 *   api?.configurePlugin(PLUGIN_NAME, pluginMessage({ notebooks, scratchFiles, ...globals }));
 *
 * Every message carries every open notebook: it replaces the previous one.
 */
import { PLUGIN_NAME, type NotebookDescription, type PluginMessage, type RuntimeId } from './core/pluginConfig';

export { PLUGIN_NAME };

export interface UriLike {
  toString(): string;
}

export interface NotebookLike {
  uri: UriLike;
  getCells(): readonly { kind: number; document: { uri: UriLike } }[];
}

/** `vscode.NotebookCellKind.Code`. */
const CODE_CELL = 2;

export interface OpenNotebook {
  notebook: NotebookLike;
  /** From the notebook's metadata (the kernel's runtime). */
  runtime: RuntimeId;
  /** The notebook's dependency store folders (InitParams.modulePaths). */
  modulePaths?: string[];
  typeRoots?: string[];
  /** The Deno binary the notebook runs on (a Deno notebook's `Deno` namespace comes from it). */
  denoPath?: string;
  /** The major of the Node that runs the notebook (for Bun, the Node version Bun reports). */
  nodeMajor?: number;
}

export interface OpenScratchFile {
  uri: UriLike;
  runtime: RuntimeId;
  modulePaths?: string[];
  denoPath?: string;
  nodeMajor?: number;
}

export interface PluginGlobals {
  /** Folders holding `@types/node` (and other type packages) shipped with CodaJS, used when a notebook has none. */
  defaultTypeRoots?: string[];
  /** A folder the plugin may write generated declarations to (the extension's global storage). */
  cacheDir?: string;
}

export function pluginMessage(open: { notebooks: readonly OpenNotebook[]; scratchFiles?: readonly OpenScratchFile[] } & PluginGlobals): PluginMessage {
  const notebooks: NotebookDescription[] = open.notebooks.map((n) => ({
    uri: n.notebook.uri.toString(),
    runtime: n.runtime,
    cells: n.notebook
      .getCells()
      .filter((c) => c.kind === CODE_CELL)
      .map((c) => c.document.uri.toString()),
    ...(n.modulePaths ? { modulePaths: n.modulePaths } : {}),
    ...(n.typeRoots ? { typeRoots: n.typeRoots } : {}),
    ...(n.denoPath ? { denoPath: n.denoPath } : {}),
    ...(n.nodeMajor ? { nodeMajor: n.nodeMajor } : {}),
  }));
  for (const s of open.scratchFiles ?? [])
    notebooks.push({
      uri: s.uri.toString(),
      runtime: s.runtime,
      scratch: true,
      ...(s.modulePaths ? { modulePaths: s.modulePaths } : {}),
      ...(s.denoPath ? { denoPath: s.denoPath } : {}),
      ...(s.nodeMajor ? { nodeMajor: s.nodeMajor } : {}),
    });
  return {
    notebooks,
    ...(open.defaultTypeRoots ? { defaultTypeRoots: open.defaultTypeRoots } : {}),
    ...(open.cacheDir ? { cacheDir: open.cacheDir } : {}),
  };
}
