import { existsSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';

/** True when `name` is installed in a node_modules folder at or above `folder` (the user's own packages). */
export function resolvableFrom(folder: string, name: string): boolean {
  for (let d = folder; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules', name, 'package.json'))) return true;
    if (d === parse(d).root) return false;
  }
}
