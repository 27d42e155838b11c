/**
 * Promise state read without awaiting in user code: a native `then` is attached once per promise
 * (Promise.prototype.then captured before user code could replace it), and the state is known from
 * the next microtask on. Until then, util.inspect's view of the state is used.
 */
import { inspect } from 'node:util';

export type Settlement = { state: 'pending' } | { state: 'fulfilled' | 'rejected'; value: unknown };

const nativeThen = Promise.prototype.then;
const settled = new WeakMap<Promise<unknown>, Settlement>();

/**
 * Starts tracking a promise (a native `then`, which counts as a handler: Node no longer reports its rejection). Only
 * for promises the kernel answers for: a cell's result (NodeRuntime.followResult reports its rejection) and one being
 * expanded (its rejection, if any, was reported when it happened). Previews never track.
 */
export function trackPromise(p: Promise<unknown>): void {
  if (settled.has(p)) return;
  settled.set(p, { state: 'pending' });
  nativeThen.call(
    p,
    (value) => settled.set(p, { state: 'fulfilled', value }),
    (value: unknown) => settled.set(p, { state: 'rejected', value }),
  );
}

/** True once the native `then` attached by trackPromise has seen the promise settle. */
export function isTracked(p: Promise<unknown>): boolean {
  return settled.get(p)?.state !== undefined && settled.get(p)!.state !== 'pending';
}

export function promiseSettlement(p: Promise<unknown>): Settlement {
  const known = settled.get(p);
  if (known && known.state !== 'pending') return known;
  const text = inspect(p, { depth: 0, customInspect: false });
  if (text.includes('<pending>')) return { state: 'pending' };
  // settled before tracking saw it: state from inspect, value unknown until the next microtask
  return { state: text.includes('<rejected>') ? 'rejected' : 'fulfilled', value: undefined };
}

/** Tracks a promise and waits two microtask turns, after which an already settled promise's state is known. */
export async function settledSoon(p: Promise<unknown>): Promise<void> {
  trackPromise(p);
  await null;
  await null;
}
