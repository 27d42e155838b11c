/** Bundled on its own (dist/sucrase.js) and loaded by the first TypeScript cell, so kernels start faster. */
export { transform } from 'sucrase';
// sucrase's own parser and token names: which namespaces it removed (valueNamespace.ts)
export { parse } from 'sucrase/dist/parser';
export { TokenType } from 'sucrase/dist/parser/tokenizer/types';
export { ContextualKeyword } from 'sucrase/dist/parser/tokenizer/keywords';
