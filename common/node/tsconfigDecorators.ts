/**
 * Which decorators a notebook's cells run: TypeScript's older `experimentalDecorators` (with `emitDecoratorMetadata`)
 * when the tsconfig.json nearest the notebook turns them on, as a project of NestJS, TypeORM or Angular does, else
 * the standard ones. Read as TypeScript reads it: the first tsconfig.json in the notebook's folder or above, comments
 * and trailing commas allowed, through its `extends` (a path, or a package's file in a node_modules folder above it).
 * The kernel and the editor's type check both read it, so the cells run as the editor checks them.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { DecoratorMode } from '../../protocol';

/** `extends` chains longer than this are cut (TypeScript reports a cycle; this only stops). */
const MAX_EXTENDS = 8;

type Read = (path: string) => string | undefined;

const readText: Read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** The decorators of the notebook at `documentPath` (standard when no tsconfig.json above it says otherwise). */
export function decoratorModeFor(documentPath: string, read: Read = readText): DecoratorMode {
  for (let dir = dirname(resolve(documentPath)); ; dir = dirname(dir)) {
    const file = join(dir, 'tsconfig.json');
    const options = compilerOptions(file, read, 0);
    if (options) {
      const fields = assignsFields(options) ? ({ assignFields: true } as const) : {};
      if (options.experimentalDecorators !== true) return { kind: 'standard', ...fields };
      const strictNullChecks = typeof options.strictNullChecks === 'boolean' ? options.strictNullChecks : options.strict === true;
      return { kind: 'legacy', metadata: options.emitDecoratorMetadata === true, strictNullChecks, tsconfig: file, ...fields };
    }
    if (dirname(dir) === dir) return { kind: 'standard' };
  }
}

/** Targets before ES2022, whose class fields TypeScript assigns unless `useDefineForClassFields` says otherwise. */
const ASSIGNING_TARGETS = /^es(3|5|6|2015|2016|2017|2018|2019|2020|2021)$/i;

/**
 * Whether TypeScript compiles class fields as assignments (`useDefineForClassFields: false`): said so, or not said and
 * the `target` is before ES2022. A tsconfig.json without a `target` keeps fields defined, as Deno, Bun, esbuild and tsx
 * run them (tsc 5 alone would take ES5 then).
 */
function assignsFields(options: Record<string, unknown>): boolean {
  if (typeof options.useDefineForClassFields === 'boolean') return !options.useDefineForClassFields;
  return typeof options.target === 'string' && ASSIGNING_TARGETS.test(options.target.trim());
}

/** The compiler options of `file` over those it extends; undefined when there is no such file it can read. */
function compilerOptions(file: string, read: Read, depth: number): Record<string, unknown> | undefined {
  const text = read(file);
  if (text === undefined) return undefined;
  let config: { extends?: unknown; compilerOptions?: Record<string, unknown> };
  try {
    config = JSON.parse(withoutComments(text)) as typeof config;
  } catch {
    // TypeScript would report it; the cells run with the standard decorators meanwhile
    return {};
  }
  const bases =
    typeof config.extends === 'string'
      ? [config.extends]
      : Array.isArray(config.extends)
        ? config.extends.filter((e): e is string => typeof e === 'string')
        : [];
  let options: Record<string, unknown> = {};
  if (depth < MAX_EXTENDS) {
    for (const base of bases) {
      const path = extendedFile(dirname(file), base, read);
      if (path) options = { ...options, ...(compilerOptions(path, read, depth + 1) ?? {}) };
    }
  }
  return { ...options, ...(config.compilerOptions ?? {}) };
}

/** The file an `extends` names: a path (`.json` added when missing), or a package's in a node_modules folder above. */
function extendedFile(dir: string, spec: string, read: Read): string | undefined {
  const candidates = (base: string) => (base.endsWith('.json') ? [base] : [`${base}.json`, join(base, 'tsconfig.json'), base]);
  if (spec.startsWith('.') || isAbsolute(spec)) return candidates(resolve(dir, spec)).find((f) => read(f) !== undefined);
  for (let d = dir; ; d = dirname(d)) {
    const found = candidates(join(d, 'node_modules', spec)).find((f) => read(f) !== undefined);
    if (found) return found;
    if (dirname(d) === d) return undefined;
  }
}

/** JSON with comments and trailing commas (tsconfig.json's dialect) as JSON. */
export function withoutComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 1;
      out += ' ';
    } else out += c;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}
