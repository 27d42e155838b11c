/** Bundled on its own (dist/sucrase.js) and loaded by the first TypeScript cell, so kernels start faster. */
export { transform } from 'sucrase';
