/**
 * A cell that is all one object literal (`{ "name": "ada", "tags": [1] }`, pasted JSON) runs as that object, as Node's
 * REPL and the browser consoles read it (worker/transform/transformCell.ts). The notebook's program reads it the same
 * way (buildProgram.ts wraps it in parentheses, outside the cell's own text), and the syntax errors a block reading
 * would give are not shown (createPlugin.ts).
 */
import type { TS } from './analyzeCell';
import { OBJECT_LITERAL_START } from '../../common/objectLiteralStart';

export function isObjectLiteralCell(tsm: TS, text: string): boolean {
  if (!OBJECT_LITERAL_START.test(text)) return false;
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
