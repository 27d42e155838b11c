/**
 * Whitespace and comments, then `{`: where a cell that may be all one object literal (pasted JSON) starts. The kernel
 * (worker/transform/transformCell.ts) and the editor's types (tsplugin/core/objectLiteralCell.ts) read such a cell as
 * the object; both look for it with this one pattern, so they agree on which cells those are.
 */
export const OBJECT_LITERAL_START = /^(?:\s|\/\/[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*\{/;
