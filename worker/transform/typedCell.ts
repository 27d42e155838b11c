/**
 * A TypeScript (or JSX) cell as JavaScript: its types removed (stripTypes.ts), its parameter decorators taken out first
 * when the notebook runs TypeScript's experimentalDecorators (parameterDecorators.ts), and the options its decorators
 * are then lowered with (lowerDecorators.ts), which read its types for `emitDecoratorMetadata`.
 */
import type { DecoratorMode } from '../../protocol';
import { decoratorOptions, withDecoratorsLowered, type DecoratorOptions } from './lowerDecorators';
import { hideParameterDecorators } from './parameterDecorators';
import { loadedSucrase, stripTypes, type TranspileOptions } from './stripTypes';
import { composeColumns, type Columns } from './ColumnMap';
import { classFields } from './classFields';
import { exportNamespaceMembers, openNamespaces, type NamespaceMembers } from './lowerNamespaces';
import { holdsValues } from './valueNamespace';
import { cellOffsets } from './designTypes';

export interface TypedCell {
  code: string;
  /** Map the columns of `code` back to the cell. */
  columns: Columns;
  decorators: DecoratorOptions;
  /** A TypeScript cell (else JSX in a JavaScript one). */
  typescript: boolean;
}

/**
 * `namespaces`: what the namespaces of the kernel's earlier cells export (lowerNamespaces.ts), told this cell's too; a
 * module file's own namespaces are its own (none given).
 */
export function typedCell(
  source: string,
  fileName: string,
  options: TranspileOptions,
  mode: DecoratorMode | undefined,
  namespaces?: NamespaceMembers,
): TypedCell {
  const jsx = !!options.jsx;
  const s = loadedSucrase();
  const hidden = options.typescript && mode?.kind === 'legacy' && source.includes('@') ? hideParameterDecorators(source, s, jsx) : undefined;
  const written = hidden?.source ?? source;
  // namespaces that hold values, which sucrase would remove whole, opened into functions first
  const opened = options.typescript ? openNamespaces(s, written, jsx, (body) => holdsValues(s, body, jsx)) : undefined;
  const cellSource = opened?.source ?? written;
  const stripped = stripTypes(cellSource, fileName, options);
  let code = stripped.code;
  /** The code's columns in cellSource (what the decorators' types are read from). */
  let inSource: Columns = stripped.columns;
  if (opened) {
    const members = exportNamespaceMembers(code, opened.plan, cellOffsets(code, written, composeColumns(stripped.columns, opened.columns)), jsx, namespaces);
    code = members.code;
    inSource = members.edits ? composeColumns(members.edits, stripped.columns) : stripped.columns;
  }
  const columns = opened ? composeColumns(inSource, opened.columns) : inSource;
  const decorators = decoratorOptions(
    mode,
    jsx,
    code,
    options.typescript ? { source: cellSource, columns: inSource, parameters: hidden?.found ?? [] } : undefined,
  );
  return { code, columns, decorators, typescript: options.typescript };
}

/**
 * A cell's JavaScript with its decorators lowered, and how its columns map back to the cell: `typed` when the cell had
 * types (or JSX) to remove, else `source` as written.
 */
export function cellJavaScript(
  source: string,
  typed: TypedCell | undefined,
  mode: DecoratorMode | undefined,
  jsx = false,
): { code: string; columns: Columns | undefined } {
  const lowered = withDecoratorsLowered(typed?.code ?? source, typed?.columns, typed?.decorators ?? decoratorOptions(mode, jsx, source));
  // a TypeScript cell's class fields as its tsconfig.json compiles them (a JavaScript cell's are the language's own)
  const fields = typed?.typescript ? classFields(lowered.code, !!mode?.assignFields) : undefined;
  return fields ? { code: fields.code, columns: composeColumns(fields.columns, lowered.columns) } : lowered;
}
