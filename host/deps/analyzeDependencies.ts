/**
 * The packages a notebook needs: static and dynamic `import`, `export … from` (es-module-lexer, which reads
 * TypeScript too), `require('…')` calls (found in acorn's syntax tree, so regex literals, template literals and
 * comments cannot hide or fake one; a cell acorn cannot read, such as TypeScript, falls back to a comment- and
 * string-aware scan), and magic comments `// @coda-dep name@range [alias@npm:name@range …]` (npm-package-arg), which
 * pin or add packages. Builtins, relative paths and type-only imports are skipped. Every place a package is imported
 * is kept, so an install failure can name each cell that needs the package. Pure (no I/O).
 */
import type * as acorn from 'acorn';
import { init, parse, type ImportSpecifier } from 'es-module-lexer';
import type Npa from 'npm-package-arg';
import type { DependencyProblem, DependencySpec } from '../../protocol';
import { requireCallsIn } from '../../common/requireCallsIn';
import { lineAt } from '../../common/sourcePosition';
import { JUPYTER_VIRTUAL_MODULES } from '../../common/jupyterModules';
import { compareNames } from './compareNames';
import { packageOf } from './packageName';
import { stripComments } from './stripComments';

export interface AnalyzedCell {
  cellId: string;
  code: string;
  /** A module of the notebook's folder the cell imports (host/deps/helperModules.ts): its path relative to the folder. */
  file?: string;
}

export interface Analysis {
  /** One per package (a magic comment's range wins over a bare import). */
  specs: DependencySpec[];
  /** Every place a package is imported, required or pinned, in cell order. */
  sites: DependencySpec[];
  problems: DependencyProblem[];
}

const MAGIC = /^\s*\/\/\s*@coda-dep\b(.*)$/gm;
const REQUIRE = /(?<![\w$.])require\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;
/** What a `// @coda-dep` may name: a registry version, range or tag, or an `npm:` alias of one. */
const MAGIC_TYPES = new Set(['version', 'range', 'tag', 'alias']);

export async function analyzeDependencies(cells: AnalyzedCell[]): Promise<Analysis> {
  await init;
  const found = new Map<string, DependencySpec>();
  const sites: DependencySpec[] = [];
  const problems: DependencyProblem[] = [];
  const add = (spec: DependencySpec) => {
    sites.push(spec);
    const known = found.get(spec.name);
    // a magic comment's range wins over a bare import
    if (!known || (spec.from.kind === 'magic' && known.from.kind !== 'magic')) found.set(spec.name, spec);
  };

  for (const { cellId, code, file } of cells) {
    const at = file === undefined ? {} : { file };
    for (const m of code.matchAll(MAGIC)) {
      const line = lineAt(code, m.index!);
      for (const token of m[1]!.trim().split(/\s+/).filter(Boolean)) {
        const spec = magicSpec(token);
        if (!spec) {
          problems.push({ message: `'${token}' is not a package spec: write // @coda-dep name, name@version-range or alias@npm:name@range`, cellId, line });
          continue;
        }
        add({ ...spec, from: { kind: 'magic', cellId, line, ...at } });
      }
    }
    for (const imp of moduleImports(code)) {
      if (!imp.n) continue;
      const statement = code.slice(imp.ss, imp.se);
      if (/^(import|export)\s+type\s/.test(statement) || /^import\s*\{\s*(type\s+[\w$]+\s*,?\s*)+\}\s*from/.test(statement)) continue;
      const name = installable(imp.n);
      if (name) add({ name, range: '*', from: { kind: 'import', cellId, line: lineAt(code, imp.s), ...at } });
    }
    for (const { specifier, offset } of requireCalls(code)) {
      const name = installable(specifier);
      if (name) add({ name, range: '*', from: { kind: 'require', cellId, line: lineAt(code, offset), ...at } });
    }
  }
  return { specs: [...found.values()].sort((a, b) => compareNames(a.name, b.name)), sites, problems };
}

/** The modules of the notebook's folder a cell (or such a module) imports or requires: its relative and absolute paths. */
export async function localSpecifiers(code: string): Promise<string[]> {
  await init;
  const specs = [...moduleImports(code).map((imp) => imp.n), ...requireCalls(code).map((r) => r.specifier)];
  return specs.filter((s): s is string => !!s && (s.startsWith('./') || s.startsWith('../') || s.startsWith('/')));
}

/** Lines of a cell the lexer cannot read (JSX) that are read line by line for its imports. */
const MAX_LEXER_LINES = 400;

/**
 * The cell's imports and exports-from, as es-module-lexer reads them. A cell it cannot read (JSX: a closing tag's `/`
 * reads as a regular expression) is read a line at a time, from the top, each readable beginning giving the imports
 * it holds: imports come before the code that uses them. A cell that does not parse at all gives the imports of its
 * readable beginnings, or none (its own run shows the syntax error).
 */
function moduleImports(code: string): readonly ImportSpecifier[] {
  try {
    return parse(code)[0];
  } catch {
    const found = new Map<number, ImportSpecifier>();
    for (let n = 0, end = code.indexOf('\n'); end !== -1 && n < MAX_LEXER_LINES; n++, end = code.indexOf('\n', end + 1)) {
      try {
        for (const imp of parse(code.slice(0, end))[0]) found.set(imp.ss, imp);
      } catch {
        // this beginning ends inside JSX or an unfinished statement: the next line may close it
      }
    }
    return [...found.values()];
  }
}

// Loaded on their first use, not with the extension or `coda`: npm-package-arg (with semver and hosted-git-info) only
// reads magic comments, and acorn only the cells of a notebook being run or checked; loading them cost ~12 ms of
// every activation and CLI start.
let acornModule: typeof acorn | undefined;
const acornParse: typeof acorn.parse = (code, options) => (acornModule ??= require('acorn') as typeof acorn).parse(code, options);
let npaModule: typeof Npa | undefined;
const npa = (spec: string) => (npaModule ??= require('npm-package-arg') as typeof Npa)(spec);

/** A `// @coda-dep` token as a dependency: `zod@3.23.8`, `lodash`, `@scope/pkg@^1`, `my-lodash@npm:lodash@4`. */
function magicSpec(token: string): { name: string; range: string } | undefined {
  try {
    const parsed = npa(token);
    if (!parsed.name || !MAGIC_TYPES.has(parsed.type) || !packageOf(parsed.name)) return undefined;
    return { name: parsed.name, range: parsed.rawSpec || '*' };
  } catch {
    return undefined;
  }
}

/** `require('x')` calls with a literal argument: from the syntax tree, else (a cell acorn cannot read) a scan. */
function requireCalls(code: string): { specifier: string; offset: number }[] {
  // no call of `require` without its name (written out, or with a \u escape in it): nothing to parse
  if (!code.includes('require') && !code.includes('\\u')) return [];
  let tree: acorn.Program;
  try {
    tree = acornParse(code, {
      ecmaVersion: 'latest',
      sourceType: 'module',
      allowAwaitOutsideFunction: true,
      allowReturnOutsideFunction: true,
      allowImportExportEverywhere: true,
      allowHashBang: true,
    });
  } catch {
    return [...stripComments(code).matchAll(REQUIRE)].map((m) => ({ specifier: m[2]!, offset: m.index! }));
  }
  return requireCallsIn(tree);
}

/**
 * Modules a runtime provides under a bare name that is also an npm package's: `bun` is Bun's own module (the npm
 * package of that name installs Bun's binary and has nothing to import). A `// @coda-dep` still installs one.
 */
const RUNTIME_MODULES: readonly string[] = ['bun'];

/** The package to install for an import, if any: not a builtin or a path, nor a module the kernel or runtime provides (tslab, bun). */
function installable(specifier: string): string | undefined {
  const name = packageOf(specifier);
  return name && !JUPYTER_VIRTUAL_MODULES.includes(name) && !RUNTIME_MODULES.includes(specifier) ? name : undefined;
}
