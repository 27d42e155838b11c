/**
 * How a cell's document is named in its script's source map (protocol CellSource.uri), so that VS Code's JavaScript
 * debugger (js-debug) ties the script to the editor a breakpoint was set in. js-debug keys sources by an absolute
 * path: a file is its path (a `// %%` scratch file), and a notebook cell — a `vscode-notebook-cell:` document that
 * is no file — is its URI behind CELL_SOURCE_PREFIX, which the attach configuration's `sourceMapPathOverrides` maps
 * back to the URI string itself: the path VS Code sends with the cell's breakpoints.
 */

/** The prefix of a notebook cell's source in a cell script's map (debugAttachConfig's override removes it). */
export const CELL_SOURCE_PREFIX = 'coda-cell:///';

/** The structural part of a vscode.Uri this needs. */
export interface UriLike {
  readonly scheme: string;
  readonly fsPath: string;
  toString(): string;
}

export function cellSourceUri(uri: UriLike): string {
  return uri.scheme === 'file' ? uri.fsPath : `${CELL_SOURCE_PREFIX}${uri.toString()}`;
}
