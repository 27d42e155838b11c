/**
 * What an install takes from a notebook's metadata besides its packages: the declared permissions (install scripts
 * run confined by them), the secret names (never given to scripts) and the `allowUnverifiedLock` opt-in. Shared by
 * the extension and `coda run`. Metadata that does not parse confines scripts to nothing: an install must never run
 * with more rights than the notebook would.
 */
import {
  METADATA_ALLOW_UNVERIFIED_LOCK,
  METADATA_PERMISSIONS,
  METADATA_SECRETS,
  parsePermissions,
  parseSecretNames,
  permissionsKey,
  type InstallParams,
} from '../../protocol';

export function installAccess(metadata: Record<string, unknown>): Pick<InstallParams, 'permissions' | 'secretNames' | 'allowUnverifiedLock'> {
  let permissions: InstallParams['permissions'];
  try {
    permissions = parsePermissions(metadata[METADATA_PERMISSIONS]);
  } catch {
    permissions = {};
  }
  let secretNames: string[] = [];
  try {
    secretNames = parseSecretNames(metadata[METADATA_SECRETS]);
  } catch {
    // names that do not parse are not variable names a script could read
  }
  return { permissions, secretNames, allowUnverifiedLock: metadata[METADATA_ALLOW_UNVERIFIED_LOCK] === true };
}

/** How an install runs scripts: stores are shared only between installs that ran them the same way. */
export function scriptMode(p: Pick<InstallParams, 'allowScripts' | 'permissions'>): string {
  if (!p.allowScripts) return 'none';
  return p.permissions ? `confined ${permissionsKey(p.permissions)}` : 'unconfined';
}
