/**
 * Parameter decorators (`constructor(@Inject(Db) private db: Db)`), which only TypeScript's `experimentalDecorators`
 * have and sucrase cannot read: taken out of a TypeScript cell before its types are removed (turned to spaces, so
 * every offset and line stays), each with the parameter it decorates, for lowerDecorators.ts to apply as TypeScript's
 * `__param` does. One that decorates no parameter of a class's method or constructor is refused at its `@`.
 */
import { codaErrorMessage } from '../../protocol/codaErrors';
import { decoratorBefore } from './stripTypes';
import { located } from './transformCell';
import type { SucraseParser } from './valueNamespace';
import { lazy } from '../runtime/lazy';

export interface ParameterDecorator {
  /** The `@`, in the cell. */
  start: number;
  end: number;
  /** The decorator's expression (without its `@`), on one line. */
  expression: string;
  /** Where the parameter it decorates starts (its name, `...` or pattern), in the cell. */
  parameter: number;
}

/** At most this many parameter decorators are taken out of one cell. */
const MAX = 200;
const IDENTIFIER = lazy(() => /[\p{ID_Start}$_][\p{ID_Continue}$]*/uy);
const MODIFIERS = new Set(['public', 'private', 'protected', 'readonly', 'override']);

/** `source` without its parameter decorators, and what they were; refuses one that decorates no method's parameter. */
export function hideParameterDecorators(source: string, s: SucraseParser, jsx: boolean): { source: string; found: ParameterDecorator[] } {
  let text = source;
  const hidden: Omit<ParameterDecorator, 'parameter'>[] = [];
  let tokens: ReturnType<SucraseParser['parse']>['tokens'] | undefined;
  for (let i = 0; i <= MAX && !tokens; i++) {
    try {
      tokens = s.parse(text, jsx, true, false).tokens;
    } catch (err) {
      const pos = (err as { pos?: unknown }).pos;
      const at = typeof pos === 'number' ? decoratorBefore(text, pos) : undefined;
      // not a decorator inside a parameter list: the type removal reports it in its own words
      if (at === undefined || i === MAX || !/[(,]\s*$/.test(text.slice(0, at).replace(/\/\*[\s\S]*?\*\//g, ''))) return { source, found: [] };
      const end = decoratorEnd(text, at);
      if (end === undefined) return { source, found: [] };
      const expression = text.slice(at + 1, end);
      // on one line: it runs where the class's decorators are applied, on the class's last line
      if (/\n/.test(expression) && /\/\/|\/\*|`/.test(expression))
        throw located(codaErrorMessage('DecoratorsUnsupported'), source, at, 'DecoratorsUnsupported');
      hidden.push({ start: at, end, expression: withoutTypes(s, expression.replace(/\s*\n\s*/g, ' ')) });
      text = text.slice(0, at) + text.slice(at, end).replace(/[^\n]/g, ' ') + text.slice(end);
    }
  }
  if (!hidden.length || !tokens) return { source, found: [] };
  const { TokenType: T, IdentifierRole: R } = s;
  const classContexts = new Set(tokens.filter((t) => t.type === T._class).map((t) => t.contextId));
  const found: ParameterDecorator[] = [];
  for (const d of hidden) {
    let i = tokens.findIndex((t) => t.start >= d.end);
    // (`private readonly db`: sucrase reads the modifiers as keywords of their own)
    while (tokens[i] && MODIFIERS.has(text.slice(tokens[i]!.start, tokens[i]!.end)) && tokens[i + 1]?.start !== undefined && tokens[i + 1]!.type !== T.colon)
      i++;
    const name = tokens[i];
    // the parameter: its name, a rest parameter's `...`, or a pattern's bracket, in the parameters of a class's method
    const starts =
      name &&
      ((name.type === T.name && name.identifierRole === R.FunctionScopedDeclaration) ||
        name.type === T.ellipsis ||
        name.type === T.braceL ||
        name.type === T.bracketL);
    const open = starts ? paramsOpen(s, tokens, i) : undefined;
    let m = open === undefined ? -1 : open - 1;
    // (a method's type parameters stand between its name and its parameters)
    while (m >= 0 && tokens[m]!.isType) m--;
    const member = tokens[m];
    if (!name || !member || member.contextId === undefined || !classContexts.has(member.contextId)) {
      throw located(codaErrorMessage('DecoratorsUnsupported'), source, d.start, 'DecoratorsUnsupported');
    }
    found.push({ ...d, parameter: name.start });
  }
  return { source: text, found };
}

/** A decorator's expression without the TypeScript in it (`Inject(<string>token)`): it runs as JavaScript. */
function withoutTypes(s: SucraseParser, expression: string): string {
  try {
    return s
      .transform(`(${expression})`, { transforms: ['typescript'], disableESTransforms: true, keepUnusedImports: true })
      .code.trim()
      .replace(/;$/, '');
  } catch {
    return expression;
  }
}

/** The index of the `(` that opens the parameter list holding token `i`. */
function paramsOpen(s: SucraseParser, tokens: ReturnType<SucraseParser['parse']>['tokens'], i: number): number | undefined {
  const { TokenType: T } = s;
  let depth = 0;
  for (let j = i - 1; j >= 0; j--) {
    const type = tokens[j]!.type;
    if (type === T.parenR || type === T.bracketR || type === T.braceR) depth++;
    else if (type === T.parenL || type === T.bracketL || type === T.braceL || type === T.dollarBraceL) {
      if (depth === 0) return type === T.parenL ? j : undefined;
      depth--;
    }
  }
  return undefined;
}

/** Where the decorator whose `@` is at `at` ends: `@a.b`, `@a.b(…)` or `@(…)`. */
function decoratorEnd(text: string, at: number): number | undefined {
  let i = at + 1;
  if (text[i] !== '(') {
    const identifier = IDENTIFIER();
    for (;;) {
      identifier.lastIndex = i;
      if (!identifier.exec(text)) return undefined;
      i = identifier.lastIndex;
      if (text[i] !== '.') break;
      i++;
    }
    const after = /^\s*/.exec(text.slice(i))![0].length;
    if (text[i + after] !== '(') return i;
    i += after;
  }
  return closingParen(text, i);
}

/** The offset after the `)` closing the `(` at `open`, strings, templates and comments skipped. */
function closingParen(text: string, open: number): number | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      const end = text.indexOf('\n', i);
      if (end === -1) return undefined;
      i = end;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) return undefined;
      i = end + 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return undefined;
}
