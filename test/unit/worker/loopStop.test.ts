/** The stop of a Deno cell's loops of awaits (worker/runtime/loopStop.ts) reaches the execution it was sent for, none other. */
import { strict as assert } from 'node:assert';
import { installLoopHook, LOOP_HOOK, LOOP_TURN_RECENT_MS, loopStopError, stopLoops } from '../../../worker/runtime/loopStop';

type Hook = ((executionId: number) => void) & { stop(target: number): boolean };

describe('stopping loops of awaits (worker/runtime/loopStop)', () => {
  let running: number | undefined;
  let g: Record<string, unknown>;
  let stopped: (executionId: number) => boolean;
  /** The hook's clock (it captures performance.now when installed): time passes only when a test says so. */
  let now: number;
  const hook = () => g[LOOP_HOOK] as Hook;
  /** What the inspector evaluates, run against `g` as Deno's global. */
  const evaluate = (expression: string) => new Function('globalThis', `return ${expression}`)(g) as boolean;
  beforeEach(() => {
    running = undefined;
    g = {};
    now = 1000;
    const real = Object.getOwnPropertyDescriptor(performance, 'now');
    Object.defineProperty(performance, 'now', { value: () => now, configurable: true, writable: true });
    try {
      stopped = installLoopHook(g, () => running);
    } finally {
      if (real) Object.defineProperty(performance, 'now', real);
      else delete (performance as { now?: unknown }).now;
    }
  });

  it('stops the running execution it names: its next turn throws the stop, and it is reported stopped', () => {
    running = 3;
    hook()(3);
    now += LOOP_TURN_RECENT_MS - 1;
    assert.equal(evaluate(stopLoops(3)), true, 'a loop that just turned is reached by the stop');
    assert.throws(
      () => hook()(3),
      (err) => err === loopStopError(),
    );
    assert.equal(stopped(3), true);
  });

  it('a loop that has not turned lately is still stopped, but its stop is not counted on to end it', () => {
    running = 3;
    hook()(3);
    now += LOOP_TURN_RECENT_MS;
    assert.equal(evaluate(stopLoops(3)), false);
    assert.throws(
      () => hook()(3),
      (err) => err === loopStopError(),
    );
    assert.equal(stopped(3), true);
  });

  it('stops nothing when another execution runs by the time the stop lands (the interrupted cell ended, the next began)', () => {
    running = 4;
    hook()(4);
    assert.equal(evaluate(stopLoops(3)), false);
    assert.doesNotThrow(() => hook()(4));
    assert.equal(stopped(4), false);
    assert.equal(stopped(3), false);
  });

  it('stops nothing when no execution runs', () => {
    assert.equal(evaluate(stopLoops(3)), false);
    assert.equal(stopped(3), false);
  });
});
