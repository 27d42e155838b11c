/**
 * The flags a kernel's Node gets for what its version has: `--disable-sigusr1` (debugSignalFlags.ts) and, on Node
 * 22.9+ and 23, `--experimental-async-context-frame`, which Node 24 has on by default: AsyncLocalStorage then follows
 * every promise continuation without async hooks, so the kernel attributes output and uncaught errors of promise
 * chains to the cell that started them, and an interrupt can never land inside a hook (worker/node/cellContext.ts).
 * Node 20 and 22.0-22.8 keep the kernel's Node 20 rules (before 22.7 Node refuses to start with the flag).
 */
import { debugSignalFlags } from './debugSignalFlags';
import { releaseHas } from './releaseHas';

export const ASYNC_CONTEXT_FRAME = '--experimental-async-context-frame';
/** The first release whose kernel runs with it, per major, before Node 24 made it the default: 22.9.0 (a kernel on
 * 22.7 and 22.8, which have the flag, hangs in its first cell with it) and 23.0.0. */
const FIRST_WITH_FRAME: Record<number, number> = { 22: 9, 23: 0 };

export function nodeVersionFlags(version: string): string[] {
  return [...debugSignalFlags(version), ...(releaseHas(version, FIRST_WITH_FRAME) ? [ASYNC_CONTEXT_FRAME] : [])];
}
