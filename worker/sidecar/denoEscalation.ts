/**
 * When the worker terminates Deno's JavaScript for an interrupt. A termination lands wherever Deno's JavaScript is when
 * it arrives: inside a timer callback it ends Deno, and while Deno is idle or in the agent's own code it cuts the
 * agent's next piece of work. As the interrupt is sent (SidecarRuntime.stopHeldThread): only when the interrupted
 * cell's own frames hold the thread outside a timer callback (cellHoldsDeno). When Deno has not taken it within
 * INTERRUPT_ACK_GRACE_MS (SidecarRuntime.escalate): when any user code holds the thread outside timer callbacks (a
 * loop in a module a cell loaded, say); anything else (idle, the agent's code, busy timer callbacks that end by
 * themselves, no answer in time) is looked at again, as the agent takes the interrupt at the event loop's next turn.
 * Past `graceMs` the termination is sent anyway: timer callbacks that never end (Deno ends, and says why), or a loop of
 * microtasks that shows no frame of its own and never lets the event loop turn (denoEscalation).
 */
import { CELL_SCRIPT } from '../node/cellContext';

/** Deno's timer machinery on a stack (`ext:core/02_timers.js`, `ext:deno_node/internal/timers.mjs`): a timer callback runs. */
const DENO_TIMER_FRAME = /\(ext:[^)]*timers\.m?js:/;

/** The interrupted cell itself holds the thread (a loop in the cell), outside a timer callback: terminate at once. */
export function cellHoldsDeno(stack: string): boolean {
  return CELL_SCRIPT.test(stack) && !DENO_TIMER_FRAME.test(stack);
}

export function denoEscalation(stack: string | undefined, waitedMs: number, graceMs: number, agentFile: string): 'terminate' | 'look again' {
  if (stack !== undefined && !DENO_TIMER_FRAME.test(stack) && userCodeHolds(stack, agentFile)) return 'terminate';
  return waitedMs >= graceMs ? 'terminate' : 'look again';
}

/**
 * Whether a stack holds frames of user code: a cell's, or of any module or package. Not: the evaluation's own frames
 * and built-ins (`<anonymous>`), Deno's internals (`ext:`, `node:`), and the agent's code (`agentFile`). An idle
 * Deno reports only the evaluation's frames.
 */
export function userCodeHolds(stack: string, agentFile: string): boolean {
  for (const line of stack.split('\n')) {
    const frame = /^\s+at (.*)$/.exec(line)?.[1];
    if (frame === undefined) continue;
    // `fn (location)` or a bare location; a cell's script reads `fn (__coda_cell_3__.js, <anonymous>:1:20)`
    const location = frame.endsWith(')') && frame.includes('(') ? frame.slice(frame.indexOf('(') + 1, -1) : frame;
    if (/^(?:ext:|node:|<anonymous>)/.test(location) || location.includes(agentFile)) continue;
    return true;
  }
  return false;
}
