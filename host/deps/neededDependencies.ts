/** The packages to install for a notebook: magic comments always, imports unless the notebook's folder has them. */
import type { DependencySpec } from '../../protocol';
import { dirname, join } from 'node:path';
import { resolvableFrom } from './resolvableFrom';

export function neededDependencies(specs: DependencySpec[], folder: string | undefined): { needed: DependencySpec[]; dependencies: Record<string, string> } {
  // a helper module's import: resolvable from its own folder (a project beside the notebook with its node_modules)
  const needed = specs.filter((s) => {
    const from = folder && s.from.file ? join(folder, dirname(s.from.file)) : folder;
    return s.from.kind === 'magic' || !(from && resolvableFrom(from, s.name));
  });
  return { needed, dependencies: Object.fromEntries(needed.map((s) => [s.name, s.range])) };
}
