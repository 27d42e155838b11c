/**
 * The user's npm configuration, read from the files and keys npm itself reads (@npmcli/config), in its order of
 * precedence, lowest first: the global npmrc (`globalconfig`, else `<prefix>/etc/npmrc`), the user's `~/.npmrc` (or
 * `userconfig`), the project's `.npmrc` — only the one at the project root, the nearest folder holding a
 * `package.json` or `node_modules` (the notebook's own folder when there is none) — and `npm_config_*` variables.
 * Values are read as the `ini` package reads them and `${VAR}` / `${VAR?}` expand as npm expands them. `cafile` is
 * read into `ca`. Returned as options for npm-registry-fetch/pacote/arborist (registry, proxies, TLS, auth, scopes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, parse as parsePath, resolve } from 'node:path';

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';
/** Keys that locate config files or install targets: never taken from a project file (npm ignores them there). */
const LOCATION_KEYS = /^(userconfig|globalconfig|prefix|cache|nodedir)$/;

/** npm's `${VAR}` (left as written when unset) and `${VAR?}` (empty when unset); `\${` stays literal. */
function expandEnv(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/(\\*)\$\{([^${}?]+)(\?)?\}/g, (whole, slashes: string, name: string, optional?: string) => {
    if (slashes.length % 2) return whole.slice((slashes.length + 1) / 2);
    const found = env[name];
    const keep = slashes.slice(slashes.length / 2);
    return found === undefined ? (optional ? keep : whole.slice(slashes.length / 2)) : keep + found;
  });
}

/** One value as `ini` reads it: double quotes are JSON, single quotes are stripped, otherwise `;`/`#` start a comment. */
function iniValue(raw: string): string {
  const v = raw.trim();
  if (v.length > 1 && v.startsWith('"') && v.endsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(v);
      if (typeof parsed === 'string') return parsed;
    } catch {
      /* not JSON: read as written, like ini */
    }
    return v.slice(1, -1);
  }
  if (v.length > 1 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\\' && (v[i + 1] === ';' || v[i + 1] === '#' || v[i + 1] === '\\')) out += v[++i];
    else if (c === ';' || c === '#') break;
    else out += c;
  }
  return out.trim();
}

/** Parses one npmrc. Repeated `key[]` entries (npm's arrays, used for `ca`) are joined with newlines. */
export function parseNpmrc(text: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim();
      continue;
    }
    if (section) continue; // npm reads top-level keys only
    const eq = line.indexOf('=');
    let key = expandEnv(iniValue(eq < 0 ? line : line.slice(0, eq)), env);
    const value = eq < 0 ? 'true' : expandEnv(iniValue(line.slice(eq + 1)), env);
    if (!key || key === '__proto__') continue;
    if (key.endsWith('[]')) {
      key = key.slice(0, -2);
      out[key] = key in out ? `${out[key]}\n${value}` : value;
    } else out[key] = value;
  }
  return out;
}

/** A config file's text, '' when there is none (read synchronously: a few small files, each a single read instead of four hops through the thread pool). */
function readIf(file: string | undefined): string {
  if (!file) return '';
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** npm's project root (its `localPrefix`): the nearest folder holding package.json or node_modules, else `fromDir`. */
export function projectRoot(fromDir: string): string {
  for (let d = resolve(fromDir); ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json')) || existsSync(join(d, 'node_modules'))) return d;
    if (d === parsePath(d).root) return resolve(fromDir);
  }
}

/** `npm_config_foo_bar` → `foo-bar` (a leading underscore stays: `npm_config__auth` → `_auth`). */
function envConfig(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    const m = /^npm_config_(.+)$/i.exec(k);
    if (m && v !== undefined) out[m[1]!.replace(/(?!^)_/g, '-').toLowerCase()] = v;
  }
  return out;
}

function withoutLocationKeys(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).filter(([k]) => !LOCATION_KEYS.test(k)));
}

/** The npm prefix whose etc/npmrc is the global config: from the environment or user config, else the running node's. */
function npmPrefix(fromEnv: Record<string, string>, user: Record<string, string>, env: NodeJS.ProcessEnv): string | undefined {
  const named = fromEnv.prefix ?? env.PREFIX ?? user.prefix;
  if (named) return named;
  return /^node(\.exe)?$/.test(basename(process.execPath)) ? dirname(dirname(process.execPath)) : undefined;
}

/**
 * Raw npm config keys, merged in npm's order of precedence. `readCafile: false` leaves a `cafile` unread (no `ca`):
 * for a caller that makes no connection and needs only the registries (a system bundle is ~200 kB to read and split).
 */
export async function loadNpmConfig(
  fromDir: string,
  env: NodeJS.ProcessEnv = process.env,
  { readCafile = true }: { readCafile?: boolean } = {},
): Promise<Record<string, string>> {
  const fromEnv = envConfig(env);
  const userFile = fromEnv.userconfig ?? join(env.HOME ?? homedir(), '.npmrc');
  const user = parseNpmrc(readIf(userFile), env);
  const prefix = npmPrefix(fromEnv, user, env);
  const globalFile = fromEnv.globalconfig ?? user.globalconfig ?? (prefix ? join(prefix, 'etc', 'npmrc') : undefined);
  const root = projectRoot(fromDir);
  const project = root === dirname(userFile) ? {} : parseNpmrc(readIf(join(root, '.npmrc')), env);
  const merged: Record<string, string> = {
    registry: DEFAULT_REGISTRY,
    ...withoutLocationKeys(parseNpmrc(readIf(globalFile), env)),
    ...withoutLocationKeys(user),
    ...withoutLocationKeys(project),
    ...withoutLocationKeys(fromEnv),
  };
  if (readCafile && merged.cafile && !merged.ca) {
    const file = isAbsolute(merged.cafile) ? merged.cafile : resolve(root, merged.cafile);
    const pem = readIf(file);
    if (!pem.trim()) throw new Error(`The npm config names cafile ${file}, which cannot be read. Fix or remove the cafile line in your .npmrc.`);
    merged.ca = pem;
  }
  return merged;
}

/** Each PEM certificate in a text (npm's `ca` array). */
function certificates(text: string): string[] {
  const found = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
  return found ?? text.split('\n').filter((s) => s.trim());
}

/** npm config keys -> the option names npm-registry-fetch understands (auth and scope keys pass as they are). */
export function fetchOptions(config: Record<string, string>): Record<string, unknown> {
  const opts: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (key.startsWith('//') || /^@[^:]+:registry$/.test(key)) opts[key] = value;
  }
  opts.registry = config.registry?.endsWith('/') ? config.registry : `${config.registry ?? DEFAULT_REGISTRY}/`;
  if (config.proxy) opts.proxy = config.proxy;
  if (config['https-proxy']) opts.httpsProxy = config['https-proxy'];
  if (config.noproxy ?? config['no-proxy']) opts.noProxy = config.noproxy ?? config['no-proxy'];
  if (config['strict-ssl'] !== undefined) opts.strictSSL = config['strict-ssl'] !== 'false';
  if (config.ca) opts.ca = certificates(config.ca);
  if (config.cert) opts.cert = config.cert;
  if (config.key) opts.key = config.key;
  if (config['local-address']) opts.localAddress = config['local-address'];
  if (config['fetch-timeout'] && Number.isFinite(Number(config['fetch-timeout']))) opts.timeout = Number(config['fetch-timeout']);
  return opts;
}
