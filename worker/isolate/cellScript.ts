/**
 * A cell as the script the isolate runs: types stripped, the shared cell transform (state persists, re-declared
 * const works, top-level await), then the transform's async body's promise handed to the prelude's run hook, which
 * is told the cell's identity first: `var a; __coda$run({...})((async () => { ... })())`. The body is still called
 * from the last line, so the wrapper's frame never shows in a stack. Lines never move; line 1 columns shift by
 * `prologueLength`. Static imports are refused before anything runs.
 */
import * as acorn from 'acorn';
import type { CellLanguage, DecoratorMode, SerializedError } from '../../protocol';
import { composeColumns, type Columns } from '../transform/ColumnMap';
import { cellJavaScript, typedCell } from '../transform/typedCell';
import type { NamespaceMembers } from '../transform/lowerNamespaces';
import { transformCell } from '../transform/transformCell';
import { RUN_HOOK } from './prelude/sandboxPrelude';
import { staticImport } from './sandboxErrors';

export interface CellScript {
  code: string;
  prologueLength: number;
  lineCount: number;
  columns: Columns;
  /** Names the cell declares at top level (the Variables view). */
  declared: string[];
  /** Those it declares constant (ConstantNames). */
  constants: string[];
}

export interface CellMeta {
  cellId: string;
  executionId: number;
  instrument: boolean;
}

/**
 * Throws CellSyntaxError (transformCell) for syntax errors; returns a SerializedError for a static import. `namespaces`:
 * what the kernel's earlier cells' namespaces export (lowerNamespaces.ts); `constants`: the top-level names they left
 * constant (ConstantNames.ts).
 */
export function cellScript(
  source: string,
  language: CellLanguage,
  label: string,
  meta: CellMeta,
  decorators?: DecoratorMode,
  namespaces?: NamespaceMembers,
  constants?: ReadonlySet<string>,
): CellScript | SerializedError {
  const typed = language === 'typescript' ? typedCell(source, `${label}.ts`, { typescript: true }, decorators, namespaces) : undefined;
  const lowered = cellJavaScript(source, typed, decorators);
  const js = lowered.code;
  const out = transformCell(js, { instrumentLines: meta.instrument, constants });
  const imported = firstStaticImport(js);
  if (imported) return staticImport(imported.spec, imported.line, imported.column, meta.cellId);
  const at = out.code.indexOf('(async () => {');
  const prefix = `${RUN_HOOK}(${JSON.stringify(meta)})(`;
  const code = `${out.code.slice(0, at)}${prefix}${out.code.slice(at)})`;
  return {
    code,
    prologueLength: out.prologueLength + prefix.length,
    lineCount: js.split('\n').length,
    columns: composeColumns(out.columns, lowered.columns),
    declared: out.declared,
    constants: out.constants,
  };
}

function firstStaticImport(js: string): { spec: string; line: number; column: number } | undefined {
  if (!/\bimport\b/.test(js)) return undefined;
  const ast = acorn.parse(js, {
    ecmaVersion: 'latest',
    sourceType: 'script',
    allowAwaitOutsideFunction: true,
    allowImportExportEverywhere: true,
    allowHashBang: true,
    locations: true,
  });
  for (const node of ast.body) {
    if (node.type === 'ImportDeclaration') return { spec: String(node.source.value), line: node.loc!.start.line, column: node.loc!.start.column + 1 };
  }
  return undefined;
}
