/**
 * SettleWatch (worker/node/SettleWatch.ts): promises watched through the runtime's settle hook, with no handler of the
 * watch's, the sensor on only while one is pending, and a time after which the watchers take over. The kernel's use of
 * it (a handled rejection is no error, an unhandled one is the cell's) is in the conformance suite.
 */
import { strict as assert } from 'node:assert';
import { pollSensor, SettleWatch, type PromiseStatus, type SettleSensor, type Unhandled } from '../../../worker/node/SettleWatch';

const nextImmediate = () => new Promise((r) => setImmediate(r));

/** A sensor driven by the test: `fire(p)` is a promise settling. */
function fakeHook() {
  const state = { installs: 0, stops: 0, listener: undefined as ((p: Promise<unknown>) => void) | undefined };
  const hook: SettleSensor = (fn) => {
    state.installs++;
    state.listener = fn;
    return () => {
      state.stops++;
      state.listener = undefined;
    };
  };
  return { state, hook, fire: (p: Promise<unknown>) => state.listener?.(p) };
}

/**
 * Makes `listener` the process's only `unhandledRejection` listener (mocha's own would fail the test) until the
 * returned function puts the others back.
 */
function onlyUnhandledListener(listener: (reason: unknown, promise: Promise<unknown>) => void): () => void {
  const theirs = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', listener);
  return () => {
    process.off('unhandledRejection', listener);
    for (const l of theirs) process.on('unhandledRejection', l);
  };
}

describe('SettleWatch', () => {
  it('tells each watcher once the promise settled, after an immediate, and turns the hook off when none is left', async () => {
    const { state, hook, fire } = fakeHook();
    const w = new SettleWatch(60_000, hook);
    const p1 = new Promise(() => undefined);
    const p2 = new Promise(() => undefined);
    const seen: string[] = [];
    assert.equal(
      w.watch(
        p1,
        () => seen.push('p1 a'),
        () => seen.push('p1 a timed out'),
      ),
      true,
    );
    assert.equal(
      w.watch(
        p1,
        () => seen.push('p1 b'),
        () => seen.push('p1 b timed out'),
      ),
      true,
    );
    w.watch(
      p2,
      () => seen.push('p2'),
      () => seen.push('p2 timed out'),
    );
    assert.equal(state.installs, 1, 'one hook for all');
    fire(new Promise(() => undefined));
    fire(p1);
    assert.deepEqual(seen, [], 'nothing in the hook itself');
    await nextImmediate();
    assert.deepEqual(seen, ['p1 a', 'p1 b']);
    assert.equal(state.stops, 0, 'p2 is still watched');
    fire(p1);
    fire(p2);
    await nextImmediate();
    assert.deepEqual(seen, ['p1 a', 'p1 b', 'p2'], 'each promise told once');
    assert.deepEqual([state.installs, state.stops], [1, 1]);
    // watched again later: the hook comes back
    w.watch(
      p2,
      () => undefined,
      () => undefined,
    );
    assert.equal(state.installs, 2);
    w.dispose();
    assert.equal(state.stops, 2);
  });

  it('hands a promise still pending after its time to every watcher, and turns the hook off', async () => {
    const { state, hook, fire } = fakeHook();
    const w = new SettleWatch(20, hook);
    const p = new Promise(() => undefined);
    const seen: string[] = [];
    w.watch(
      p,
      () => seen.push('settled'),
      () => seen.push('timed out a'),
    );
    w.watch(
      p,
      () => seen.push('settled'),
      () => seen.push('timed out b'),
    );
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(seen, ['timed out a', 'timed out b']);
    assert.deepEqual([state.installs, state.stops], [1, 1]);
    fire(p);
    await nextImmediate();
    assert.deepEqual(seen, ['timed out a', 'timed out b'], 'nothing after the time ran out');
  });

  it("with the runtime's own hook: sees a rejection the program handled without handling it itself", async () => {
    const w = new SettleWatch();
    let reject!: (e: Error) => void;
    const p = new Promise<never>((_, no) => (reject = no));
    const handled: string[] = [];
    void p.catch((e: Error) => handled.push(e.message));
    const settled = new Promise<Unhandled | undefined>((resolve) =>
      assert.equal(
        w.watch(p, resolve, () => undefined),
        true,
      ),
    );
    reject(new Error('handled by the program'));
    assert.equal(await settled, undefined, 'the check found nothing unhandled');
    assert.deepEqual(handled, ['handled by the program']);
    w.dispose();
  });

  it("leaves a rejection nobody handled to the runtime's own check, which comes first", async () => {
    const w = new SettleWatch();
    const order: string[] = [];
    // as the kernel's own listener does (NodeRuntime onUncaught): the watch records what the check found
    const mine = (reason: unknown, promise: Promise<unknown>) => {
      order.push(promise === p ? 'unhandled' : 'another');
      assert.equal(w.unhandled(promise, reason), promise === p);
    };
    const restore = onlyUnhandledListener(mine);
    let reject!: (e: Error) => void;
    const p = new Promise<never>((_, no) => (reject = no));
    try {
      const settled = new Promise<Unhandled | undefined>((resolve) =>
        w.watch(
          p,
          (unhandled) => resolve((order.push('settled'), unhandled)),
          () => undefined,
        ),
      );
      reject(new Error('nobody'));
      const found = await settled;
      assert.deepEqual(order, ['unhandled', 'settled']);
      assert.equal((found?.reason as Error | undefined)?.message, 'nobody', "the watcher gets what the runtime's check found");
    } finally {
      restore();
      w.dispose();
    }
  });
});

describe('SettleWatch.checked (a promise already settled)', () => {
  it("tells what the runtime's check found: the rejection only when nothing handled it", async () => {
    const w = new SettleWatch();
    const restore = onlyUnhandledListener((reason, promise) => w.unhandled(promise, reason));
    try {
      const left = Promise.reject(new Error('left'));
      const taken = Promise.reject(new Error('taken'));
      taken.catch(() => undefined);
      const [l, t] = await Promise.all([w.checked(left), w.checked(taken)]);
      assert.equal((l?.reason as Error | undefined)?.message, 'left');
      assert.equal(t, undefined);
      assert.equal(w.unhandled(left, 'later'), false, 'no longer checked once checked() answered');
    } finally {
      restore();
    }
  });
});

describe('SettleWatch with a polling sensor (Bun: Bun.peek.status)', () => {
  it('reads the watched promises only, tells each once it settled, and stops polling when none is left', async () => {
    const states = new Map<Promise<unknown>, 'pending' | 'fulfilled' | 'rejected'>();
    const asked: Promise<unknown>[] = [];
    const status: PromiseStatus = (p) => {
      asked.push(p);
      return states.get(p) ?? 'pending';
    };
    const w = new SettleWatch(60_000, pollSensor(status, 5));
    const a = new Promise(() => undefined);
    const b = new Promise(() => undefined);
    const seen: string[] = [];
    w.watch(
      a,
      () => seen.push('a'),
      () => seen.push('a timed out'),
    );
    w.watch(
      b,
      () => seen.push('b'),
      () => seen.push('b timed out'),
    );
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(seen, []);
    assert.ok(asked.includes(a) && asked.includes(b));
    states.set(a, 'rejected');
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(seen, ['a']);
    states.set(b, 'fulfilled');
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(seen, ['a', 'b']);
    asked.length = 0;
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(asked, [], 'no polling once nothing is watched');
  });
});
