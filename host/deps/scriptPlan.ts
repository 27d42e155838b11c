/**
 * How one install script runs, decided before anything starts. Scripts are shell commands; CodaJS can confine
 * only what runs on Node, so:
 * - no `permissions` declared: the command runs through the shell, as npm runs it, with the user's rights (as the
 *   notebook's own code has them), minus the notebook's secrets and npm credentials in its environment;
 * - permissions declared and the command is `node <file> [args]`: Node runs the file directly (no shell) under
 *   its permission model: it reads only the store, writes only its own package folder and a private temporary
 *   home, starts no program unless `run` is `["*"]`, opens no socket unless `net` is `["*"]` (a check loaded
 *   before the script), loads no native addon, starts no worker thread, and sees only granted, non-secret variables;
 * - permissions declared and any other command (it starts programs, which Node cannot confine): it runs through the
 *   shell only when `run` is `["*"]` (the notebook's code may already start any program), and is refused otherwise.
 * Pure: no file system or process access.
 */
import { ANY, type Permissions } from '../../protocol';

/**
 * `node file.js`, `node ./scripts/x.js --flag=1`: plain words only, nothing a shell would interpret; the file is
 * relative and never starts with `-` (that would be a Node flag, e.g. one widening the permissions).
 */
const NODE_COMMAND = /^\s*node\s+((?:\.\/)?[\w@][\w@.\-/]*)((?:\s+[\w@.,:=+\-/]+)*)\s*$/;

export type ScriptPlan =
  | { kind: 'shell'; command: string }
  | { kind: 'node'; file: string; args: string[]; childProcesses: boolean; network: boolean }
  | { kind: 'refused'; reason: string };

export function planScript(command: string, permissions: Permissions | undefined): ScriptPlan {
  if (!permissions) return { kind: 'shell', command };
  const runsAnything = !!permissions.run?.includes(ANY);
  const m = NODE_COMMAND.exec(command);
  if (m && !m[1]!.split('/').includes('..')) {
    return {
      kind: 'node',
      file: m[1]!,
      args: m[2]!.trim() ? m[2]!.trim().split(/\s+/) : [],
      childProcesses: runsAnything,
      network: !!permissions.net?.includes(ANY),
    };
  }
  if (runsAnything) return { kind: 'shell', command };
  return {
    kind: 'refused',
    reason:
      'it starts programs through a shell, which CodaJS cannot confine to the notebook\'s permissions (only `node <file>` scripts run confined); it runs only when the notebook grants "run": ["*"]',
  };
}

/** One line for `coda run` saying how a notebook's install scripts run (the same words as docs/dependencies.md). */
export function scriptsNotice(permissions: Permissions | undefined): string {
  return permissions
    ? 'install scripts are allowed and run confined: `node <file>` scripts under Node\'s permission model (read the store, write their own folder, no network unless net is "*", no programs unless run is "*"); other commands only when run is "*", with your rights; never with your secrets or npm credentials'
    : 'install scripts are allowed and run with your rights (the notebook declares no permissions), without your secrets or npm credentials';
}

/** Variables that carry npm credentials or change how Node starts: never given to a script. */
const NEVER =
  /^(npm_config_.*|NPM_TOKEN|NODE_AUTH_TOKEN|NODE_OPTIONS|NODE_PATH|NODE_EXTRA_CA_CERTS|NODE_COMPILE_CACHE|NODE_REPL_EXTERNAL_MODULE|.*_authToken.*|.*_auth|.*_password)$/i;
/** Variables Windows needs to start anything at all. */
const WINDOWS_BASE = ['SystemRoot', 'SYSTEMROOT', 'ComSpec', 'COMSPEC', 'PATHEXT', 'WINDIR', 'windir'];

export interface ScriptEnvContext {
  permissions: Permissions | undefined;
  secretNames: readonly string[];
  /** The installer's own environment. */
  env: NodeJS.ProcessEnv;
  /** What npm sets for a lifecycle script (npm_package_name, npm_lifecycle_event, PATH, …). */
  npm: Record<string, string>;
  /** A private folder for HOME and TMPDIR when permissions are declared. */
  home: string;
  platform: NodeJS.Platform;
}

/** The environment a script gets: see the module comment. */
export function scriptEnv(ctx: ScriptEnvContext): Record<string, string> {
  const secrets = new Set(ctx.secretNames);
  const keep = (name: string) => !secrets.has(name) && !NEVER.test(name);
  const out: Record<string, string> = {};
  if (!ctx.permissions) {
    for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined && keep(k)) out[k] = v;
  } else {
    const granted = ctx.permissions.env ?? [];
    for (const [k, v] of Object.entries(ctx.env)) {
      if (v === undefined || !keep(k)) continue;
      if (granted.includes(ANY) || granted.includes(k) || (ctx.platform === 'win32' && WINDOWS_BASE.includes(k))) out[k] = v;
    }
    Object.assign(out, { HOME: ctx.home, USERPROFILE: ctx.home, TMPDIR: ctx.home, TMP: ctx.home, TEMP: ctx.home });
  }
  // PATH: npm's (node_modules/.bin folders, node-gyp, then the user's)
  for (const k of Object.keys(out)) if (/^path$/i.test(k)) delete out[k];
  return { ...out, ...ctx.npm };
}
