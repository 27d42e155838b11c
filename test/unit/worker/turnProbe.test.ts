import { strict as assert } from 'node:assert';
import { turnProbe } from '../../../worker/sidecar/turnProbe';

/** The Deno agent's turn probe: a loop of microtasks never lets its timer fire; one turn of the event loop does. */
describe('turn probe (Deno loops of awaits told from an idle Deno)', () => {
  it('reports no turn while microtasks hold the thread, and a turn once the event loop ran', async () => {
    assert.equal(turnProbe(true), false, 'arming forgets earlier turns');
    let seenInLoop: boolean | undefined;
    // a loop of awaits, bounded: 20 ms of microtasks only
    await (async () => {
      const end = performance.now() + 20;
      while (performance.now() < end) await null;
      seenInLoop = turnProbe(false);
    })();
    assert.equal(seenInLoop, false, 'no timer fires while microtasks run');
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(turnProbe(false), true, 'the event loop turned');
    assert.equal(turnProbe(true), false, 'armed again');
  });
});
