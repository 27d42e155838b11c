/**
 * How a cell's document is named in its script's source map (protocol CellSource.uri), so that VS Code's JavaScript
 * debugger (js-debug) ties the script to the editor a breakpoint was set in: exactly the path VS Code sends with that
 * editor's breakpoints. A file is its path (a `// %%` scratch file); a notebook cell, which is no file, is its
 * `vscode-notebook-cell:` URI as a string (with the remote authority in a remote window, e.g. code-server). js-debug
 * would resolve such a name against the session's `cwd`, so CodaJS's sessions have none (debugAttachConfig.ts).
 */

/** The structural part of a vscode.Uri this needs. */
export interface UriLike {
  readonly scheme: string;
  readonly fsPath: string;
  toString(): string;
}

export function cellSourceUri(uri: UriLike): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}
