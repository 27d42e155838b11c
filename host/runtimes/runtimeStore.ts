/**
 * Where runtime binaries fetched from the npm registry live, and which packages they come from. One folder per
 * package version under `<storage>/runtimes/`, holding the package as published (integrity checked by pacote).
 * No vscode imports: the extension passes its global storage folder, the CLI and tests a tools folder.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { FetchableRuntime } from '../../protocol/runtimes';

export type { FetchableRuntime };

export interface RuntimePackage {
  /** npm package that ships the binary for this platform. */
  name: string;
  /** Exact version fetched when none is installed. */
  version: string;
  /** Path of the binary (or, for isolated-vm, of the modules folder) inside the extracted package folder. */
  entry: string;
  /** Further packages extracted next to it (isolated-vm needs node-gyp-build to find its prebuild). */
  companions?: { name: string; version: string }[];
}

/** Pinned versions: the ones the conformance suite runs against. */
export const RUNTIME_VERSIONS = { deno: '2.9.6', bun: '1.4.5', node: '24.21.0', 'isolated-vm': '7.0.1' } as const;

/** The package for a runtime on this platform, or undefined when none is published for it. */
export function runtimePackage(kind: FetchableRuntime, platform: string = process.platform, arch: string = process.arch): RuntimePackage | undefined {
  const exe = platform === 'win32' ? '.exe' : '';
  switch (kind) {
    case 'deno': {
      const target = pick(
        {
          'linux-x64': 'linux-x64-glibc',
          'linux-arm64': 'linux-arm64-glibc',
          'darwin-x64': 'darwin-x64',
          'darwin-arm64': 'darwin-arm64',
          'win32-x64': 'win32-x64',
        },
        platform,
        arch,
      );
      return target ? { name: `@deno/${target}`, version: RUNTIME_VERSIONS.deno, entry: `deno${exe}` } : undefined;
    }
    case 'bun': {
      const target = pick(
        { 'linux-x64': 'linux-x64', 'linux-arm64': 'linux-aarch64', 'darwin-x64': 'darwin-x64', 'darwin-arm64': 'darwin-aarch64', 'win32-x64': 'windows-x64' },
        platform,
        arch,
      );
      return target ? { name: `@oven/bun-${target}`, version: RUNTIME_VERSIONS.bun, entry: join('bin', `bun${exe}`) } : undefined;
    }
    case 'node': {
      const target = pick(
        { 'linux-x64': 'linux-x64', 'linux-arm64': 'linux-arm64', 'darwin-x64': 'darwin-x64', 'darwin-arm64': 'darwin-arm64', 'win32-x64': 'win-x64' },
        platform,
        arch,
      );
      return target ? { name: `node-${target}`, version: RUNTIME_VERSIONS.node, entry: platform === 'win32' ? 'node.exe' : join('bin', 'node') } : undefined;
    }
    case 'isolated-vm':
      return {
        name: 'isolated-vm',
        version: RUNTIME_VERSIONS['isolated-vm'],
        entry: 'node_modules',
        companions: [{ name: 'node-gyp-build', version: '4.8.4' }],
      };
  }
}

/** The folder a runtime package version is extracted to. */
export function runtimeFolder(storage: string, kind: FetchableRuntime, version: string): string {
  return join(storage, 'runtimes', `${kind}-${version}`);
}

/** The binary (or modules folder) of an already fetched runtime, or undefined. */
export function fetchedRuntime(storage: string, kind: FetchableRuntime): string | undefined {
  const pkg = runtimePackage(kind);
  if (!pkg) return undefined;
  const path = join(runtimeFolder(storage, kind, pkg.version), pkg.entry);
  const complete = join(runtimeFolder(storage, kind, pkg.version), '.complete');
  return existsSync(path) && existsSync(complete) ? path : undefined;
}

function pick(targets: Record<string, string>, platform: string, arch: string): string | undefined {
  return targets[`${platform}-${arch}`];
}
