/**
 * A CodaJS cell as VS Code's own TypeScript program sees it: a module that adds nothing to the global scope it
 * shares with every open script and plain file. `;export {}` is appended past the cell's end (no position moves; the
 * `;` ends a half-typed expression so the tail never joins it);
 * a `declare global` block, which a module may use to reach that scope, becomes a namespace of the same length.
 * The cell's own notebook program (buildProgram.ts) keeps the real text: there `declare global` reaches only the
 * notebook's own program.
 */
export const MODULE_TAIL = '\n;export {};\n';

const DECLARE_GLOBAL = /\bdeclare([ \t]+)global\b/g;

/**
 * `closers` (cellClosers.ts) close what a half-typed cell leaves open, so the `export {}` after them is at the
 * module's top level while the user types; the plugin reports the missing closer itself (unclosedDiagnostic).
 */
export function isolateCellText(text: string, closers = ''): string {
  // `declare` + spaces + `global` is 13+n characters; `namespace ` + an identifier of 3+n underscores is as long
  const neutral = text.replace(DECLARE_GLOBAL, (_m, ws: string) => `namespace ${'_'.repeat(3 + ws.length)}`);
  return neutral + (closers ? `\n${closers}` : '') + MODULE_TAIL;
}

/** TypeScript's own diagnostic for the first thing a cell leaves open, at the cell's end. */
export function unclosedDiagnostic(closers: string): { code: number; message: string } | undefined {
  if (!closers) return undefined;
  if (closers.startsWith('*/')) return { code: 1010, message: "'*/' expected." };
  if (closers.startsWith('`')) return { code: 1160, message: 'Unterminated template literal.' };
  return { code: 1005, message: `'${closers[0]}' expected.` };
}
