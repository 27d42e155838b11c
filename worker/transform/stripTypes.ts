/**
 * TypeScript cells: types removed with sucrase, which keeps every line where it was (so stack positions
 * still match the cell) and leaves `import` statements for the cell transform. Imports are kept even when
 * unused in this cell: a later cell may use them. JSX (common/JsxSettings.ts) compiles the same way, in
 * TypeScript and JavaScript cells; a TypeScript cell that does not parse as TSX is read as plain TypeScript (a `<T>x`
 * assertion), as Deno's kernel does.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { codaErrorMessage, codaErrorObject } from '../../protocol/codaErrors';
import type { JsxConfig } from '../../common/JsxSettings';
import { CellSyntaxError, located } from './transformCell';
import { TypeColumns } from './TypeColumns';
import { valueNamespace, type SucraseParser } from './valueNamespace';
import { lazy } from '../runtime/lazy';

let sucrase: SucraseParser | undefined;

/**
 * The separately bundled transpiler next to this bundle (dist/sucrase.js: sucraseBundle.ts), loaded on first use:
 * JavaScript-only kernels start faster. Run from the sources (the tests), the bundle's own source stands in for it.
 */
export function loadedSucrase(): SucraseParser {
  if (sucrase) return sucrase;
  const file = join(__dirname, 'sucrase.js');
  const source = join(__dirname, 'sucraseBundle.ts');
  try {
    sucrase = require(existsSync(file) || !existsSync(source) ? file : source) as SucraseParser;
    return sucrase;
  } catch (err) {
    throw codaErrorObject('TypeScriptSupportMissing', { path: file, detail: (err as Error).message });
  }
}

export interface TranspileOptions {
  /** Types to strip (a TypeScript cell). */
  typescript: boolean;
  /** JSX to compile, and how. */
  jsx?: JsxConfig;
}

/** The cell without its types (and its JSX compiled), and where each column of it was in the cell as written. */
export function stripTypes(source: string, fileName: string, options: TranspileOptions = { typescript: true }): { code: string; columns: TypeColumns } {
  const sucrase = loadedSucrase();
  if (!options.jsx || !options.typescript) return transpile(sucrase, source, fileName, options);
  try {
    return transpile(sucrase, source, fileName, options);
  } catch (tsxError) {
    if (!(tsxError instanceof CellSyntaxError)) throw tsxError;
    try {
      return transpile(sucrase, source, fileName, { typescript: true });
    } catch (tsError) {
      // neither parses: the reading that got further is the one the cell meant
      if (!(tsError instanceof CellSyntaxError)) throw tsError;
      throw later(tsError, tsxError);
    }
  }
}

function transpile(s: SucraseParser, source: string, fileName: string, options: TranspileOptions): { code: string; columns: TypeColumns } {
  const { jsx } = options;
  let out: ReturnType<SucraseParser['transformWithMappings']>;
  try {
    out = s.transformWithMappings(source, {
      transforms: [...(options.typescript ? (['typescript'] as const) : []), ...(jsx ? (['jsx'] as const) : [])],
      disableESTransforms: true,
      keepUnusedImports: true,
      filePath: fileName,
      ...(jsx && {
        // production: no __source/__self props and no _jsxFileName declaration (Deno's default is the same)
        production: true,
        jsxRuntime: jsx.runtime,
        ...(jsx.runtime === 'classic' ? { jsxPragma: jsx.factory, jsxFragmentPragma: jsx.fragment } : { jsxImportSource: jsx.importSource }),
      }),
    });
  } catch (err) {
    // sucrase's parser reports `Error transforming <file>: Unexpected token (1:65)` and the offset: the cell's own
    // words and place (its loc column is 1-based, unlike acorn's, so the offset is the reliable part)
    const e = err as { message?: unknown; pos?: unknown };
    if (typeof e.pos !== 'number') throw err;
    const message = String(e.message)
      .replace(/^Error transforming [^:]*: /, '')
      .replace(/\s*\(\d+:\d+\)$/, '');
    // a decorator where none can stand (a parameter's, an object literal member's) fails where it is read
    const decorator = decoratorBefore(source, e.pos);
    if (decorator !== undefined) throw located(codaErrorMessage('DecoratorsUnsupported'), source, decorator, 'DecoratorsUnsupported');
    throw located(message, source, e.pos);
  }
  // sucrase removes a namespace whole, as a type: one with values would be missing, without a word, from what runs
  const namespace = options.typescript && /\b(namespace|module)\b/.test(source) ? valueNamespace(s, source, !!jsx) : undefined;
  if (namespace !== undefined) throw located(codaErrorMessage('NamespaceWithValues'), source, namespace, 'NamespaceWithValues');
  return { code: out.code, columns: TypeColumns.fromMappings(source, out.code, out.tokens, out.mappings) };
}

/** A decorator's head (`@name`, `@a.b(…)`, `@(`) that ends at `pos`, on its line: where its `@` is. */
const DECORATOR_HEAD = lazy(() => /^@(?:\(|[\p{ID_Start}$_][\p{ID_Continue}$.]*(?:\([^;'"`\n]*\))?\s*)$/u);

/** The offset of a decorator whose reading failed at `pos` (at its `@`, or just after its head), if one did. */
export function decoratorBefore(source: string, pos: number): number | undefined {
  const at = source.lastIndexOf('@', pos);
  if (at === -1 || source.slice(at, pos).includes('\n')) return undefined;
  return at === pos || DECORATOR_HEAD().test(source.slice(at, pos)) ? at : undefined;
}

function later(a: CellSyntaxError, b: CellSyntaxError): CellSyntaxError {
  return a.line > b.line || (a.line === b.line && a.column > b.column) ? a : b;
}
