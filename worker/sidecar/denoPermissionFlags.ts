/**
 * Deno's command-line permissions for a notebook's declaration (protocol/permissions.ts). Unrestricted notebooks
 * get --allow-all; otherwise each capability becomes its --allow-* list ('*' the bare flag), read/write paths are
 * resolved against the notebook folder, and Deno never prompts. What the kernel itself needs is granted on top:
 * reading the agent's folder (dist/) and the packages cells import (the notebook's node_modules, the dependency
 * store), and the names of the secrets it injects.
 *
 * Remote code is part of `net`: left alone, Deno imports `https:` and `jsr:` modules from its own list of hosts
 * (deno.land, jsr.io, esm.sh, cdn.jsdelivr.net, raw.githubusercontent.com, …) and downloads `npm:` packages from
 * the registry without asking for any permission. So under a declaration, modules come only from the hosts the
 * `net` grant names (--allow-import with the same list; --no-remote when it names none, because a bare
 * --deny-import does not cover Deno's own list), and `npm:` specifiers only with `net: ["*"]` (--no-npm
 * otherwise: the notebook's packages are installed before the run and imported from disk).
 */
import { isAbsolute, resolve } from 'node:path';
import { ANY, type Capability, type Permissions } from '../../protocol';

export interface KernelNeeds {
  /** Folders the kernel reads to run at all (agent, dependency store, node_modules). */
  read: string[];
  /** Environment variables the kernel injects on purpose (secrets). */
  env: string[];
}

const FLAG: Record<Capability, string> = { net: '--allow-net', read: '--allow-read', write: '--allow-write', env: '--allow-env', run: '--allow-run' };

export function denoPermissionFlags(permissions: Permissions | undefined, cwd: string, needs: KernelNeeds): string[] {
  const flags = ['--no-prompt'];
  if (!permissions) return [...flags, '--allow-all'];
  const path = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const lists: Record<Capability, string[]> = {
    net: permissions.net ?? [],
    read: [...(permissions.read ?? []).map((p) => (p === ANY ? p : path(p))), ...needs.read],
    write: (permissions.write ?? []).map((p) => (p === ANY ? p : path(p))),
    env: [...(permissions.env ?? []), ...needs.env],
    run: permissions.run ?? [],
  };
  for (const [cap, list] of Object.entries(lists) as [Capability, string[]][]) {
    if (list.includes(ANY)) flags.push(FLAG[cap]);
    else if (list.length) flags.push(`${FLAG[cap]}=${[...new Set(list)].join(',')}`);
  }
  return [...flags, ...remoteCodeFlags(lists.net)];
}

/** Where a declared notebook's cells may load code from: the hosts of its `net` grant, npm only with all of it. */
export function remoteCodeFlags(net: string[]): string[] {
  if (net.includes(ANY)) return ['--allow-import'];
  return [net.length ? `--allow-import=${[...new Set(net)].join(',')}` : '--no-remote', '--no-npm'];
}
