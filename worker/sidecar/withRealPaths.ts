/**
 * Each path and, where it differs, its real path: runtimes check a read against the path a call names and, for
 * modules, against the real path they load from (a notebook store's `node_modules` links to a shared tree,
 * host/deps/sharedTree.ts). Deno is granted both (Node: host/kernel/nodePermissionArgs.ts).
 */
import { existsSync, realpathSync } from 'node:fs';

export function withRealPaths(paths: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    out.add(p);
    try {
      if (existsSync(p)) out.add(realpathSync(p));
    } catch {
      // unreadable: only the path as named
    }
  }
  return [...out];
}
