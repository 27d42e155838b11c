/**
 * Which program a child-process call really starts, and whether the notebook's `run` grant allows it. Decided on
 * plain copies (spawnCopies.ts), on the absolute path of the program, never on what the caller's options say later:
 * - a bare name (`git`) must be granted as a bare name and is looked up in the PATH the kernel started with, never
 *   the caller's; the absolute path found is what runs (libuv does not search again);
 * - a path (`./git`, `/usr/bin/git`) is resolved against the call's working folder and must be exactly the path of a
 *   granted program (a symlink named `git` elsewhere is not `git`);
 * - a shell (`exec`, `shell: true`) is a program like any other: the shell itself must be granted;
 * - argv[0] must name the program that was checked (multi-call binaries pick what they do from it);
 * - variables that make any program load other code (STEERING) keep the kernel's own values;
 * - a program the notebook may write to (or found in a PATH folder it may write to) never runs: a cell could
 *   replace it.
 * The folders of the PATH must be readable for the lookup: the host grants exactly `<folder>/<name>` for every
 * granted bare name (host/kernel/programReadPaths.ts).
 */
import type fsModule from 'node:fs';
import type pathModule from 'node:path';
import { ANY, type Permissions } from '../../protocol';
import { getBuiltin } from '../runtime/getBuiltin';
import { permissionError } from './permissionError';
import { emptyRecord, ReflectApply, StringPrototypeIndexOf, StringPrototypeLastIndexOf, StringPrototypeSlice, StringPrototypeStartsWith } from './primordials';

// taken before any cell runs: a cell may replace fs.statSync (node:path is frozen by Node's permission model, but copy it too)
const fs = getBuiltin('node:fs') as typeof fsModule;
const path = getBuiltin('node:path') as typeof pathModule;
const statSync = fs.statSync;
const accessSync = fs.accessSync;
const { S_IFMT, S_IFREG, X_OK } = fs.constants;
const resolve = path.resolve;
const permission = (process as { permission?: { has(scope: string, reference?: string): boolean } }).permission;
const permissionHas = permission?.has;
const isAbsolute = path.isAbsolute;
const delimiter = path.delimiter;

/**
 * Variables that make a program, its dynamic loader, a shell script or a Node script load code of the caller's
 * choosing (or, NODE_V8_COVERAGE, make a Node child write where the caller says).
 */
const STEERING_NAMES = [
  'PATH',
  'NODE_OPTIONS',
  'NODE_PATH',
  'NODE_V8_COVERAGE',
  'BASH_ENV',
  'ENV',
  'SHELLOPTS',
  'BASHOPTS',
  'PS4',
  'GCONV_PATH',
  'PYTHONPATH',
  'PYTHONHOME',
  'PERL5OPT',
  'PERL5LIB',
  'PERLLIB',
  'RUBYOPT',
  'RUBYLIB',
];
/** The shell Node runs for `exec` and `shell: true` on POSIX. */
export const DEFAULT_SHELL = '/bin/sh';
/** Prefixes of such variables: the dynamic loaders' (LD_PRELOAD, DYLD_INSERT_LIBRARIES…) and bash's exported functions. */
const STEERING_PREFIXES = ['LD_', 'DYLD_', 'BASH_FUNC_'];
/** Node copies the kernel's own permission flags into a child's NODE_OPTIONS (so a child Node keeps the model). */
const PERMISSION_FLAG_PREFIXES = ['--permission', '--allow-'];

export const SHELL_REASON =
  'A shell command (exec, execSync, or the shell option) runs the shell itself, which can start any program, so the shell must be granted ' +
  '(for example "run": ["sh"]); to run a granted program, call execFile or spawn with the program and its arguments.';

export interface ProgramPolicyOptions {
  permissions: Permissions;
  notebookFolder: string;
  /** The PATH the kernel started with (the host's), never a cell's. */
  searchPath: string | undefined;
  /** The kernel's environment before any cell ran. */
  startupEnv: Record<string, string | undefined>;
  execPath: string;
  execArgv: readonly string[];
  /** The real working folder of the kernel (a cell may replace process.cwd). */
  cwd(): string;
}

export interface ProgramCall {
  /** The program as the call names it. */
  file: string;
  /** argv[0] as the program will see it (undefined: no arguments at all). */
  argv0: string | undefined;
  /** The working folder option as given (undefined: the kernel's). */
  cwd: string | undefined;
  /** `NAME=value` entries of the child's environment. */
  envPairs: readonly string[];
  /** Set when the call is a shell command: for the error's explanation. */
  shell?: boolean;
}

export interface CheckedProgram {
  /** The absolute path to start. */
  file: string;
  /** The absolute working folder, or undefined for the kernel's. */
  cwd: string | undefined;
}

export type ProgramPolicy = (call: ProgramCall) => CheckedProgram;

export function programPolicy(o: ProgramPolicyOptions): ProgramPolicy {
  const bareRules = emptyRecord<true>();
  const allowedPaths = emptyRecord<true>();
  // a PATH folder the notebook may write to would let a cell plant a program named like a granted one
  const pathDirs = searchFolders(o.searchPath).filter((dir) => !writable(dir));
  const granted = o.permissions.run ?? [];
  for (let i = 0; i < granted.length; i++) {
    const rule = granted[i]!;
    if (rule === ANY || rule === '' || rule === '.' || rule === '..') continue;
    if (StringPrototypeIndexOf(rule, '/') === -1) {
      bareRules[rule] = true;
      for (let d = 0; d < pathDirs.length; d++) allowedPaths[resolve(pathDirs[d]!, rule)] = true;
      // `node` also grants the Node running this kernel (fork() starts process.execPath), `sh` the shell Node runs
      if (rule === 'node') allowedPaths[o.execPath] = true;
      if (rule === 'sh') allowedPaths[DEFAULT_SHELL] = true;
    } else {
      allowedPaths[resolve(o.notebookFolder, rule)] = true;
    }
  }
  const ownNodeFlags = permissionFlags(o.execArgv);

  const findInPath = (name: string): string | undefined => {
    for (let d = 0; d < pathDirs.length; d++) {
      const candidate = resolve(pathDirs[d]!, name);
      if (!writable(candidate) && isExecutableFile(candidate)) return candidate;
    }
    return pathDirs.length ? resolve(pathDirs[0]!, name) : undefined;
  };

  return (call) => {
    const deny = (reason: string | undefined, target = call.file): never => {
      const err = permissionError('run', target);
      if (reason !== undefined) (err as { cause?: unknown }).cause = new Error(reason);
      throw err;
    };
    const shellReason = call.shell ? SHELL_REASON : undefined;
    if (call.file.length === 0) deny(undefined);
    const cwd = call.cwd === undefined || call.cwd.length === 0 ? undefined : resolve(o.cwd(), call.cwd);
    let file: string;
    if (StringPrototypeIndexOf(call.file, '/') === -1) {
      if (bareRules[call.file] !== true) return deny(shellReason);
      const found = findInPath(call.file);
      if (found === undefined) return deny('The kernel started without a PATH, so a program cannot be named without its folder.');
      file = found;
    } else {
      file = resolve(cwd ?? o.cwd(), call.file);
      if (allowedPaths[file] !== true) return deny(shellReason);
      if (writable(file)) return deny('The notebook may write to this file, so a cell could replace the granted program with another one.');
    }
    if (call.argv0 === undefined || baseName(call.argv0) !== baseName(call.file)) {
      return deny(`argv[0] (${JSON.stringify(call.argv0 ?? null)}) must name the program that was checked: a multi-call program would run as another one.`);
    }
    const pairs = call.envPairs;
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i]!;
      const eq = StringPrototypeIndexOf(pair, '=');
      const name = eq === -1 ? pair : StringPrototypeSlice(pair, 0, eq);
      const value = eq === -1 ? '' : StringPrototypeSlice(pair, eq + 1);
      if (!isSteering(name) || value === o.startupEnv[name]) continue;
      if (name === 'PATH' && value === o.searchPath) continue;
      if (name === 'NODE_OPTIONS' && onlyFlags(value, ownNodeFlags, o.startupEnv.NODE_OPTIONS)) continue;
      return deny(
        `The cell set ${name} for the program, which would make it load code the notebook was not granted to run. ` +
          `${STEERING_NAMES.join(', ')} and variables starting with ${STEERING_PREFIXES.join(', ')} keep the values the kernel started with.`,
      );
    }
    return { file, cwd };
  };
}

/** Absolute folders of a PATH; empty and relative entries (`.`, ``) would search the caller's working folder. */
function searchFolders(searchPath: string | undefined): string[] {
  const out: string[] = [];
  if (!searchPath) return out;
  let start = 0;
  for (;;) {
    const end = StringPrototypeIndexOf(searchPath, delimiter, start);
    const dir = StringPrototypeSlice(searchPath, start, end === -1 ? undefined : end);
    if (isAbsolute(dir)) out[out.length] = dir;
    if (end === -1) return out;
    start = end + 1;
  }
}

/** Whether Node's permission model lets this kernel write in `dir` (false when the model is off: nothing to ask). */
function writable(dir: string): boolean {
  return permissionHas !== undefined && ReflectApply(permissionHas, permission, ['fs.write', dir]) === true;
}

function isExecutableFile(file: string): boolean {
  try {
    const stat = statSync(file);
    if ((stat.mode & S_IFMT) !== S_IFREG) return false;
    accessSync(file, X_OK);
    return true;
  } catch {
    return false;
  }
}

function baseName(p: string): string {
  return StringPrototypeSlice(p, StringPrototypeLastIndexOf(p, '/') + 1);
}

function isSteering(name: string): boolean {
  for (let i = 0; i < STEERING_NAMES.length; i++) if (STEERING_NAMES[i] === name) return true;
  for (let i = 0; i < STEERING_PREFIXES.length; i++) if (StringPrototypeStartsWith(name, STEERING_PREFIXES[i]!)) return true;
  return false;
}

function permissionFlags(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    for (let p = 0; p < PERMISSION_FLAG_PREFIXES.length; p++) {
      if (StringPrototypeStartsWith(arg, PERMISSION_FLAG_PREFIXES[p]!)) {
        out[out.length] = arg;
        break;
      }
    }
  }
  return out;
}

/**
 * Whether NODE_OPTIONS is what Node itself builds for a child under the permission model: the kernel's own value (if
 * any), then some of the kernel's own permission flags, separated by single spaces. Flags may contain spaces (paths),
 * so the value is matched flag by flag, not split.
 */
function onlyFlags(value: string, flags: readonly string[], startup: string | undefined): boolean {
  let pos = 0;
  if (startup !== undefined && StringPrototypeStartsWith(value, startup)) {
    pos = startup.length;
    if (pos === value.length) return true;
    if (value[pos] !== ' ') return false;
    pos++;
  }
  while (pos < value.length) {
    let next = -1;
    for (let i = 0; i < flags.length; i++) {
      const flag = flags[i]!;
      const end = pos + flag.length;
      if (StringPrototypeStartsWith(value, flag, pos) && (end === value.length || value[end] === ' ') && end > next) next = end;
    }
    if (next === -1) return false;
    pos = next === value.length ? next : next + 1;
  }
  return true;
}
