/**
 * Whether Deno's event loop turns: the worker tells a loop of awaits (which shows no JavaScript frame on the stack)
 * from an idle Deno by arming a timer of its own here and asking, a couple of milliseconds later, whether it fired.
 * A timer fires once the event loop turns; a loop of microtasks never lets it (SidecarRuntime.stopHeldThread).
 */

/** The global the worker's Runtime.evaluate calls by name: non-writable and non-configurable, as the interrupt gate. */
export const TURN_PROBE_NAME = '__codaTurnProbe__';

// captured when the agent loads: the kernel's timer wrappers (Pending Work) never see the probe's timer
const realSetTimeout = setTimeout;

let turned = true;

/** `arm`: forgets earlier turns and arms the timer (returns false); otherwise whether the loop turned since. */
export function turnProbe(arm: boolean): boolean {
  if (!arm) return turned;
  turned = false;
  realSetTimeout(() => {
    turned = true;
  }, 0);
  return false;
}

export function installTurnProbe(): void {
  if (Object.getOwnPropertyDescriptor(globalThis, TURN_PROBE_NAME)) return;
  Object.defineProperty(globalThis, TURN_PROBE_NAME, { value: turnProbe, writable: false, configurable: false, enumerable: false });
}
