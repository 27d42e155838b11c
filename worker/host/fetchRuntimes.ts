/**
 * Downloads missing runtimes into the runtime store through the installer process (pacote: integrity checked
 * against the registry's sha512). A folder is marked complete only after every package of it was extracted, so a
 * cancelled or failed download is never mistaken for an installed runtime.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FetchRuntimeResult } from '../../protocol';
import type { InstallerClient, InstallOptions } from '../deps/InstallerClient';
import { runtimeFolder, runtimePackage, type FetchableRuntime } from './runtimeStore';

export interface FetchContext {
  /** The runtime store's root (the extension's global storage, or a tools folder). */
  storage: string;
  /** The shared content-addressed cache (the dependency installer's). */
  cacheDir: string;
  /** Folder an .npmrc is looked up from. */
  npmrcFrom: string;
  offline?: boolean;
}

export async function fetchRuntimes(kinds: FetchableRuntime[], client: InstallerClient, ctx: FetchContext, opts: InstallOptions = {}): Promise<Record<string, string>> {
  const integrity: Record<string, string> = {};
  for (const kind of kinds) {
    const pkg = runtimePackage(kind);
    if (!pkg) throw new Error(`No ${kind} package is published for ${process.platform}-${process.arch}; install it yourself and set its path in the settings.`);
    const folder = runtimeFolder(ctx.storage, kind, pkg.version);
    await mkdir(folder, { recursive: true });
    const nested = pkg.entry === 'node_modules';
    const packages = [pkg, ...(pkg.companions ?? [])].map((p) => ({ name: p.name, version: p.version, dest: nested ? join(folder, 'node_modules', p.name) : folder }));
    const result: FetchRuntimeResult = await client.fetchRuntime(
      { packages, cacheDir: ctx.cacheDir, npmrcFrom: ctx.npmrcFrom, offline: ctx.offline, executables: nested ? [] : [join(folder, pkg.entry)] },
      opts,
    );
    Object.assign(integrity, result.integrity);
    await writeFile(join(folder, '.complete'), `${JSON.stringify(result.integrity, null, 2)}\n`);
  }
  return integrity;
}
