/**
 * JSX in cells, where the kernel a notebook was written for compiled it:
 * - Deno's kernel parses every cell as TSX (falling back to TypeScript when that fails, for `<T>x` assertions) with
 *   deno_ast's default classic runtime, `React.createElement` / `React.Fragment` (cli/tools/repl/session.rs): a Deno
 *   kernel here does the same for every cell;
 * - any kernel compiles JSX in a cell that starts with a JSX pragma, and in every cell after it, with what the pragmas
 *   say (Deno's kernel keeps them for the session too). A pragma is a block comment before the cell's first statement
 *   that starts with `@jsx h` (classic runtime, factory `h`), `@jsxFrag Fragment`, or `@jsxImportSource preact` (the
 *   automatic runtime: `preact/jsx-runtime`), as Deno reads them; tslab's JSX cells carry a bare `@jsx` JSDoc tag,
 *   which turns on the classic React defaults.
 * Lines never move: the automatic runtime's import goes on line 1.
 */

export interface JsxConfig {
  runtime: 'classic' | 'automatic';
  /** Classic: the element factory and the fragment. */
  factory: string;
  fragment: string;
  /** Automatic: the package whose `/jsx-runtime` the cell imports. */
  importSource: string;
}

/** deno_ast's defaults (and React's). */
export const DEFAULT_JSX: Readonly<JsxConfig> = { runtime: 'classic', factory: 'React.createElement', fragment: 'React.Fragment', importSource: 'react' };

/** Characters of a cell's beginning searched for leading comments. */
const MAX_PRAGMA_SCAN = 4096;
/** Leading trivia: whitespace, line comments and block comments (captured). */
const LEADING = /^(?:\s+|\/\/[^\n]*|\/\*([\s\S]*?)\*\/)/;
/** `@jsx <factory>`, `@jsxFrag <fragment>`, `@jsxImportSource <package>` at a comment's start (Deno's patterns). */
const PRAGMA = /^[\s*]*@(jsxImportSource|jsxFrag|jsx)(?:\s+(\S+))?/i;
/** A factory or fragment written as a name or a property path (`h`, `React.createElement`). */
const NAME_PATH = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$/;

export interface JsxPragmas {
  /** A bare `@jsx` (tslab): JSX with the current settings. */
  on?: true;
  factory?: string;
  fragment?: string;
  importSource?: string;
}

/** The JSX pragmas of a cell's leading block comments. */
export function readJsxPragmas(source: string): JsxPragmas {
  const out: JsxPragmas = {};
  let rest = source.slice(0, MAX_PRAGMA_SCAN);
  for (let m = LEADING.exec(rest); m?.[0]; rest = rest.slice(m[0].length), m = LEADING.exec(rest)) {
    const comment = m[1];
    if (comment === undefined) continue;
    const pragma = PRAGMA.exec(comment);
    if (!pragma) continue;
    const [, kind, value] = pragma;
    const name = value !== undefined && NAME_PATH.test(value) ? value : undefined;
    switch (kind!.toLowerCase()) {
      case 'jsximportsource':
        if (value !== undefined && !value.startsWith('@jsx')) out.importSource = value;
        break;
      case 'jsxfrag':
        if (name) out.fragment = name;
        break;
      default:
        if (name) out.factory = name;
        else out.on = true;
    }
  }
  return out;
}

/** The JSX settings of one kernel: on from the start (Deno) or from the first pragma, then as the pragmas leave them. */
export class JsxSettings {
  private config: JsxConfig | undefined;

  constructor(onFromStart: boolean) {
    if (onFromStart) this.config = { ...DEFAULT_JSX };
  }

  /** The settings a cell compiles with (its pragmas applied, and kept for later cells), or undefined: no JSX. */
  forCell(source: string): JsxConfig | undefined {
    const p = readJsxPragmas(source);
    if (!p.on && p.factory === undefined && p.fragment === undefined && p.importSource === undefined) return this.config && { ...this.config };
    const config: JsxConfig = { ...(this.config ?? DEFAULT_JSX) };
    // as Deno's kernel: a factory or fragment pragma makes the runtime classic, an import source automatic
    if (p.factory !== undefined || p.fragment !== undefined) config.runtime = 'classic';
    if (p.factory !== undefined) config.factory = p.factory;
    if (p.fragment !== undefined) config.fragment = p.fragment;
    if (p.importSource !== undefined) Object.assign(config, { runtime: 'automatic', importSource: p.importSource });
    this.config = config;
    return { ...config };
  }
}
