/**
 * Runs in the installer process: extracts runtime packages (Deno, Bun, Node, isolated-vm) from the npm registry.
 * pacote checks each tarball against the `dist.integrity` of the registry's packument (sha512) and refuses a
 * mismatch; the cache is the same content-addressed cacache the dependency installer uses.
 */
import { chmod, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import registryFetch from 'npm-registry-fetch';
import pacote from 'pacote';
import { CodaError, codaErrorObject, type FetchRuntimeParams, type FetchRuntimeResult, type RuntimeSizeParams, type RuntimeSizeResult } from '../protocol';
import { fetchOptions, loadNpmConfig } from '../host/deps/npmConfig';

/** How long asking for a download's size may take (the prompt then goes without it). */
export const SIZE_TIMEOUT_MS = 4000;

export async function fetchRuntime(params: FetchRuntimeParams, progress: (message: string) => void): Promise<FetchRuntimeResult> {
  const started = performance.now();
  const config = await loadNpmConfig(params.npmrcFrom);
  const opts: Record<string, unknown> = { ...fetchOptions(config), cache: params.cacheDir, offline: !!params.offline, preferOffline: true };
  const integrity: Record<string, string> = {};
  for (const pkg of params.packages) {
    const spec = `${pkg.name}@${pkg.version}`;
    try {
      const manifest = await pacote.manifest(spec, opts);
      const expected = (manifest as { _integrity?: string; dist?: { integrity?: string } }).dist?.integrity ?? manifest._integrity;
      if (!expected || !expected.startsWith('sha512-')) {
        throw codaErrorObject('RuntimeIntegrityMissing', { spec });
      }
      progress(`downloading ${spec}`);
      await rm(pkg.dest, { recursive: true, force: true });
      const extracted = await pacote.extract(spec, pkg.dest, { ...opts, integrity: expected });
      integrity[spec] = extracted.integrity ?? expected;
    } catch (err) {
      await rm(pkg.dest, { recursive: true, force: true });
      throw describeFetchError(err, spec, String(opts.registry));
    }
  }
  for (const file of params.executables) await chmod(file, 0o755);
  return { integrity, durationMs: performance.now() - started };
}

function describeFetchError(err: unknown, spec: string, registry: string): Error {
  if (err instanceof CodaError) return err;
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case 'E404':
    case 'ETARGET':
      return codaErrorObject('RuntimeVersionNotFound', { spec, registry });
    case 'EINTEGRITY':
      return codaErrorObject('RuntimeIntegrityMismatch', { spec });
    case 'ENOTCACHED':
    case 'ENOTFOUND':
    case 'ECONNREFUSED':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return codaErrorObject('RuntimeRegistryUnreachable', { registry, errno: e.code, spec });
    default:
      return codaErrorObject('RuntimeDownloadFailed', { spec, detail: (e.message ?? String(err)).split('\n')[0]! });
  }
}

/** Tarball bytes (a HEAD request for each, with the user's registry, proxy and auth) and unpacked bytes, where known. */
export async function runtimeSize(params: RuntimeSizeParams): Promise<RuntimeSizeResult> {
  const config = await loadNpmConfig(params.npmrcFrom);
  const opts: Record<string, unknown> = { ...fetchOptions(config), cache: params.cacheDir, preferOffline: true };
  let download = 0;
  let unpacked = 0;
  let downloadKnown = true;
  let unpackedKnown = true;
  for (const pkg of params.packages) {
    const manifest = (await pacote.manifest(`${pkg.name}@${pkg.version}`, opts)) as { dist?: { tarball?: string; unpackedSize?: number } };
    if (typeof manifest.dist?.unpackedSize === 'number') unpacked += manifest.dist.unpackedSize;
    else unpackedKnown = false;
    const length = manifest.dist?.tarball ? await contentLength(manifest.dist.tarball, opts) : undefined;
    if (length === undefined) downloadKnown = false;
    else download += length;
  }
  return { downloadBytes: downloadKnown ? download : undefined, unpackedBytes: unpackedKnown ? unpacked : undefined };
}

async function contentLength(url: string, opts: Record<string, unknown>): Promise<number | undefined> {
  try {
    const res = await registryFetch(url, { ...opts, method: 'HEAD', timeout: SIZE_TIMEOUT_MS, cache: 'no-store' } as registryFetch.Options);
    const length = Number(res.headers.get('content-length'));
    return Number.isFinite(length) && length > 0 ? length : undefined;
  } catch {
    return undefined;
  }
}
