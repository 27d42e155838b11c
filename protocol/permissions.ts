/**
 * Permissions are capabilities a notebook declares in its metadata (`permissions`) and the user grants on the
 * first run. Every runtime enforces the same declaration with its own means (Deno flags, Node's permission
 * model plus a network seat belt, the isolate's bridge); denials read the same everywhere (permissionDenied).
 * Pure: no Node, DOM or vscode imports.
 */
import { CODA_ERRORS, codaError } from './codaErrors';
import type { SerializedError } from './errors';

export type Capability = 'net' | 'read' | 'write' | 'env' | 'run';
export const CAPABILITIES: readonly Capability[] = ['net', 'read', 'write', 'env', 'run'];

/**
 * What a notebook may do. A missing key grants nothing of that capability; `['*']` grants all of it.
 * - net: host names, `host:port`, or `*.example.com`
 * - read / write: absolute paths, or paths relative to the notebook's folder (a folder grants what is below it)
 * - env: variable names
 * - run: program names or paths
 */
export type Permissions = Partial<Record<Capability, string[]>>;

export const ANY = '*';

/** What each capability lets code do, for prompts and errors. */
export const CAPABILITY_WORDS: Record<Capability, string> = {
  net: 'network access to',
  read: 'read access to',
  write: 'write access to',
  env: 'the environment variable',
  run: 'running the program',
};

/** The error every runtime reports for a denied access; `props.capability` and `props.target` name it. */
export function permissionDenied(capability: Capability, target: string): SerializedError {
  return {
    ...codaError('PermissionDenied', { access: CAPABILITY_WORDS[capability], entry: JSON.stringify(target), capability }),
    props: { capability, target },
  };
}

/** An error a runtime reported for a denied access, rewritten as permissionDenied() with its frames and stack kept. */
export function asDenial(error: SerializedError, capability: Capability, target: string): SerializedError {
  const data = permissionDenied(capability, target);
  const out: SerializedError = { ...error, name: data.name, message: data.message, code: data.code, props: data.props };
  if (error.stack !== undefined) {
    const lines = error.stack.split('\n');
    const firstFrame = lines.findIndex((l) => /^\s+at /.test(l));
    out.stack = [`${data.name}: ${data.message}`, ...(firstFrame === -1 ? [] : lines.slice(firstFrame))].join('\n');
  }
  return out;
}

/** The name a PermissionDenied error carries in every runtime. */
export const PERMISSION_DENIED = CODA_ERRORS.PermissionDenied.name;

/** Parses and checks a `permissions` metadata value; throws an Error naming the bad field. */
export function parsePermissions(value: unknown, field = 'metadata.permissions'): Permissions | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${field} must be an object like {"net": ["api.example.com"]}`);
  const out: Permissions = {};
  for (const [key, list] of Object.entries(value as Record<string, unknown>)) {
    if (!(CAPABILITIES as readonly string[]).includes(key)) throw new Error(`${field}.${key} is not a capability (known: ${CAPABILITIES.join(', ')})`);
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || x === '')) throw new Error(`${field}.${key} must be a list of non-empty strings`);
    out[key as Capability] = [...new Set(list as string[])];
  }
  return out;
}

/** A stable text of a permission set, for remembering what the user granted. */
export function permissionsKey(p: Permissions | undefined): string {
  if (!p) return 'unrestricted';
  return CAPABILITIES.map((c) => `${c}=${[...(p[c] ?? [])].sort().join(',')}`).join(';');
}

/**
 * A `net` rule's host and port: `example.com`, `example.com:443`, `[::1]:8080`, or a bare IPv6 address (`::1`, whose
 * colons are not a port).
 */
export function parseHostRule(rule: string): { host: string; port?: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rule);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] };
  if ((rule.match(/:/g) ?? []).length >= 2) return { host: rule };
  const m = /^(.*?)(?::(\d+))?$/.exec(rule)!;
  return { host: m[1]!, port: m[2] };
}

/** Host (and optional port) matching for `net`: `example.com`, `example.com:443`, `*.example.com`, `[::1]:80`, `*`. */
export function allowsHost(p: Permissions | undefined, host: string, port?: number | string): boolean {
  if (!p) return true;
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return (p.net ?? []).some((rule) => {
    if (rule === ANY) return true;
    const parsed = parseHostRule(rule.toLowerCase());
    const ruleHost = parsed.host;
    if (parsed.port !== undefined && String(port ?? '') !== parsed.port) return false;
    if (ruleHost.startsWith('*.')) return h.endsWith(ruleHost.slice(1));
    return h === ruleHost;
  });
}

export function allowsName(p: Permissions | undefined, cap: 'env' | 'run', name: string): boolean {
  if (!p) return true;
  const list = p[cap] ?? [];
  return list.includes(ANY) || list.includes(name);
}

/** Notebook metadata keys. */
export const METADATA_PERMISSIONS = 'permissions';
/** Names of the secrets a notebook uses (values live in VS Code's SecretStorage, a .env file or the environment). */
export const METADATA_SECRETS = 'secrets';

/** Parses a `secrets` metadata value: a list of environment variable names. */
export function parseSecretNames(value: unknown, field = 'metadata.secrets'): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((x) => typeof x !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(x))) {
    throw new Error(`${field} must be a list of environment variable names, like ["OPENAI_API_KEY"]`);
  }
  return [...new Set(value as string[])];
}
