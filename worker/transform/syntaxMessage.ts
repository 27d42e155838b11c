/**
 * What acorn's bare "Unexpected token" means, in the words Node uses (V8's), and better where V8 is vague: the token it
 * met (`Unexpected token ';'`, `Unexpected identifier 'b'`, `Unexpected string`), the end of the cell with the bracket
 * left open (`Unexpected end of input: the ( at line 1, column 4 is never closed`), and an `await` in a function that
 * is not async, placed at the `await`. acorn's other messages (an unterminated string, a redeclared name…) already
 * say what is wrong and are kept.
 */
import * as acorn from 'acorn';
import { columnAt, lineAt } from '../../common/sourcePosition';

export interface SyntaxProblem {
  message: string;
  /** Offset in the cell the problem is at. */
  pos: number;
}

const OPENERS = new Set(['(', '[', '{', '${']);
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** A clearer message for acorn's "Unexpected token" at `pos` (undefined: keep acorn's). Never throws. */
export function syntaxMessage(source: string, pos: number, options: acorn.Options): SyntaxProblem | undefined {
  const tokens: acorn.Token[] = [];
  try {
    for (const token of acorn.tokenizer(source, options)) {
      if (token.start >= pos) {
        tokens.push(token);
        break;
      }
      tokens.push(token);
    }
  } catch {
    // the tokens before it were read with another context than the parser's: say nothing more than acorn
    if (!tokens.length || tokens[tokens.length - 1]!.start < pos) return undefined;
  }
  const at = tokens.length && tokens[tokens.length - 1]!.start >= pos ? tokens.pop() : undefined;
  const before = tokens[tokens.length - 1];
  const textOf = (t: acorn.Token | undefined) => (t ? source.slice(t.start, t.end) : '');
  if (before?.type === acorn.tokTypes.name && textOf(before) === 'await') {
    return { message: 'await is only valid in async functions and the top level bodies of modules', pos: before.start };
  }
  if (before?.type === acorn.tokTypes.name && tokens[tokens.length - 2]?.type === acorn.tokTypes._const) {
    return { message: 'Missing initializer in const declaration', pos: before.start };
  }
  if (!at || at.type === acorn.tokTypes.eof) {
    const open = unclosed(source, tokens);
    return {
      message: open
        ? `Unexpected end of input: the ${open.text} at line ${lineAt(source, open.start)}, column ${columnAt(source, open.start)} is never closed`
        : 'Unexpected end of input',
      pos,
    };
  }
  const text = source.slice(at.start, at.end);
  if (at.type === acorn.tokTypes.name) return { message: `Unexpected identifier '${text}'`, pos: at.start };
  if (at.type === acorn.tokTypes.num) return { message: 'Unexpected number', pos: at.start };
  if (at.type === acorn.tokTypes.string) return { message: 'Unexpected string', pos: at.start };
  if (at.type === acorn.tokTypes.template || at.type === acorn.tokTypes.backQuote) return { message: 'Unexpected template string', pos: at.start };
  return { message: `Unexpected token '${text.length > 20 ? `${text.slice(0, 19)}…` : text}'`, pos: at.start };
}

/** The innermost bracket the tokens leave open. */
function unclosed(source: string, tokens: acorn.Token[]): { text: string; start: number } | undefined {
  const stack: { text: string; start: number }[] = [];
  for (const t of tokens) {
    const text = t.type === acorn.tokTypes.dollarBraceL ? '${' : source.slice(t.start, t.end);
    if (t.type.label === 'string' || t.type.label === 'template' || t.type.label === 'name') continue;
    if (OPENERS.has(text)) stack.push({ text, start: t.start });
    else if (text in CLOSERS && stack.length) stack.pop();
  }
  return stack[stack.length - 1];
}
