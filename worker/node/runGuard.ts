/**
 * The `run` seat belt: when a notebook may run only some programs, every way JavaScript can start one is checked
 * (Node's --allow-child-process is all or nothing), at the lowest layer a cell can reach:
 * - every asynchronous start (spawn, exec, execFile, fork, cluster, a ChildProcess built by hand, the internal
 *   handle's class reached through `cp._handle.constructor`) ends in the Process handle's `spawn`, replaced on its
 *   prototype here;
 * - the synchronous ones (spawnSync, execSync, execFileSync) end in the spawn_sync binding, which only Node's own
 *   child_process module holds (`process.binding` is denied by the permission model): their exports are replaced;
 * - process.execve (Node >= 22.15) is denied.
 * Each takes a plain copy of its arguments (spawnCopies.ts), checks it (programPolicy.ts) and passes that copy on,
 * with the program's absolute path, so a getter, a Proxy or a PATH of the cell's cannot change what runs.
 */
import type childProcessModule from 'node:child_process';
import { ANY, type Permissions } from '../../protocol';
import { getBuiltin } from '../runtime/getBuiltin';
import { permissionError } from './permissionError';
import { ArrayIsArray, arrayIntrinsicsIntact, emptyRecord, ReflectApply, safeArray } from './primordials';
import { DEFAULT_SHELL, programPolicy, type CheckedProgram, type ProgramPolicy } from './programPolicy';
import { copyCwd, copyEnvironment, copyHandleSpawn, copyHandleSpawnOptions, copyOptions, environmentPairs, stringList, text } from './spawnCopies';

type Fn = (...args: unknown[]) => unknown;

export function guardChildProcesses(permissions: Permissions, notebookFolder: string, searchPath: string | undefined): void {
  if ((permissions.run ?? []).includes(ANY)) return;
  const realCwd = process.cwd;
  const startupEnv = emptyRecord<string | undefined>();
  for (const name of Object.keys(process.env)) startupEnv[name] = process.env[name];
  const policy = programPolicy({
    permissions,
    notebookFolder,
    searchPath,
    startupEnv,
    execPath: process.execPath,
    execArgv: kernelExecArgvCopy,
    cwd: () => ReflectApply(realCwd, process, []) as string,
  });
  guardHandle(policy);
  guardSyncCalls(policy);
  guardExecve();
}

/** The internal Process handle (process_wrap) every asynchronous child process starts through. */
function guardHandle(policy: ProgramPolicy): void {
  const childProcess = getBuiltin('node:child_process') as typeof childProcessModule;
  const probe = new childProcess.ChildProcess() as unknown as { _handle: object };
  const proto = Object.getPrototypeOf(probe._handle) as { spawn: Fn };
  const spawn = proto.spawn;
  // Node 24.?+ passes (file, args, …); older releases one options object. The native side asserts its form (a wrong
  // one aborts the process), so only the form this Node's own ChildProcess uses goes through.
  const optionsForm = /_handle\.spawn\(\s*options\s*\)/.test(
    Function.prototype.toString.call((childProcess.ChildProcess.prototype as unknown as { spawn: Fn }).spawn),
  );
  const guarded = function spawnChecked(this: unknown, ...args: unknown[]) {
    if (optionsForm !== (typeof args[0] !== 'string'))
      throw new TypeError(`The process handle's spawn takes ${optionsForm ? 'an options object' : 'a file name first'}`);
    if (optionsForm) {
      const o = copyHandleSpawnOptions(args[0]);
      const envPairs = o.envPairs ?? currentPairs();
      const checked = policy({ file: o.file, argv0: o.args?.[0], cwd: o.cwd, envPairs, shell: isShellCall(o.args) });
      return ReflectApply(spawn, this, [{ __proto__: null, ...o, file: checked.file, cwd: checked.cwd ?? o.cwd, envPairs }]);
    }
    const c = copyHandleSpawn(args);
    // no envPairs: the child would inherit the kernel's environment as it is now; pass (and check) that explicitly
    const envPairs = c.envPairs ?? currentPairs();
    let checked: CheckedProgram;
    try {
      checked = policy({ file: c.file, argv0: c.args?.[0], cwd: c.cwd, envPairs, shell: isShellCall(c.args) });
    } catch (err) {
      closePipes(c.stdio);
      throw err;
    }
    return ReflectApply(spawn, this, [checked.file, c.args, checked.cwd ?? c.cwd, envPairs, c.stdio, c.flags, c.uid, c.gid]);
  };
  Object.defineProperty(proto, 'spawn', { value: guarded, writable: false, configurable: false, enumerable: true });
}

/** ChildProcess opened the pipes for the child before asking the handle; a denied start closes them, as a failed one does. */
function closePipes(stdio: readonly unknown[] | undefined): void {
  for (let i = 0; i < (stdio?.length ?? 0); i++) {
    const entry = stdio![i] as { type?: unknown; handle?: { close?: unknown } } | undefined;
    const close = entry?.type === 'pipe' ? entry.handle?.close : undefined;
    if (typeof close === 'function') {
      try {
        ReflectApply(close, entry!.handle, []);
      } catch {
        // already closed
      }
    }
  }
}

function currentPairs(): readonly string[] {
  return environmentPairs(copyEnvironment(undefined));
}

function isShellCall(args: readonly string[] | undefined): boolean {
  return !!args && args.length === 3 && args[1] === '-c';
}

/** spawnSync, execFileSync and execSync: the only ways to the spawn_sync binding. */
function guardSyncCalls(policy: ProgramPolicy): void {
  const cp = getBuiltin('node:child_process') as Record<string, Fn>;
  for (const name of ['spawnSync', 'execFileSync'] as const) {
    const real = cp[name]!;
    cp[name] = function (this: unknown, fileArg?: unknown, argsArg?: unknown, optionsArg?: unknown) {
      const file = text(fileArg, 'file');
      intact(file);
      const hasArgs = ArrayIsArray(argsArg);
      const args = hasArgs ? stringList(argsArg)! : safeArray<string>(0, () => '');
      const o = copyOptions(hasArgs || argsArg === undefined || argsArg === null ? optionsArg : argsArg);
      const env = copyEnvironment(o.env);
      const cwd = copyCwd(o.cwd);
      const argv0 = typeof o.argv0 === 'string' ? o.argv0 : undefined;
      if (o.shell) {
        const shell = typeof o.shell === 'string' ? o.shell : DEFAULT_SHELL;
        const checked = policy({ file: shell, argv0: argv0 ?? shell, cwd, envPairs: environmentPairs(env), shell: true });
        return ReflectApply(real, this, [file, args, { ...o, env, cwd: checked.cwd, shell: checked.file, argv0: argv0 ?? shell }]);
      }
      const checked = policy({ file, argv0: argv0 ?? file, cwd, envPairs: environmentPairs(env) });
      return ReflectApply(real, this, [checked.file, args, { ...o, env, cwd: checked.cwd, shell: false, argv0: argv0 ?? file }]);
    };
  }
  const execSync = cp.execSync!;
  cp.execSync = function (this: unknown, commandArg?: unknown, optionsArg?: unknown) {
    const command = text(commandArg, 'command');
    const o = copyOptions(optionsArg);
    const shell = typeof o.shell === 'string' ? o.shell : DEFAULT_SHELL;
    intact(shell);
    const env = copyEnvironment(o.env);
    const argv0 = typeof o.argv0 === 'string' ? o.argv0 : shell;
    const checked = policy({ file: shell, argv0, cwd: copyCwd(o.cwd), envPairs: environmentPairs(env), shell: true });
    return ReflectApply(execSync, this, [command, { ...o, env, cwd: checked.cwd, shell: checked.file, argv0 }]);
  };
}

/**
 * process.execve (Node >= 22.15 / 23.11) replaces the kernel with another program: no notebook needs that, and Node
 * runs a cell's code after any check we could make (its experimental warning, and a diagnostics_channel message that
 * hands subscribers the final, still mutable environment). Denied unless every program is granted.
 */
function guardExecve(): void {
  const proc = process as unknown as { execve?: Fn };
  if (typeof proc.execve !== 'function') return;
  proc.execve = function (fileArg?: unknown) {
    const err = permissionError('run', typeof fileArg === 'string' ? fileArg : 'process.execve');
    (err as { cause?: unknown }).cause = new Error(
      'process.execve would replace the kernel with another program; it is allowed only when the notebook may run any program ("run": ["*"]).',
    );
    throw err;
  };
}

/**
 * Node's own code builds the final arguments and environment from our copy with arrays, and adds the kernel's
 * permission flags from process.execArgv to a child's NODE_OPTIONS: those must be the originals.
 */
function intact(file: string): void {
  if (arrayIntrinsicsIntact() && execArgvIntact()) return;
  const err = permissionError('run', file);
  (err as { cause?: unknown }).cause = new Error(
    'A cell changed Array.prototype (index properties, its iterator or species) or process.execArgv, so the arguments or environment Node builds for the program could differ from the ones checked.',
  );
  throw err;
}

const kernelExecArgv = process.execArgv;
const kernelExecArgvCopy = safeArray(kernelExecArgv.length, (i) => kernelExecArgv[i]!);

function execArgvIntact(): boolean {
  if (process.execArgv !== kernelExecArgv || kernelExecArgv.length !== kernelExecArgvCopy.length) return false;
  for (let i = 0; i < kernelExecArgvCopy.length; i++) if (kernelExecArgv[i] !== kernelExecArgvCopy[i]) return false;
  return true;
}
