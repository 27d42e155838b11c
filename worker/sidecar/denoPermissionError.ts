/**
 * Deno reports a denied access as NotCapable (PermissionDenied in older releases) with a message like
 * `Requires net access to "example.com:443", run again with the --allow-net flag`. This reads it as the
 * PermissionDenied error every runtime reports (protocol/permissions.ts permissionDenied), keeping the frames.
 * Remote code refused by the flags of denoPermissionFlags (an import from a host the grant does not name, any
 * remote module under --no-remote, an `npm:` package under --no-npm) reads as a `net` denial too: Deno reports
 * those as TypeErrors of the import.
 */
import { isAbsolute, resolve } from 'node:path';
import { ANY, asDenial, CAPABILITIES, type Capability, type SerializedError } from '../../protocol';

const DENO_DENIAL_NAMES = new Set(['NotCapable', 'PermissionDenied']);
const REQUIRES = /Requires (\w+) access(?: to "?(.*?)"?)?(?:,|$)/;
/** `import()` of a module from a host the grant does not name (also inside a jsr: package's resolution). */
const IMPORT_REFUSED = /Requires import access to "([^"]+)"/;
const REMOTE_REFUSED = /A remote specifier was requested: "([^"]+)", but --no-remote is specified/;
const NPM_REFUSED = /npm specifiers were requested; but --no-npm is specified/;
/** Deno names no target when code needs every variable (node:child_process copies the whole environment). */
export const WHOLE_ENVIRONMENT = '*';

/** The capability and target Deno names; relative paths (as the cell wrote them) resolved against `cwd`. */
export function denoDenial(error: SerializedError, cwd: string): { capability: Capability; target: string } | undefined {
  if (!DENO_DENIAL_NAMES.has(error.name) && error.name !== 'TypeError') return undefined;
  const remote = remoteCodeDenial(error.message);
  if (remote) return { capability: 'net', target: remote };
  if (!DENO_DENIAL_NAMES.has(error.name)) return undefined;
  const m = REQUIRES.exec(error.message);
  if (!m || !(CAPABILITIES as readonly string[]).includes(m[1]!)) return undefined;
  const capability = m[1] as Capability;
  const named = m[2] || WHOLE_ENVIRONMENT;
  const target = (capability === 'read' || capability === 'write') && !isAbsolute(named) ? resolve(cwd, named) : named;
  return { capability, target };
}

/** The PermissionDenied form of a Deno denial (also when it is the cause of another error); other errors as they are. */
export function mapDenoDenial(error: SerializedError, cwd: string, depth = 0): SerializedError {
  const denied = denoDenial(error, cwd);
  if (!denied) {
    if (depth < 4 && error.cause) {
      const cause = mapDenoDenial(error.cause, cwd, depth + 1);
      if (cause !== error.cause) return { ...error, cause };
    }
    return error;
  }
  return asDenial(error, denied.capability, denied.target);
}

/** The host (`host:port`) whose code Deno refused to load, or `*` for an npm package; undefined for other errors. */
function remoteCodeDenial(message: string): string | undefined {
  const imported = IMPORT_REFUSED.exec(message);
  if (imported) return imported[1]!;
  const remote = REMOTE_REFUSED.exec(message);
  if (remote) {
    try {
      const url = new URL(remote[1]!);
      return `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
    } catch {
      return remote[1]!;
    }
  }
  return NPM_REFUSED.test(message) ? ANY : undefined;
}
