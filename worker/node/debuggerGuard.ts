/**
 * No debugger on demand. SIGUSR1 (or process._debugProcess, which sends it) makes Node open an inspector on
 * 127.0.0.1:9229 that any local user can attach to and run code as the kernel. Every kernel ignores the signal
 * (`--disable-sigusr1` where Node has it, worker/host/debugSignalFlags.ts; a listener on every Node, installed by
 * worker/main.ts first thing), and a kernel with declared permissions may not send it to any other process (the
 * host, another kernel, a program it started): only the kernel's own pid, which ignores it.
 */
import { constants } from 'node:os';
import { permissionError } from './permissionError';

/** The target a denied debug signal names. */
export const DEBUGGER_TARGET = 'node:inspector';
const DEBUG_SIGNAL = 'SIGUSR1';

/** Makes SIGUSR1 do nothing in this process (a JS listener replaces Node's start-the-inspector handler). */
export function ignoreDebugSignal(): void {
  process.on(DEBUG_SIGNAL, () => undefined);
}

/** process.kill(pid, 'SIGUSR1') and process._debugProcess(pid) may only name this process. */
export function guardDebugSignals(): void {
  const self = process.pid;
  const kill = process.kill.bind(process);
  process.kill = function (pid: number, signal?: string | number): true {
    // read each argument once, as the value Node will use (an object's toString could answer twice)
    const sig = typeof signal === 'number' ? signal : signal === undefined ? 'SIGTERM' : String(signal);
    if (sig !== DEBUG_SIGNAL && sig !== constants.signals.SIGUSR1) return kill(pid, sig);
    const target = Number(pid);
    if (target !== self) throw permissionError('run', DEBUGGER_TARGET);
    return kill(target, sig);
  } as typeof process.kill;
  const proc = process as unknown as { _debugProcess?: (pid: number) => void };
  const debugProcess = proc._debugProcess;
  if (typeof debugProcess === 'function') {
    proc._debugProcess = function (pid: number) {
      const target = Number(pid);
      if (target !== self) throw permissionError('run', DEBUGGER_TARGET);
      return debugProcess.call(process, target);
    };
  }
}
