/**
 * The packages a notebook needs: static and dynamic `import`, `export … from` (es-module-lexer, which reads
 * TypeScript too), `require('…')` calls, and magic comments `// @coda-dep name@range [name@range …]`, which pin or
 * add packages. Builtins, relative paths and type-only imports are skipped. Pure (no I/O).
 */
import { init, parse } from 'es-module-lexer';
import type { DependencyProblem, DependencySpec } from '../../protocol';
import { isValidName, packageOf } from './packageName';
import { stripComments } from './stripComments';

export interface AnalyzedCell {
  cellId: string;
  code: string;
}

export interface Analysis {
  specs: DependencySpec[];
  problems: DependencyProblem[];
}

const MAGIC = /^\s*\/\/\s*@coda-dep\b(.*)$/gm;
const REQUIRE = /(?<![\w$.])require\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g;
const RANGE = /^[\w.*^~<>=|\s-]+$/;

export async function analyzeDependencies(cells: AnalyzedCell[]): Promise<Analysis> {
  await init;
  const found = new Map<string, DependencySpec>();
  const problems: DependencyProblem[] = [];
  const lineOf = (code: string, offset: number) => code.slice(0, offset).split('\n').length;
  const add = (spec: DependencySpec) => {
    const known = found.get(spec.name);
    // a magic comment's range wins over a bare import
    if (!known || (spec.from.kind === 'magic' && known.from.kind !== 'magic')) found.set(spec.name, spec);
  };

  for (const { cellId, code } of cells) {
    for (const m of code.matchAll(MAGIC)) {
      const line = lineOf(code, m.index!);
      for (const token of m[1]!.trim().split(/\s+/).filter(Boolean)) {
        const at = token.lastIndexOf('@');
        const name = at > 0 ? token.slice(0, at) : token;
        const range = at > 0 ? token.slice(at + 1) : '*';
        if (!isValidName(name) || !RANGE.test(range)) {
          problems.push({ message: `'${token}' is not a package spec: write // @coda-dep name or name@version-range`, cellId, line });
          continue;
        }
        add({ name, range, from: { kind: 'magic', cellId, line } });
      }
    }
    try {
      const [imports] = parse(code);
      for (const imp of imports) {
        if (!imp.n) continue;
        const statement = code.slice(imp.ss, imp.se);
        if (/^(import|export)\s+type\s/.test(statement) || /^import\s*\{\s*(type\s+[\w$]+\s*,?\s*)+\}\s*from/.test(statement)) continue;
        const name = packageOf(imp.n);
        if (name) add({ name, range: '*', from: { kind: 'import', cellId, line: lineOf(code, imp.s) } });
      }
    } catch (err) {
      // the cell does not parse yet: its own run will show the syntax error
      void err;
    }
    const plain = stripComments(code);
    for (const m of plain.matchAll(REQUIRE)) {
      const name = packageOf(m[2]!);
      if (name) add({ name, range: '*', from: { kind: 'require', cellId, line: lineOf(code, m.index!) } });
    }
  }
  return { specs: [...found.values()].sort((a, b) => a.name.localeCompare(b.name)), problems };
}
