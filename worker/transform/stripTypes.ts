/**
 * TypeScript cells: types removed with sucrase, which keeps every line where it was (so stack positions
 * still match the cell) and leaves `import` statements for the cell transform. Imports are kept even when
 * unused in this cell: a later cell may use them.
 */
import { join } from 'node:path';
import type * as Sucrase from 'sucrase';

let sucrase: Pick<typeof Sucrase, 'transform'> | undefined;

/** The separately bundled transpiler next to this bundle (dist/sucrase.js). */
function loadSucrase(): Pick<typeof Sucrase, 'transform'> {
  const file = join(__dirname, 'sucrase.js');
  try {
    return require(file) as typeof Sucrase;
  } catch (err) {
    throw new Error(`TypeScript support is missing from this install (${file}): ${(err as Error).message}. Reinstall CodaJS.`);
  }
}

export function stripTypes(source: string, fileName: string): string {
  // loaded on the first TypeScript cell: JavaScript-only kernels start faster
  sucrase ??= loadSucrase();
  return sucrase.transform(source, {
    transforms: ['typescript'],
    disableESTransforms: true,
    keepUnusedImports: true,
    filePath: fileName,
  }).code;
}
