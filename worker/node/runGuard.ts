/**
 * The `run` seat belt: when a notebook may run only some programs, every way child_process starts one is checked
 * (Node's model only knows all or nothing). Async starts all pass through ChildProcess.prototype.spawn; the
 * synchronous ones are wrapped one by one. A shell command is allowed when the shell itself is granted, or when
 * it is a simple command (no operators, expansions or redirections) whose program is granted.
 */
import childProcess from 'node:child_process';
import { basename, delimiter, dirname, resolve } from 'node:path';
import { ANY, type Permissions } from '../../protocol';
import { permissionError } from './permissionError';

/** Shells whose `-c <command>` names the program that really runs. */
export const SHELLS = ['sh', 'bash', 'dash', 'zsh', 'ksh'];
/** Characters that make a shell command more than "one program with plain arguments". */
const NOT_SIMPLE = /[;&|<>$`\\(){}[\]*?~!#\n\r]/;
const DEFAULT_SHELL = '/bin/sh';

type SpawnOptions = { cwd?: string | URL; shell?: boolean | string; execPath?: string } | undefined;

export function guardChildProcesses(permissions: Permissions, notebookFolder: string, searchPath: string | undefined): void {
  const granted = permissions.run ?? [];
  if (granted.includes(ANY)) return;
  const pathDirs = (searchPath ?? '').split(delimiter).filter(Boolean);
  const execPath = process.execPath;

  const programAllowed = (program: string, cwd: string): boolean => {
    if (granted.includes(program)) return true;
    const abs = program.includes('/') ? resolve(cwd, program) : undefined;
    return granted.some((rule) => {
      if (rule.includes('/')) return abs !== undefined && resolve(notebookFolder, rule) === abs;
      // a bare name grants that program wherever PATH finds it (and `node` the Node running this kernel)
      if (abs === undefined) return false;
      if (rule === 'node' && abs === execPath) return true;
      return basename(abs) === rule && pathDirs.includes(dirname(abs));
    });
  };

  const checkProgram = (program: string, cwd: string) => {
    if (!programAllowed(program, cwd)) throw permissionError('run', program);
  };
  const checkShell = (shell: string, command: string, cwd: string) => {
    if (programAllowed(shell, cwd)) return;
    const program = simpleProgram(command);
    if (program === undefined) throw permissionError('run', shell);
    checkProgram(program, cwd);
  };
  const cwdOf = (options: SpawnOptions) => (options?.cwd ? resolve(process.cwd(), String(options.cwd instanceof URL ? options.cwd.pathname : options.cwd)) : process.cwd());

  const proto = childProcess.ChildProcess.prototype as unknown as { spawn(options: { file?: string; args?: string[]; cwd?: string }): unknown };
  const spawn = proto.spawn;
  proto.spawn = function (this: unknown, options) {
    const file = String(options?.file ?? '');
    const args = options?.args ?? [];
    const cwd = cwdOf(options);
    if (SHELLS.includes(basename(file)) && args.length === 3 && args[1] === '-c') checkShell(file, String(args[2]), cwd);
    else checkProgram(file, cwd);
    return spawn.call(this, options);
  };

  const cp = childProcess as unknown as Record<string, (...args: unknown[]) => unknown>;
  const execSync = cp.execSync!;
  cp.execSync = function (command: unknown, options?: unknown) {
    const o = options as SpawnOptions;
    checkShell(typeof o?.shell === 'string' ? o.shell : DEFAULT_SHELL, String(command), cwdOf(o));
    return execSync.apply(this, [command, options]);
  };
  for (const name of ['spawnSync', 'execFileSync'] as const) {
    const real = cp[name]!;
    cp[name] = function (this: unknown, ...args: unknown[]) {
      const file = String(args[0]);
      const list = Array.isArray(args[1]) ? (args[1] as unknown[]).map(String) : [];
      const o = (Array.isArray(args[1]) ? args[2] : args[1]) as SpawnOptions;
      if (o?.shell) checkShell(typeof o.shell === 'string' ? o.shell : DEFAULT_SHELL, [file, ...list].join(' '), cwdOf(o));
      else checkProgram(file, cwdOf(o));
      return real.apply(this, args);
    };
  }
  // Node >= 22.15 / 23.11: replaces this process with another program
  const proc = process as unknown as { execve?: (file: string, ...rest: unknown[]) => never };
  const execve = proc.execve;
  if (typeof execve === 'function') {
    proc.execve = function (this: unknown, file: string, ...rest: unknown[]) {
      checkProgram(String(file), process.cwd());
      return execve.call(this, file, ...rest);
    };
  }
}

/** The program of a simple shell command (`git status --short`), or undefined when the command is not simple. */
export function simpleProgram(command: string): string | undefined {
  if (NOT_SIMPLE.test(command)) return undefined;
  const first = command.trim().split(/[ \t]+/)[0] ?? '';
  const unquoted = /^'[^']*'$|^"[^"]*"$/.test(first) ? first.slice(1, -1) : first;
  if (!unquoted || /['"=]/.test(unquoted)) return undefined;
  return unquoted;
}
