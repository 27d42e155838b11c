/**
 * No debugger on demand. SIGUSR1 (or process._debugProcess, which sends it) makes Node open an inspector on
 * 127.0.0.1:9229 that any local user can attach to and run code as the kernel. Every kernel ignores the signal
 * (`--disable-sigusr1` where Node has it, host/kernel/debugSignalFlags.ts; a listener on every Node, installed by
 * worker/main.ts first thing), and a kernel with declared permissions may not send it to any other process (the
 * host, another kernel, a program it started): only the kernel's own pid, which ignores it.
 */
import type os from 'node:os';
import { getBuiltin } from '../runtime/getBuiltin';
import { ReflectApply } from './primordials';
import { permissionError } from './permissionError';

/** The target a denied debug signal names. */
export const DEBUGGER_TARGET = 'node:inspector';
const DEBUG_SIGNAL = 'SIGUSR1';

/** Makes SIGUSR1 do nothing in this process (a JS listener replaces Node's start-the-inspector handler). */
export function ignoreDebugSignal(): void {
  process.on(DEBUG_SIGNAL, () => undefined);
}

type Proc = { kill: (pid: number, signal?: string | number) => true; _kill?: (pid: number, signal: number) => number; _debugProcess?: (pid: number) => void };

/**
 * process.kill(pid, 'SIGUSR1'), the binding under it (process._kill) and process._debugProcess(pid) may only
 * name this process. Each argument is read once, as the value Node will use, and that value is what is passed on.
 */
export function guardDebugSignals(): void {
  // (node:os loaded here, with the seat belts, not as every kernel starts)
  const DEBUG_SIGNAL_NUMBER = (getBuiltin('node:os') as typeof os).constants.signals.SIGUSR1;
  const self = process.pid;
  const proc = process as unknown as Proc;
  const deny = (pid: number) => {
    if (pid !== self) throw permissionError('run', DEBUGGER_TARGET);
  };
  const kill = proc.kill;
  proc.kill = function (pid: number, signal?: string | number): true {
    const sig = typeof signal === 'number' ? signal : signal === undefined ? 'SIGTERM' : `${signal as string}`;
    if (sig !== DEBUG_SIGNAL && sig !== DEBUG_SIGNAL_NUMBER) return ReflectApply(kill, process, [pid, sig]) as true;
    const target = +pid;
    deny(target);
    return ReflectApply(kill, process, [target, sig]) as true;
  };
  const rawKill = proc._kill;
  if (typeof rawKill === 'function') {
    proc._kill = function (pid: number, signal: number): number {
      const target = +pid;
      const sig = +signal;
      if (sig === DEBUG_SIGNAL_NUMBER) deny(target);
      return ReflectApply(rawKill, process, [target, sig]) as number;
    };
  }
  const debugProcess = proc._debugProcess;
  if (typeof debugProcess === 'function') {
    proc._debugProcess = function (pid: number) {
      const target = +pid;
      deny(target);
      return ReflectApply(debugProcess, process, [target]);
    };
  }
}
