/**
 * A TypeScript (or JSX) cell as JavaScript: its types removed (stripTypes.ts), its parameter decorators taken out first
 * when the notebook runs TypeScript's experimentalDecorators (parameterDecorators.ts), and the options its decorators
 * are then lowered with (lowerDecorators.ts), which read its types for `emitDecoratorMetadata`.
 */
import type { DecoratorMode } from '../../protocol';
import { decoratorOptions, type DecoratorOptions } from './lowerDecorators';
import { hideParameterDecorators } from './parameterDecorators';
import { loadedSucrase, stripTypes, type TranspileOptions } from './stripTypes';
import type { TypeColumns } from './TypeColumns';

export interface TypedCell {
  code: string;
  columns: TypeColumns;
  decorators: DecoratorOptions;
}

export function typedCell(source: string, fileName: string, options: TranspileOptions, mode: DecoratorMode | undefined): TypedCell {
  const jsx = !!options.jsx;
  const hidden = options.typescript && mode?.kind === 'legacy' && source.includes('@') ? hideParameterDecorators(source, loadedSucrase(), jsx) : undefined;
  const cellSource = hidden?.source ?? source;
  const { code, columns } = stripTypes(cellSource, fileName, options);
  const decorators = decoratorOptions(mode, jsx, code, options.typescript ? { source: cellSource, columns, parameters: hidden?.found ?? [] } : undefined);
  return { code, columns, decorators };
}
