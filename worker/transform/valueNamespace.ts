/**
 * sucrase reads every TypeScript `namespace` (and `module X {}`) as types and removes it whole, values included, so a
 * cell declaring `namespace NS { export const v = 1 }` ran without it and failed later with `NS is not defined`. This
 * finds such a namespace, so the cell can say so where it is written: one holding anything that is not a type (a
 * namespace of interfaces and type aliases, or one declared with `declare`, is rightly removed).
 */
import type * as SucraseBundle from './sucraseBundle';

export type SucraseParser = Pick<typeof SucraseBundle, 'transform' | 'transformWithMappings' | 'parse' | 'TokenType' | 'ContextualKeyword' | 'IdentifierRole'>;
type Token = ReturnType<SucraseParser['parse']>['tokens'][number];

/** The offset of the first namespace in `source` that holds values, or undefined. */
export function valueNamespace(s: SucraseParser, source: string, jsx = false): number | undefined {
  const { TokenType: T, ContextualKeyword: K } = s;
  const tokens = s.parse(source, jsx, true, false).tokens;
  const is = (t: Token | undefined, keyword: number) => t?.type === T.name && t.contextualKeyword === keyword;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!t.isType || !(is(t, K._namespace) || is(t, K._module) || is(t, K._global))) continue;
    // the block after `namespace A.B.C` (a `module "name"` or `global` block is ambient: `declare` is required)
    let j = i + 1;
    while (tokens[j]?.type === T.name && (tokens[j + 1]?.type === T.dot || tokens[j + 1]?.type === T.braceL)) j += tokens[j + 1]!.type === T.dot ? 2 : 1;
    if (tokens[j]?.type !== T.braceL) continue;
    const close = closingBrace(s, tokens, j);
    if (close === undefined) return undefined;
    // `declare namespace` is ambient through and through: nothing in it runs, nested namespaces included
    if (tokens[i - 1]?.type === T._declare || is(t, K._global)) {
      i = close;
      continue;
    }
    const body = source.slice(tokens[j]!.end, tokens[close]!.start);
    if (holdsValues(s, body, jsx)) return t.start;
  }
  return undefined;
}

/** The index after the token that closes the bracket (`(`, `[`, `{` or a template's `${`) opened at `open`. */
export function afterBracket(s: SucraseParser, tokens: Token[], open: number): number {
  const { TokenType: T } = s;
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const type = tokens[i]!.type;
    if (type === T.parenL || type === T.bracketL || type === T.braceL || type === T.dollarBraceL) depth++;
    else if (type === T.parenR || type === T.bracketR || type === T.braceR) {
      if (--depth === 0) return i + 1;
    }
  }
  return tokens.length;
}

/** The index of the `}` that closes the `{` at `open` (template `${` and JSX braces counted alike). */
export function closingBrace(s: SucraseParser, tokens: Token[], open: number): number | undefined {
  const { TokenType: T } = s;
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    const type = tokens[i]!.type;
    if (type === T.braceL || type === T.dollarBraceL || type === T.braceBarL) depth++;
    else if (type === T.braceR || type === T.braceBarR) {
      if (--depth === 0) return i;
    }
  }
  return undefined;
}

/** The body keeps code once its types are removed (more than empty statements), or a namespace in it does. */
export function holdsValues(s: SucraseParser, body: string, jsx: boolean): boolean {
  const { TokenType: T } = s;
  let stripped: string;
  try {
    stripped = s.transform(body, { transforms: ['typescript', ...(jsx ? (['jsx'] as const) : [])], disableESTransforms: true, keepUnusedImports: true }).code;
  } catch {
    // a body that does not read alone (it used the namespace's `this` or a label outside): the cell's own parse said it
    // was fine, so a namespace with something in it
    return true;
  }
  if (s.parse(stripped, jsx, true, false).tokens.some((t) => t.type !== T.eof && t.type !== T.semi)) return true;
  return valueNamespace(s, body, jsx) !== undefined;
}
