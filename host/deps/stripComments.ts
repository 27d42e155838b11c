/**
 * JavaScript/TypeScript text with comments and string contents blanked out (same length, newlines kept), so a
 * `require('x')` inside a comment or a string is not taken for a dependency. The string argument of a
 * `require(` call is kept.
 */
export function stripComments(code: string): string {
  const out = code.split('');
  let i = 0;
  let quote: string | undefined;
  let quoteStart = 0;
  while (i < code.length) {
    const c = code[i]!;
    if (quote) {
      if (c === '\\') i += 2;
      else {
        if (c === quote) {
          quote = undefined;
          if (!/require\s*\(\s*$/.test(code.slice(Math.max(0, quoteStart - 20), quoteStart))) {
            for (let j = quoteStart + 1; j < i; j++) if (out[j] !== '\n') out[j] = ' ';
          }
        }
        i++;
      }
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      quoteStart = i;
      i++;
    } else if (c === '/' && code[i + 1] === '/') {
      while (i < code.length && code[i] !== '\n') out[i++] = ' ';
    } else if (c === '/' && code[i + 1] === '*') {
      const end = code.indexOf('*/', i + 2);
      const stop = end === -1 ? code.length : end + 2;
      for (; i < stop; i++) if (out[i] !== '\n') out[i] = ' ';
    } else i++;
  }
  return out.join('');
}
