/**
 * What one cell contributes to its notebook's program, read from the cell's own syntax tree (no type checking):
 * the names it declares at top level, its import statements (which the program hoists to the top, since an
 * import cannot sit inside the block a re-declaration opens) and its `export` keywords (which the kernel refuses).
 */
import type * as ts from 'typescript';
import { cellClosers } from './cellClosers';
import { isObjectLiteralCell } from './objectLiteralCell';

export type TS = typeof ts;

export interface TextRange {
  start: number;
  end: number;
}

export interface CellAnalysis {
  /** Value and type names declared at the cell's top level (imports not included). */
  names: string[];
  /** Local names bound by the cell's imports. */
  importNames: string[];
  /** Whole import statements, hoisted to the top of the program. */
  imports: TextRange[];
  /** `export` / `export default` keywords (blanked in the program, flagged as the kernel flags them). */
  exportKeywords: TextRange[];
  /** `export { a }`, `export * from`, `export = x`: whole statements the kernel refuses (blanked). */
  exportStatements: TextRange[];
  /** What closes the constructs the cell leaves open at its end (cellClosers.ts). */
  closers: string;
  /** The cell is all one object literal, which the kernel runs as that object (objectLiteralCell.ts). */
  objectLiteral: boolean;
}

/** `jsx`: the cell is read with JSX, as its kernel runs it (every cell of a Deno notebook). */
export function analyzeCell(tsm: TS, text: string, isTs: boolean, jsx = false): CellAnalysis {
  const kind = isTs ? (jsx ? tsm.ScriptKind.TSX : tsm.ScriptKind.TS) : jsx ? tsm.ScriptKind.JSX : tsm.ScriptKind.JS;
  const sf = tsm.createSourceFile(`cell.${isTs ? 'ts' : 'js'}${jsx ? 'x' : ''}`, text, tsm.ScriptTarget.Latest, false, kind);
  const out: CellAnalysis = {
    names: [],
    importNames: [],
    imports: [],
    exportKeywords: [],
    exportStatements: [],
    closers: cellClosers(tsm, text, jsx),
    objectLiteral: isObjectLiteralCell(tsm, text),
  };
  const name = (n: ts.Node | undefined) => {
    if (!n) return;
    if (tsm.isIdentifier(n)) out.names.push(n.text);
    else if (tsm.isObjectBindingPattern(n) || tsm.isArrayBindingPattern(n)) for (const e of n.elements) if (tsm.isBindingElement(e)) name(e.name);
  };
  for (const st of sf.statements) {
    const range = { start: st.getStart(sf), end: st.end };
    if (tsm.isImportDeclaration(st) || tsm.isImportEqualsDeclaration(st)) {
      out.imports.push(range);
      if (tsm.isImportEqualsDeclaration(st)) out.importNames.push(st.name.text);
      else collectImportNames(tsm, st, out.importNames);
      continue;
    }
    if (tsm.isExportDeclaration(st) || tsm.isExportAssignment(st)) {
      // `export default expr` keeps its expression (it still runs as a statement); the others declare nothing
      if (tsm.isExportAssignment(st) && !st.isExportEquals) out.exportKeywords.push({ start: range.start, end: st.expression.getStart(sf) });
      else out.exportStatements.push(range);
      continue;
    }
    const mods = tsm.canHaveModifiers(st) ? tsm.getModifiers(st) : undefined;
    const exp = mods?.find((m) => m.kind === tsm.SyntaxKind.ExportKeyword);
    if (exp) {
      const def = mods?.find((m) => m.kind === tsm.SyntaxKind.DefaultKeyword);
      out.exportKeywords.push({ start: exp.getStart(sf), end: (def ?? exp).end });
    }
    if (tsm.isVariableStatement(st)) for (const d of st.declarationList.declarations) name(d.name);
    else if (
      tsm.isFunctionDeclaration(st) ||
      tsm.isClassDeclaration(st) ||
      tsm.isEnumDeclaration(st) ||
      tsm.isInterfaceDeclaration(st) ||
      tsm.isTypeAliasDeclaration(st) ||
      tsm.isModuleDeclaration(st)
    )
      name(st.name);
  }
  out.names = [...new Set(out.names)];
  return out;
}

function collectImportNames(tsm: TS, st: ts.ImportDeclaration, into: string[]): void {
  const clause = st.importClause;
  if (!clause) return;
  if (clause.name) into.push(clause.name.text);
  const b = clause.namedBindings;
  if (!b) return;
  if (tsm.isNamespaceImport(b)) into.push(b.name.text);
  else for (const e of b.elements) into.push(e.name.text);
}

/** `import(...)` calls anywhere in a cell (the Sandbox refuses them at run time, like static imports). */
export function dynamicImports(tsm: TS, text: string, isTs: boolean): TextRange[] {
  if (!text.includes('import')) return [];
  const sf = tsm.createSourceFile(isTs ? 'cell.ts' : 'cell.js', text, tsm.ScriptTarget.Latest, false, isTs ? tsm.ScriptKind.TS : tsm.ScriptKind.JS);
  const out: TextRange[] = [];
  const visit = (n: ts.Node): void => {
    if (tsm.isCallExpression(n) && n.expression.kind === tsm.SyntaxKind.ImportKeyword) out.push({ start: n.getStart(sf), end: n.end });
    tsm.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
