/**
 * A cell that is all one object literal (`{ "name": "ada", "tags": [1] }`, pasted JSON) runs as that object, as Node's
 * REPL and the browser consoles read it (worker/transform/transformCell.ts). The notebook's program reads it the same
 * way (buildProgram.ts wraps it in parentheses, outside the cell's own text), and the syntax errors a block reading
 * would give are not shown (createPlugin.ts).
 */
import type { TS } from './analyzeCell';

/** Whitespace and comments, then `{`: the only start an object literal cell has. */
const LEADING_BRACE = /^(?:\s|\/\/[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*\{/;

export function isObjectLiteralCell(tsm: TS, text: string): boolean {
  if (!LEADING_BRACE.test(text)) return false;
  const file = tsm.createSourceFile('cell.ts', `(${text}\n)`, tsm.ScriptTarget.Latest, false, tsm.ScriptKind.TS);
  const errors = (file as unknown as { parseDiagnostics?: unknown[] }).parseDiagnostics ?? [];
  if (errors.length || file.statements.length !== 1) return false;
  const statement = file.statements[0]!;
  return (
    tsm.isExpressionStatement(statement) &&
    tsm.isParenthesizedExpression(statement.expression) &&
    tsm.isObjectLiteralExpression(statement.expression.expression)
  );
}
