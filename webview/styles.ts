/** Styles of every CodaJS output, from VS Code theme variables: one style element per document, shared by all outputs. */

/** The id of the style element, so that a document gets it once however many outputs it shows. */
export const STYLE_ELEMENT_ID = 'codajs-styles';

/** Adds the style sheet to the document unless it is there already. */
export function ensureStyles(doc: Document): void {
  if (doc.getElementById(STYLE_ELEMENT_ID)) return;
  const style = doc.createElement('style');
  style.id = STYLE_ELEMENT_ID;
  style.textContent = STYLES;
  (doc.head ?? doc.body).append(style);
}

export const STYLES = `
.coda-console, .coda-tree, .coda-error-view { font-family: var(--vscode-editor-font-family, monospace); font-size: var(--vscode-editor-font-size, 13px); line-height: 18px; color: var(--vscode-editor-foreground); }
.coda-entry { white-space: pre-wrap; word-break: break-word; padding: 0 4px; border-bottom: 1px solid transparent; }
.coda-level-warn { color: var(--vscode-editorWarning-foreground, #cca700); background: color-mix(in srgb, var(--vscode-editorWarning-foreground, #cca700) 10%, transparent); }
.coda-level-error { color: var(--vscode-errorForeground, #f48771); background: color-mix(in srgb, var(--vscode-errorForeground, #f48771) 10%, transparent); }
.coda-level-debug { opacity: 0.75; }
.coda-level-info { color: var(--vscode-editorInfo-foreground, inherit); }
.coda-group { margin-left: 0; } .coda-group > :not(summary) { margin-left: 14px; }
.coda-group-label { cursor: pointer; font-weight: bold; }
.coda-table { border-collapse: collapse; margin: 2px 0; } .coda-table th, .coda-table td { border: 1px solid var(--vscode-editorWidget-border, #555); padding: 0 6px; text-align: left; }
.coda-line-no, .coda-dim, .coda-hint { opacity: 0.65; }
.coda-frames { padding-left: 16px; opacity: 0.85; } .coda-frame-link { color: var(--vscode-textLink-foreground); cursor: pointer; }
.coda-row { cursor: default; white-space: nowrap; } .coda-row:focus { outline: 1px solid var(--vscode-focusBorder); }
.coda-twisty { display: inline-block; width: 14px; font-size: 9px; cursor: pointer; user-select: none; } .coda-leaf { cursor: default; }
.coda-children { margin-left: 14px; }
.coda-inline-value { display: inline-block; vertical-align: top; white-space: normal; } .coda-inline-value .coda-tree { display: inline-block; }
.coda-name { color: var(--vscode-debugTokenExpression-name, #c586c0); }
.coda-v-string { color: var(--vscode-debugTokenExpression-string, #ce9178); }
.coda-v-number, .coda-v-bigint { color: var(--vscode-debugTokenExpression-number, #b5cea8); }
.coda-v-boolean { color: var(--vscode-debugTokenExpression-boolean, #4e94ce); }
.coda-v-null, .coda-v-undefined { opacity: 0.7; }
.coda-v-symbol, .coda-v-function, .coda-v-class { color: var(--vscode-debugTokenExpression-value, #9cdcfe); }
.coda-accessor { font-style: italic; opacity: 0.7; }
.coda-more, .coda-show-all { background: none; border: none; color: var(--vscode-textLink-foreground); cursor: pointer; padding: 0 4px; font: inherit; }
.coda-error-head { color: var(--vscode-errorForeground, #f48771); font-weight: bold; white-space: pre-wrap; }
.coda-cause, .coda-error-member { margin-left: 12px; }
.coda-interrupted { color: var(--vscode-editorWarning-foreground, #cca700); }
.coda-vline { white-space: pre; overflow: hidden; left: 0; right: 0; padding: 0 4px; }
.ansi-bold { font-weight: bold; } .ansi-dim { opacity: 0.7; } .ansi-italic { font-style: italic; } .ansi-underline { text-decoration: underline; } .ansi-strike { text-decoration: line-through; } .ansi-underline.ansi-strike { text-decoration: underline line-through; }
${Array.from({ length: 16 }, (_, i) => {
  const names = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];
  const v = `--vscode-terminal-ansi${i >= 8 ? 'Bright' : ''}${names[i % 8]!.replace(/^./, (c) => c.toUpperCase())}`;
  return `.ansi-fg-${i} { color: var(${v}); } .ansi-bg-${i} { background-color: var(${v}); }`;
}).join('\n')}
`;
