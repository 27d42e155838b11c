/**
 * TypeScript cells: types removed with sucrase, which keeps every line where it was (so stack positions
 * still match the cell) and leaves `import` statements for the cell transform. Imports are kept even when
 * unused in this cell: a later cell may use them.
 */
import { transform } from 'sucrase';

export function stripTypes(source: string, fileName: string): string {
  return transform(source, {
    transforms: ['typescript'],
    disableESTransforms: true,
    keepUnusedImports: true,
    filePath: fileName,
  }).code;
}
