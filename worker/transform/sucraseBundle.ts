/** Bundled on its own (dist/sucrase.js) and loaded by the first TypeScript cell, so kernels start faster. */
export { transform } from 'sucrase';
// sucrase's own parser and token names: which namespaces it removed (valueNamespace.ts); from its ES build, which the
// bundle's `transform` comes from (its CommonJS files would put a second copy of the parser in dist/sucrase.js)
export { parse } from 'sucrase/dist/esm/parser';
export { TokenType } from 'sucrase/dist/esm/parser/tokenizer/types';
export { ContextualKeyword } from 'sucrase/dist/esm/parser/tokenizer/keywords';
