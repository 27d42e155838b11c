/**
 * TypeScript cells: types removed with sucrase, which keeps every line where it was (so stack positions
 * still match the cell) and leaves `import` statements for the cell transform. Imports are kept even when
 * unused in this cell: a later cell may use them.
 */
import { join } from 'node:path';
import type * as Sucrase from 'sucrase';
import { codaErrorObject } from '../../protocol/codaErrors';
import { CellSyntaxError } from './transformCell';
import { TypeColumns } from './TypeColumns';

let sucrase: Pick<typeof Sucrase, 'transform'> | undefined;

/** The separately bundled transpiler next to this bundle (dist/sucrase.js). */
function loadSucrase(): Pick<typeof Sucrase, 'transform'> {
  const file = join(__dirname, 'sucrase.js');
  try {
    return require(file) as typeof Sucrase;
  } catch (err) {
    throw codaErrorObject('TypeScriptSupportMissing', { path: file, detail: (err as Error).message });
  }
}

/** The cell without its types, and where each column of it was in the cell as written. */
export function stripTypes(source: string, fileName: string): { code: string; columns: TypeColumns } {
  // loaded on the first TypeScript cell: JavaScript-only kernels start faster
  sucrase ??= loadSucrase();
  let out: ReturnType<typeof Sucrase.transform>;
  try {
    out = sucrase.transform(source, {
      transforms: ['typescript'],
      disableESTransforms: true,
      keepUnusedImports: true,
      filePath: fileName,
      sourceMapOptions: { compiledFilename: fileName },
    });
  } catch (err) {
    // sucrase's parser reports `Error transforming <file>: Unexpected token (1:65)` and the offset: the cell's own
    // words and place (its loc column is 1-based, unlike acorn's, so the offset is the reliable part)
    const e = err as { message?: unknown; pos?: unknown };
    if (typeof e.pos !== 'number') throw err;
    const message = String(e.message)
      .replace(/^Error transforming [^:]*: /, '')
      .replace(/\s*\(\d+:\d+\)$/, '');
    const lineStart = source.lastIndexOf('\n', e.pos - 1) + 1;
    throw new CellSyntaxError(message, source.slice(0, lineStart).split('\n').length, e.pos - lineStart + 1);
  }
  return { code: out.code, columns: new TypeColumns(out.sourceMap?.mappings ?? '') };
}
