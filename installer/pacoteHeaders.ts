/**
 * The headers pacote sends with a registry request (its user agent unless the npm config names one, the config's own
 * headers, then pacote's request type and package id), for requests the installer makes itself in pacote's place.
 */
export function pacoteHeaders(
  opts: Record<string, unknown>,
  type: 'packument' | 'tarball',
  pkgId: string,
  more: Record<string, string> = {},
): Record<string, string> {
  return {
    'user-agent': (opts.userAgent as string | undefined) ?? `pacote node/${process.version}`,
    ...(opts.headers as Record<string, string> | undefined),
    'pacote-req-type': type,
    'pacote-pkg-id': pkgId,
    ...more,
  };
}
