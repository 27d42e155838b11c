/**
 * Plain copies of what a cell passes to a child-process call, each field read exactly once (a getter or Proxy answers
 * once), into prototype-less objects and frozen arrays of strings. The `run` seat belt checks a copy and passes THAT
 * copy on, so what was checked is what starts.
 */
import { fileURLToPath } from 'node:url';
import { ArrayIsArray, emptyArray, emptyRecord, safeArray, safePush } from './primordials';

/** The handle's spawn arguments (Node 24: file, args, cwd, envPairs, stdio, flags, uid, gid). */
export interface HandleSpawn {
  file: string;
  args: readonly string[] | undefined;
  cwd: string | undefined;
  envPairs: readonly string[] | undefined;
  stdio: readonly unknown[] | undefined;
  flags: number;
  uid: number | undefined;
  gid: number | undefined;
}

/** Options of Node's older handle form `spawn(options)`, kept with the same fields. */
export interface HandleSpawnOptions extends Omit<HandleSpawn, 'flags'> {
  detached: boolean;
  windowsHide: boolean;
  windowsVerbatimArguments: boolean;
}

const toFileURLPath = fileURLToPath;

export function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`The "${what}" argument must be of type string`);
  return value;
}

/** `${value}` of every element, read once; undefined when not an array. */
export function stringList(value: unknown): readonly string[] | undefined {
  if (!ArrayIsArray(value)) return undefined;
  const list = value as unknown[];
  return safeArray(list.length, (i) => `${list[i]}`);
}

function stdioList(value: unknown): readonly unknown[] | undefined {
  if (!ArrayIsArray(value)) return undefined;
  const list = value as unknown[];
  return safeArray(list.length, (i) => {
    const entry = list[i];
    return entry !== null && typeof entry === 'object' ? { __proto__: null, ...entry } : entry;
  });
}

const optionalString = (v: unknown) => (typeof v === 'string' ? v : undefined);
const optionalNumber = (v: unknown) => (typeof v === 'number' ? v : undefined);

export function copyHandleSpawn(args: readonly unknown[]): HandleSpawn {
  return {
    file: text(args[0], 'file'),
    args: stringList(args[1]),
    cwd: optionalString(args[2]),
    envPairs: stringList(args[3]),
    stdio: stdioList(args[4]),
    flags: optionalNumber(args[5]) ?? 0,
    uid: optionalNumber(args[6]),
    gid: optionalNumber(args[7]),
  };
}

export function copyHandleSpawnOptions(options: unknown): HandleSpawnOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('The "options" argument must be of type object');
  const o = { __proto__: null, ...options } as Record<string, unknown>;
  return {
    file: text(o.file, 'options.file'),
    args: stringList(o.args),
    cwd: optionalString(o.cwd),
    envPairs: stringList(o.envPairs),
    stdio: stdioList(o.stdio),
    uid: optionalNumber(o.uid),
    gid: optionalNumber(o.gid),
    detached: !!o.detached,
    windowsHide: !!o.windowsHide,
    windowsVerbatimArguments: !!o.windowsVerbatimArguments,
  };
}

/** What Node adds from process.env to every child's environment whatever the `env` option says. */
const ALWAYS_PROPAGATED = 'NODE_V8_COVERAGE';

/**
 * The environment a call gives its child: its `env` option (inherited keys included, as Node does) or process.env
 * now, plus what Node itself would add from process.env (so the check sees it, and Node finds it already there).
 */
export function copyEnvironment(env: unknown): Record<string, string> {
  const out = emptyRecord<string>();
  const explicit = env !== undefined && env !== null;
  const source = (explicit ? env : process.env) as Record<string, unknown>;
  if (typeof source !== 'object') throw new TypeError('The "options.env" property must be of type object');
  for (const key in source) {
    const value = source[key];
    if (value !== undefined) out[key] = `${value}`;
  }
  const propagated = process.env[ALWAYS_PROPAGATED];
  if (explicit && propagated && out[ALWAYS_PROPAGATED] === undefined) out[ALWAYS_PROPAGATED] = propagated;
  return out;
}

export function environmentPairs(env: Record<string, string>): readonly string[] {
  const keys = emptyArray<string>();
  for (const key in env) safePush(keys, key);
  return safeArray(keys.length, (i) => `${keys[i]}=${env[keys[i]!]}`);
}

/** A working folder option as a path string: strings as they are, file: URLs converted once. */
export function copyCwd(cwd: unknown): string | undefined {
  if (cwd === undefined || cwd === null) return undefined;
  if (typeof cwd === 'string') return cwd;
  return toFileURLPath(cwd as URL);
}

/** The options object of a call, its own enumerable fields read once (as Node's own `{ ...options }` does). */
export function copyOptions(options: unknown): Record<string, unknown> {
  if (options === undefined || options === null) return emptyRecord();
  if (typeof options !== 'object') throw new TypeError('The "options" argument must be of type object');
  return { __proto__: null, ...options } as Record<string, unknown>;
}
