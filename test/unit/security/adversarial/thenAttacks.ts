/**
 * Cells that reshape the realm a kernel's replies pass through — a `then` planted on Object.prototype (the issue's
 * example), replaced promise machinery, serialisation hooks — each with the value its cell must still show, and
 * the cell that undoes it. Shared by the Sandbox, Node and Deno adversarial suites; each runner counts attempts
 * and crossings (a value lost, hijacked or pending; a later cell that no longer runs).
 */
import { strict as assert } from 'node:assert';
import type { ExecuteResult } from '../../../../protocol';
import { shownValue as shown, sleep, type TestKernel } from '../../helpers/testKernel';

/** Longest a cell of these attacks may take before it counts as silently pending. */
export const CELL_DEADLINE_MS = 5000;

export interface ThenAttack {
  name: string;
  code: string;
  expected: string;
  cleanup: string;
}

export const THEN_ATTACKS: readonly ThenAttack[] = [
  {
    name: 'the issue: Object.prototype.then = function(){}',
    code: 'Object.prototype.then = function () {}; 41 + 1',
    expected: '42',
    cleanup: 'delete Object.prototype.then',
  },
  {
    name: 'a then that resolves with something else',
    code: 'Object.prototype.then = function (resolve) { resolve("hijacked") }; "mine"',
    expected: 'mine',
    cleanup: 'delete Object.prototype.then',
  },
  {
    name: 'a then getter that throws',
    code: 'Object.defineProperty(Object.prototype, "then", { get() { throw new Error("boom") }, configurable: true }); 43',
    expected: '43',
    cleanup: 'delete Object.prototype.then',
  },
  {
    name: 'a then that rejects',
    code: 'Object.prototype.then = function (_, reject) { reject(new Error("rejected by then")) }; ({ ok: true })',
    expected: '{ ok: true }',
    cleanup: 'delete Object.prototype.then',
  },
  {
    name: 'Array.prototype.then',
    code: 'Array.prototype.then = function (resolve) { resolve("from array") }; [1, 2]',
    expected: '[ 1, 2 ]',
    cleanup: 'delete Array.prototype.then',
  },
  {
    name: 'a polluted then during top-level await',
    code: 'Object.prototype.then = function () {}; await null; "awaited"',
    expected: 'awaited',
    cleanup: 'delete Object.prototype.then',
  },
  {
    name: 'a polluted then and console output',
    code: 'Object.prototype.then = function () {}; console.log({ logged: 1 }); "logged"',
    expected: 'logged',
    cleanup: 'delete Object.prototype.then',
  },
  {
    name: 'Promise.prototype.then replaced',
    code: 'globalThis.__t = Promise.prototype.then; Promise.prototype.then = function () {}; 45',
    expected: '45',
    cleanup: 'Promise.prototype.then = __t',
  },
  {
    name: 'a returned promise with Promise.prototype.then replaced',
    code: 'globalThis.__t = Promise.prototype.then; Promise.prototype.then = function () {}; Promise.resolve(7)',
    expected: 'Promise { 7 }',
    cleanup: 'Promise.prototype.then = __t',
  },
  {
    name: 'Promise[Symbol.species] and constructor replaced',
    code: 'Object.defineProperty(Promise, Symbol.species, { get() { return function (ex) { ex(() => {}, () => {}) } }, configurable: true }); Promise.prototype.constructor = function () {}; 46',
    expected: '46',
    cleanup: 'delete Promise[Symbol.species]; Promise.prototype.constructor = Promise',
  },
  {
    name: 'Object.prototype.toJSON',
    code: 'Object.prototype.toJSON = () => "hijacked"; ({ a: 1 })',
    expected: '{ a: 1 }',
    cleanup: 'delete Object.prototype.toJSON',
  },
  {
    name: 'a throwing Symbol.toPrimitive',
    code: 'Object.prototype[Symbol.toPrimitive] = () => { throw new Error("prim") }; ({ b: 2 })',
    expected: '{ b: 2 }',
    cleanup: 'delete Object.prototype[Symbol.toPrimitive]',
  },
  { name: 'Array.prototype.toJSON', code: 'Array.prototype.toJSON = () => "hijacked"; ["x"]', expected: "[ 'x' ]", cleanup: 'delete Array.prototype.toJSON' },
  { name: 'a thenable as the value', code: '({ then() {} })', expected: '{ then: [Function: then] }', cleanup: '0' },
  // last: it cannot be undone, so every later cell (and the never-settling ones) runs under it
  {
    name: 'a permanent Object.prototype.toJSON',
    code: 'Object.defineProperty(Object.prototype, "toJSON", { value: () => "hijacked" }); ({ c: 3 })',
    expected: '{ c: 3 }',
    cleanup: '0',
  },
];

/** Cells that never settle: they may pend, but an interrupt must stop them and the kernel must go on. */
export const NEVER_SETTLING: readonly { name: string; code: string }[] = [
  { name: 'awaiting a thenable that never settles', code: 'await { then() {} }' },
  { name: 'awaiting a promise that never settles', code: 'await new Promise(() => {})' },
  { name: 'a polluted then and a promise that never settles', code: 'Object.prototype.then = function () {}; await new Promise(() => {})' },
];

/** What the user sees of a cell: its value, `Name: message`, or its status. */
export const outcome = (r: ExecuteResult | 'pending'): string =>
  r === 'pending' ? 'pending' : r.status === 'ok' ? shown(r.value) : r.status === 'error' ? `${r.error.name}: ${r.error.message}` : r.status;

/** Runs a cell; a cell that neither ends nor fails within the deadline reads as 'pending'. */
export async function within(k: TestKernel, code: string): Promise<ExecuteResult | 'pending'> {
  return Promise.race([k.run(code), sleep(CELL_DEADLINE_MS).then(() => 'pending' as const)]);
}

/** Runs every attack on one kernel; returns the crossings (each also fails the calling test at once). */
export async function runThenAttacks(k: TestKernel, count: () => void, crossings: string[]): Promise<void> {
  for (const a of THEN_ATTACKS) {
    count();
    const got = outcome(await within(k, a.code));
    if (got !== a.expected) crossings.push(`${a.name}: ${got}`);
    assert.equal(got, a.expected, `${a.name}: the cell's value was lost`);
    assert.equal(outcome(await within(k, `${a.cleanup}; "clean"`)), 'clean', `${a.name}: the clean-up cell did not run`);
    assert.equal(outcome(await within(k, '6 * 7')), '42', `${a.name}: the next cell failed`);
  }
  for (const { name, code } of NEVER_SETTLING) {
    count();
    const running = k.run(code);
    await sleep(300);
    k.kernel.interrupt();
    const status = outcome(await Promise.race([running, sleep(CELL_DEADLINE_MS).then(() => 'pending' as const)]));
    if (status !== 'interrupted') crossings.push(`${name}: ${status}`);
    assert.equal(status, 'interrupted', `${name}: the interrupt did not stop it`);
    assert.equal(outcome(await within(k, 'delete Object.prototype.then; 1 + 1')), '2', `${name}: the next cell failed`);
  }
}
