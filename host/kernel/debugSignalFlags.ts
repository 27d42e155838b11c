/**
 * `--disable-sigusr1` for every kernel's Node that has it: without it, SIGUSR1 (from any process of the user, or
 * the kernel's own process._debugProcess) opens an inspector on 127.0.0.1:9229 that any local user can attach to.
 * The worker also ignores the signal itself (worker/node/debuggerGuard.ts); the flag closes the moments before
 * worker.js runs, and does not depend on user code leaving that listener alone.
 */
import { releaseHas } from './releaseHas';

export const DISABLE_SIGUSR1 = '--disable-sigusr1';
/** The first releases with the flag, per major (Node 22.14.0 and 23.7.0; every later major has it). */
const FIRST_WITH_FLAG: Record<number, number> = { 22: 14, 23: 7 };
const FIRST_MAJOR_WITH_FLAG = 24;

/** The flags for a Node of `version` (e.g. 'v24.21.0'); [] when that Node does not know the flag (it would refuse to start). */
export function debugSignalFlags(version: string): string[] {
  return releaseHas(version, FIRST_WITH_FLAG, FIRST_MAJOR_WITH_FLAG) ? [DISABLE_SIGUSR1] : [];
}
