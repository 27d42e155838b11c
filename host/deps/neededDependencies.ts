/** The packages to install for a notebook: magic comments always, imports unless the notebook's folder has them. */
import type { DependencySpec } from '../../protocol';
import { resolvableFrom } from './resolvableFrom';

export function neededDependencies(specs: DependencySpec[], folder: string | undefined): { needed: DependencySpec[]; dependencies: Record<string, string> } {
  const needed = specs.filter((s) => s.from.kind === 'magic' || !(folder && resolvableFrom(folder, s.name)));
  return { needed, dependencies: Object.fromEntries(needed.map((s) => [s.name, s.range])) };
}
