/**
 * What a document's kernel may do and which secrets it gets, from its metadata (`permissions`, `secrets`,
 * `allowInstallScripts`): the declaration is read, refused on Bun (it cannot enforce it), granted through a port (the
 * extension asks once and remembers; `coda run` is granted by being run), and each secret's value comes from a
 * port; refusalError words a refusal from the error catalogue. No vscode import.
 */
import {
  codaError,
  METADATA_ALLOW_SCRIPTS,
  METADATA_PERMISSIONS,
  METADATA_SECRETS,
  parsePermissions,
  parseSecretNames,
  type InitParams,
  type Permissions,
  type RuntimeKind,
  type SerializedError,
} from '../../protocol';

/** What a kernel is started with beyond the document itself: granted permissions and injected secrets. */
export type KernelAccess = Pick<InitParams, 'permissions' | 'env' | 'maskedValues'>;

export interface AccessPorts {
  /** Asks to grant the declared permissions (with install scripts when the notebook allows them); true when granted. */
  grant(declared: Permissions, installScripts: boolean): Promise<boolean>;
  /** The value of a secret the document names; undefined when it has none. */
  secret(name: string): Promise<string | undefined>;
}

/** Why a kernel may not start; the host turns it into a cell error (InvalidMetadata, PermissionsUnsupported, …). */
export type AccessRefusal =
  { reason: 'invalid'; detail: string } | { reason: 'unsupported' } | { reason: 'refused' } | { reason: 'secretMissing'; name: string };

export type AccessOutcome = { ok: true; access: KernelAccess } | { ok: false; refusal: AccessRefusal };

export async function resolveAccess(meta: Record<string, unknown>, runtime: RuntimeKind, ports: AccessPorts): Promise<AccessOutcome> {
  let declared: Permissions | undefined;
  let names: string[];
  try {
    declared = parsePermissions(meta[METADATA_PERMISSIONS]);
    names = parseSecretNames(meta[METADATA_SECRETS]);
  } catch (err) {
    return { ok: false, refusal: { reason: 'invalid', detail: (err as Error).message } };
  }
  // asking to grant what Bun cannot enforce would mislead: say so before anything else
  if (declared && runtime === 'bun') return { ok: false, refusal: { reason: 'unsupported' } };
  if (declared && !(await ports.grant(declared, meta[METADATA_ALLOW_SCRIPTS] === true))) return { ok: false, refusal: { reason: 'refused' } };
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = await ports.secret(name);
    if (value === undefined) return { ok: false, refusal: { reason: 'secretMissing', name } };
    env[name] = value;
  }
  return { ok: true, access: { permissions: declared, env, maskedValues: Object.values(env) } };
}

/** A refusal as the cell's error; `coda run` takes secrets from the environment, the editor from its secret storage. */
export function refusalError(refusal: AccessRefusal, host: 'editor' | 'cli'): SerializedError {
  switch (refusal.reason) {
    case 'invalid':
      return codaError('InvalidMetadata', { problem: refusal.detail });
    case 'unsupported':
      return codaError('PermissionsUnsupported');
    case 'refused':
      return codaError('PermissionsNotGranted');
    case 'secretMissing':
      return host === 'cli' ? codaError('SecretNotInEnvironment', { secret: refusal.name }) : codaError('SecretMissing', { secret: refusal.name });
  }
}
