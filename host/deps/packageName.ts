/** The npm package a module specifier belongs to, or undefined for builtins, relative paths and URLs. */
import { isBuiltin } from 'node:module';
import validate from 'validate-npm-package-name';

export function packageOf(specifier: string): string | undefined {
  if (!specifier || specifier.startsWith('.') || specifier.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(specifier)) return undefined;
  if (isBuiltin(specifier)) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return isValidName(name) ? name : undefined;
}

/** npm's own rule for names that may exist on the registry, older capitalised ones included (`JSONStream`). */
export function isValidName(name: string): boolean {
  return validate(name).validForOldPackages;
}
