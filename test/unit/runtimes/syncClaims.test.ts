/**
 * The claims on a Deno cell's synchronous part (worker/sidecar/SyncClaims.ts, the worker's half;
 * worker/sidecar/agentSyncPart.ts, the agent's): exactly one side gets each part, whatever the order.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SyncPartFrame } from '../../../protocol/sidecar';
import { CLAIMED_WAIT_MS, agentSyncPart } from '../../../worker/sidecar/agentSyncPart';
import { SyncClaims } from '../../../worker/sidecar/SyncClaims';

/** An agent half over the worker's folder, with a clock that moves `step` ms per reading and counts its readings. */
function agentOf(claims: SyncClaims, ownTurn = () => true, step = 100) {
  const frames: SyncPartFrame[] = [];
  let t = 0;
  let readings = 0;
  const now = () => (readings++, (t += step));
  const hooks = agentSyncPart(claims.dir, ownTurn, (f) => (frames.push(f), claims.started(f.executionId)), now);
  return { hooks, frames, readings: () => readings };
}

describe("claims on a Deno cell's synchronous part (SyncClaims, agentSyncPart)", () => {
  let claims: SyncClaims;
  beforeEach(() => (claims = SyncClaims.create()!));
  afterEach(() => claims.dispose());

  it('the worker gets no claim on a part the agent has not announced (not started, or another execution)', () => {
    assert.equal(claims.claim(1), 'unannounced');
    const agent = agentOf(claims);
    agent.hooks.enter(2);
    assert.equal(claims.claim(1), 'unannounced', 'another execution');
    assert.equal(claims.claim(3), 'unannounced', 'a later execution');
    assert.deepEqual(readdirSync(claims.dir), [], 'nothing claimed');
  });

  it('the agent that ends its part first holds it: the worker gets no claim, and the agent never waits', () => {
    const agent = agentOf(claims);
    agent.hooks.enter(4);
    assert.deepEqual(agent.frames, [{ kind: 'sync', executionId: 4 }]);
    agent.hooks.leave(4);
    assert.equal(agent.readings(), 0, 'no wait');
    assert.equal(claims.claim(4), 'ended');
  });

  it('the worker that claims first holds it: its termination is on the way, and the agent waits for it inside its macrotask', () => {
    const agent = agentOf(claims);
    agent.hooks.enter(5);
    assert.equal(claims.claim(5), 'claimed');
    assert.equal(claims.claim(5), 'ended', 'a second interrupt of the same part gets no second claim');
    agent.hooks.leave(5);
    // the clock moves 100 ms a reading: the wait read it until CLAIMED_WAIT_MS had passed (no termination came here)
    assert.equal(agent.readings(), CLAIMED_WAIT_MS / 100 + 1);
  });

  it('announces nothing outside its own macrotask (a timer, where a termination ends Deno)', () => {
    const agent = agentOf(claims, () => false);
    agent.hooks.enter(6);
    assert.deepEqual(agent.frames, []);
    assert.equal(claims.claim(6), 'unannounced');
    agent.hooks.leave(6);
    assert.deepEqual(readdirSync(claims.dir), []);
  });

  it('a part that threw or returned is left the same way; a settled execution’s claim is removed', async () => {
    const agent = agentOf(claims);
    agent.hooks.enter(7);
    agent.hooks.leave(7);
    assert.ok(existsSync(join(claims.dir, '7')));
    claims.settled(7);
    for (let i = 0; i < 50 && existsSync(join(claims.dir, '7')); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(existsSync(join(claims.dir, '7')), false);
    assert.equal(claims.claim(7), 'unannounced', 'settled: no longer announced');
  });

  it('a folder that is gone stops the announcements: the worker never claims a part the agent could not claim too', () => {
    const agent = agentOf(claims);
    agent.hooks.enter(8);
    rmSync(claims.dir, { recursive: true });
    agent.hooks.leave(8);
    assert.equal(agent.readings(), 0, 'no wait: nobody holds the claim');
    agent.hooks.enter(9);
    assert.deepEqual(agent.frames, [{ kind: 'sync', executionId: 8 }], 'execution 9 is not announced');
    assert.equal(claims.claim(9), 'unannounced');
  });

  it('a part user code claimed in advance (made the folder) only delays the agent, and the worker gets no claim', () => {
    const agent = agentOf(claims);
    mkdirSync(join(claims.dir, '10'));
    agent.hooks.enter(10);
    assert.equal(claims.claim(10), 'ended', 'the folder is there: the worker terminates nothing');
    agent.hooks.leave(10);
    assert.equal(agent.readings(), CLAIMED_WAIT_MS / 100 + 1, 'the agent waited its bounded time, then went on');
    agent.hooks.enter(11);
    assert.deepEqual(agent.frames.at(-1), { kind: 'sync', executionId: 11 }, 'later parts are still announced');
  });

  it('dispose removes the folder and every claim in it', () => {
    const agent = agentOf(claims);
    agent.hooks.enter(12);
    agent.hooks.leave(12);
    claims.dispose();
    assert.equal(existsSync(claims.dir), false);
  });
});
