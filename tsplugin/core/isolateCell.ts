/**
 * A CodaJS cell as VS Code's own TypeScript program sees it: a module that adds nothing to the global scope it
 * shares with every open script and plain file. `export {}` is appended past the cell's end (no position moves);
 * a `declare global` block, which a module may use to reach that scope, becomes a namespace of the same length.
 * The cell's own notebook program (buildProgram.ts) keeps the real text: there `declare global` reaches only the
 * notebook's own program.
 */
export const MODULE_TAIL = '\nexport {};\n';

const DECLARE_GLOBAL = /\bdeclare([ \t]+)global\b/g;

export function isolateCellText(text: string): string {
  // `declare` + spaces + `global` is 13+n characters; `namespace ` + an identifier of 3+n underscores is as long
  const neutral = text.replace(DECLARE_GLOBAL, (_m, ws: string) => `namespace ${'_'.repeat(3 + ws.length)}`);
  return neutral + MODULE_TAIL;
}
