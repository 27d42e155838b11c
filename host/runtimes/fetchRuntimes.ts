/**
 * Downloads missing runtimes into the runtime store through the installer process (pacote: integrity checked
 * against the registry's sha512). A folder is marked complete only after every package of it was extracted, so a
 * cancelled or failed download is never mistaken for an installed runtime.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { codaErrorObject, type FetchRuntimeResult } from '../../protocol';
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

export async function fetchRuntimes(
  kinds: FetchableRuntime[],
  client: InstallerClient,
  ctx: FetchContext,
  opts: InstallOptions = {},
): Promise<Record<string, string>> {
  const integrity: Record<string, string> = {};
  for (const kind of kinds) {
    const pkg = runtimePackage(kind);
    if (!pkg) throw codaErrorObject('RuntimeUnavailable', { runtime: kind, platform: `${process.platform}-${process.arch}` });
    const folder = runtimeFolder(ctx.storage, kind, pkg.version);
    await mkdir(folder, { recursive: true });
    const nested = pkg.entry === 'node_modules';
    const packages = [pkg, ...(pkg.companions ?? [])].map((p) => ({
      name: p.name,
      version: p.version,
      dest: nested ? join(folder, 'node_modules', p.name) : folder,
    }));
    const result: FetchRuntimeResult = await client.fetchRuntime(
      { packages, cacheDir: ctx.cacheDir, npmrcFrom: ctx.npmrcFrom, offline: ctx.offline, executables: nested ? [] : [join(folder, pkg.entry)] },
      opts,
    );
    Object.assign(integrity, result.integrity);
    await writeFile(join(folder, '.complete'), `${JSON.stringify(result.integrity, null, 2)}\n`);
  }
  return integrity;
}

/** How long the download prompt waits for the registry to say the size (it goes without it after that). */
export const SIZE_WAIT_MS = 5000;

/** `42.3 MB to download, 110 MB on disk` for these runtime packages, or undefined when the registry cannot say. */
export async function runtimeDownloadSize(
  kinds: FetchableRuntime[],
  client: InstallerClient,
  ctx: Omit<FetchContext, 'storage' | 'offline'>,
): Promise<string | undefined> {
  const packages = kinds.flatMap((kind) => {
    const pkg = runtimePackage(kind);
    return pkg ? [pkg, ...(pkg.companions ?? [])].map((p) => ({ name: p.name, version: p.version })) : [];
  });
  let timer: NodeJS.Timeout | undefined;
  const size = await Promise.race([
    client.runtimeSize({ packages, cacheDir: ctx.cacheDir, npmrcFrom: ctx.npmrcFrom }).catch(() => undefined),
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), SIZE_WAIT_MS))),
  ]).finally(() => clearTimeout(timer));
  return size ? describeSize(size.downloadBytes, size.unpackedBytes) : undefined;
}

/** `42.3 MB to download, 110 MB on disk` (the parts known). */
export function describeSize(downloadBytes: number | undefined, unpackedBytes: number | undefined): string | undefined {
  const parts = [
    downloadBytes !== undefined ? `${megabytes(downloadBytes)} to download` : undefined,
    unpackedBytes !== undefined ? `${megabytes(unpackedBytes)} on disk` : undefined,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : undefined;
}

function megabytes(bytes: number): string {
  const mb = bytes / 1_000_000;
  return `${mb >= 100 ? Math.round(mb) : mb.toFixed(1)} MB`;
}
