/**
 * Interrupting a cell's loop of awaits on Deno without terminating JavaScript. `for (;;) await null` keeps Deno in
 * its microtask queue: the agent never reads the interrupt frame, and the stack Deno's inspector reports holds no
 * frame of the cell, so the worker could only terminate after a grace (a termination in Deno's timer phase ends
 * Deno). Instead the cell transform starts each turn of a loop that awaits with `LOOP_HOOK(executionId)`
 * (transformCell's `loopHook`), and with an interrupt of a running cell the worker has Deno's inspector evaluate
 * stopLoops(executionId): from then on every turn of that execution's loops throws loopStopError(). The cell settles as interrupted,
 * the event loop turns again, and the interrupt frame is read as usual. A loop that catches that error meets it again
 * at its next turn, and a cell that catches it and ends is still reported interrupted; loops of other executions go on.
 */
import { codaErrorObject } from '../../protocol/codaErrors';

/** The global a transformed loop calls at the start of each turn. */
export const LOOP_HOOK = '__coda$loop';
/**
 * What the worker has Deno's inspector evaluate with an interrupt of the running execution `executionId`: true when
 * that execution's loops turned within LOOP_TURN_RECENT_MS, so the stop ends it and no termination must be sent (one
 * sent while the loop ends by itself would land wherever Deno is next, maybe in a timer callback, which ends Deno).
 * It stops nothing when another execution runs by the time the evaluation lands: the agent may have taken the
 * interrupt through its own input first, and the host started the next cell.
 */
export function stopLoops(executionId: number): string {
  return `globalThis.${LOOP_HOOK}?.stop?.(${executionId})`;
}
/** A loop whose last turn is this recent is turning: the stop reaches it. */
export const LOOP_TURN_RECENT_MS = 5;

/**
 * Thrown into a stopped execution's loops (one frozen object: nothing to build per turn). Made by installLoopHook,
 * before any cell runs: only a Deno kernel stops loops, and a Node kernel, which only asks isLoopStop, never makes it.
 */
let loopStop: Error | undefined;
export function loopStopError(): Error {
  return (loopStop ??= Object.freeze(codaErrorObject('Interrupted')));
}

export function isLoopStop(value: unknown): boolean {
  return loopStop !== undefined && value === loopStop;
}

/**
 * Defines LOOP_HOOK on `g`; `running` names the execution an interrupt stops (the running cell's). Returns whether
 * an execution was stopped: one that caught the stop and ended by itself was still interrupted.
 */
export function installLoopHook(g: Record<string, unknown>, running: () => number | undefined): (executionId: number) => boolean {
  // (captured: a cell may replace performance.now)
  const clock = performance;
  const now = clock.now.bind(clock);
  const stop = loopStopError();
  let stopped: number | undefined;
  let lastTurn = { executionId: -1, at: -Infinity };
  const hook = (executionId: number): void => {
    if (executionId === stopped) throw stop;
    lastTurn = { executionId, at: now() };
  };
  Object.defineProperty(hook, 'stop', {
    value: (target: number): boolean => {
      const executionId = running();
      if (executionId === undefined || executionId !== target) return false;
      stopped = executionId;
      return lastTurn.executionId === executionId && now() - lastTurn.at < LOOP_TURN_RECENT_MS;
    },
  });
  Object.defineProperty(g, LOOP_HOOK, { value: hook });
  return (executionId) => executionId === stopped;
}
