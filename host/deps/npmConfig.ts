/**
 * The user's npm configuration, as npm reads it: ~/.npmrc (or NPM_CONFIG_USERCONFIG), then every .npmrc from the
 * filesystem root down to the notebook's folder, then npm_config_* environment variables. `${VAR}` is expanded.
 * Returned as options for npm-registry-fetch/pacote/arborist (registry, proxies, TLS, auth tokens, scoped registries).
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, parse as parsePath } from 'node:path';

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';

export function parseNpmrc(text: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    out[key] = value.replace(/\$\{([^}]+)\}/g, (_, name: string) => env[name] ?? '');
  }
  return out;
}

async function readIf(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return '';
  }
}

/** Raw npm config keys, merged in npm's order of precedence. */
export async function loadNpmConfig(fromDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, string>> {
  const merged: Record<string, string> = { registry: DEFAULT_REGISTRY };
  Object.assign(merged, parseNpmrc(await readIf(env.NPM_CONFIG_USERCONFIG ?? env.npm_config_userconfig ?? join(homedir(), '.npmrc')), env));
  const dirs: string[] = [];
  for (let d = fromDir; ; d = dirname(d)) {
    dirs.unshift(d);
    if (d === parsePath(d).root) break;
  }
  for (const d of dirs) Object.assign(merged, parseNpmrc(await readIf(join(d, '.npmrc')), env));
  for (const [k, v] of Object.entries(env)) {
    const m = /^npm_config_(.+)$/i.exec(k);
    if (m && v !== undefined && !/^(userconfig|cache|prefix|globalconfig|nodedir)$/i.test(m[1]!)) merged[m[1]!.toLowerCase().replace(/_/g, '-')] = v;
  }
  return merged;
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
  if (config.ca) opts.ca = config.ca;
  return opts;
}
