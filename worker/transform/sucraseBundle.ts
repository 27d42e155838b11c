/** Bundled on its own (dist/sucrase.js) and loaded by the first TypeScript cell, so kernels start faster. */
export { transform } from 'sucrase';
// sucrase's own parser and token names: which namespaces it removed (valueNamespace.ts); from its ES build, which the
// bundle's `transform` comes from (its CommonJS files would put a second copy of the parser in dist/sucrase.js)
export { parse } from 'sucrase/dist/esm/parser';
export { TokenType } from 'sucrase/dist/esm/parser/tokenizer/types';
export { ContextualKeyword } from 'sucrase/dist/esm/parser/tokenizer/keywords';
export { IdentifierRole } from 'sucrase/dist/esm/parser/tokenizer';

import { parse as parseCode } from 'sucrase/dist/esm/parser';
import NameManager from 'sucrase/dist/esm/NameManager';
import { HelperManager } from 'sucrase/dist/esm/HelperManager';
import TokenProcessor from 'sucrase/dist/esm/TokenProcessor';
import RootTransformer from 'sucrase/dist/esm/transformers/RootTransformer';
import { validateOptions, type Options } from 'sucrase/dist/esm/Options';
import { PARAMETER_PROPERTY_MARK } from './parameterMark';

/**
 * sucrase's `transform` for what a cell needs (no `imports` transform, unused imports kept), with where each token of
 * `code` went in the output (`mappings[i]`, for `tokens[i]`): sucrase's own source map stops at the first template
 * literal with `${…}` (its column pass skips a token that starts where the one before it did, the template's empty
 * last chunk, and never catches up), so TypeColumns is built from these instead.
 */
export function transformWithMappings(
  code: string,
  options: Options,
): { code: string; mappings: (number | undefined)[]; tokens: ReturnType<typeof parseCode>['tokens'] } {
  validateOptions(options);
  const file = parseCode(code, options.transforms.includes('jsx'), options.transforms.includes('typescript'), false);
  const nameManager = new NameManager(code, file.tokens);
  const helperManager = new HelperManager(nameManager);
  const tokenProcessor = new TokenProcessor(code, file.tokens, false, options.disableESTransforms === true, helperManager);
  const context = { tokenProcessor, scopes: file.scopes, nameManager, importProcessor: null, helperManager };
  const root = new RootTransformer(context, options.transforms, false, options);
  // each parameter property's assignment marked, for classFields.ts (which removes the mark)
  const initCode = root.makeConstructorInitCode.bind(root);
  root.makeConstructorInitCode = (statements, names, className) =>
    initCode(
      statements.map((s) => PARAMETER_PROPERTY_MARK + s),
      names,
      className,
    );
  const result = root.transform();
  return { code: result.code, mappings: result.mappings, tokens: file.tokens };
}
