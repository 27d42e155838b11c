/**
 * display.table's HTML escaping: `&`, `<`, `>`, `"` and `'` as decimal character references (`&#60;`). Used by the
 * Node, Deno and Bun kernels (worker/node/displayHelper.ts) and by the Sandbox's prelude, which stringifies it:
 * self-contained, ECMAScript built-ins only, captured when it is made (a cell that replaces `String.prototype.replace`
 * or RegExp's methods does not change what a table writes). The secret scanner writes the same form to find a secret
 * in a table (protocol/makeSecretScanner.ts `htmlEscape`, which must stay self-contained too).
 */
export function makeHtmlEscape(): (s: string) => string {
  'use strict';
  const apply = Reflect.apply;
  const charCodeAt = String.prototype.charCodeAt;
  const strSlice = String.prototype.slice;
  return (s) => {
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c: number = apply(charCodeAt, s, [i]);
      out += c === 0x26 || c === 0x3c || c === 0x3e || c === 0x22 || c === 0x27 ? `&#${c};` : apply(strSlice, s, [i, i + 1]);
    }
    return out;
  };
}
