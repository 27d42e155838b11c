/**
 * Deno reports a denied access as NotCapable (PermissionDenied in older releases) with a message like
 * `Requires net access to "example.com:443", run again with the --allow-net flag`. This reads it as the
 * PermissionDenied error every runtime reports (protocol/permissions.ts permissionDenied), keeping the frames.
 */
import { isAbsolute, resolve } from 'node:path';
import { asDenial, CAPABILITIES, type Capability, type SerializedError } from '../../protocol';

const DENO_DENIAL_NAMES = new Set(['NotCapable', 'PermissionDenied']);
const REQUIRES = /Requires (\w+) access(?: to "?(.*?)"?)?(?:,|$)/;
/** Deno names no target when code needs every variable (node:child_process copies the whole environment). */
export const WHOLE_ENVIRONMENT = '*';

/** The capability and target Deno names; relative paths (as the cell wrote them) resolved against `cwd`. */
export function denoDenial(error: SerializedError, cwd: string): { capability: Capability; target: string } | undefined {
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
