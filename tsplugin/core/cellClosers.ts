/**
 * What a cell leaves open at its end while the user types (`function f() {`, `foo(`, an unclosed comment or
 * template): the text that closes it, put between this cell and the next in the program. Without it every later
 * cell would be swallowed into the half-typed function or comment, and their diagnostics would flicker with each
 * keystroke. The cell's own syntax errors are still reported from the cell alone.
 */
import type { TS } from './analyzeCell';

/** Beyond this depth the cell is not code being typed; nothing is closed (the program stays what TypeScript makes of it). */
const MAX_OPEN = 256;

export function cellClosers(tsm: TS, text: string, jsx = false): string {
  const K = tsm.SyntaxKind;
  let unterminatedComment = false;
  const scanner = tsm.createScanner(tsm.ScriptTarget.Latest, false, jsx ? tsm.LanguageVariant.JSX : tsm.LanguageVariant.Standard, text, (message) => {
    if (message.code === 1010) unterminatedComment = true;
  });
  const stack: string[] = [];
  let unterminatedTemplate = false;
  for (let t = scanner.scan(); t !== K.EndOfFileToken; t = scanner.scan()) {
    switch (t) {
      case K.OpenBraceToken:
        stack.push('}');
        break;
      case K.OpenParenToken:
        stack.push(')');
        break;
      case K.OpenBracketToken:
        stack.push(']');
        break;
      case K.TemplateHead:
        stack.push('}`');
        break;
      case K.CloseBraceToken:
        if (stack[stack.length - 1] === '}`') {
          // the end of a `${…}`: the template goes on (middle) or ends (tail)
          const r = scanner.reScanTemplateToken(false);
          if (r === K.TemplateTail) stack.pop();
          if (scanner.isUnterminated()) unterminatedTemplate = true;
        } else if (stack[stack.length - 1] === '}') stack.pop();
        break;
      case K.CloseParenToken:
        if (stack[stack.length - 1] === ')') stack.pop();
        break;
      case K.CloseBracketToken:
        if (stack[stack.length - 1] === ']') stack.pop();
        break;
      case K.NoSubstitutionTemplateLiteral:
        if (scanner.isUnterminated()) unterminatedTemplate = true;
        break;
      case K.SlashToken:
      case K.SlashEqualsToken:
        // a regular expression where an expression may start; good enough to keep `/[{]/` from opening a block
        if (mayStartExpression(scanner.getTokenFullStart(), text)) scanner.reScanSlashToken();
        break;
      default:
        break;
    }
    if (stack.length > MAX_OPEN) return '';
  }
  return (unterminatedComment ? '*/' : '') + (unterminatedTemplate ? '`' : '') + stack.reverse().join('');
}

function mayStartExpression(at: number, text: string): boolean {
  for (let i = at - 1; i >= 0; i--) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    return /[(,=:[!&|?{};+\-*%<>~^]/.test(c) || /\b(return|typeof|case|do|else|in|of|void|yield|await)$/.test(text.slice(Math.max(0, i - 6), i + 1));
  }
  return true;
}
