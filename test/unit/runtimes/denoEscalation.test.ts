/** When the worker terminates Deno's JavaScript for an interrupt the agent has not taken (worker/sidecar/denoEscalation.ts). */
import { strict as assert } from 'node:assert';
import { denoEscalation, userCodeHolds } from '../../../worker/sidecar/denoEscalation';

const AGENT = 'sidecar-agent.mjs';
const GRACE = 1000;
// stacks as Deno 2.9's inspector reports them for DenoInspector's evaluation (read off a real Deno)
const EVALUATION = 'Error\n    at <anonymous>:1:99\n    at <anonymous>:1:156';
const IDLE = EVALUATION;
const AGENT_ONLY = `${EVALUATION}\n    at flushOutput (file:///ext/dist/${AGENT}:1:2345)\n    at processTicksAndRejections (ext:deno_node/_next_tick.ts:33:15)`;
const MODULE_LOOP = `${EVALUATION}\n    at spin (file:///tmp/dstack/mod.js:1:26)\n    at inEval (__coda_cell_7__.js, <anonymous>:1:20)\n    at file:///tmp/dstack/main.js:4:58`;
const CELL_LOOP = `${EVALUATION}\n    at __coda_cell_3__.js, <anonymous>:1:8`;
const PACKAGE_LOOP = `${EVALUATION}\n    at busy (file:///home/u/.cache/codajs/trees/k/node_modules/lib/index.js:3:9)\n    at Array.forEach (<anonymous>)\n    at file:///ext/dist/${AGENT}:1:99`;
const TIMER = `${EVALUATION}\n    at Timeout._onTimeout (__coda_cell_4__.js, <anonymous>:1:30)\n    at invokeCallback (ext:deno_node/internal/timers.mjs:4:810)\n    at listOnTimeout (ext:core/02_timers.js:307:17)\n    at __processTimers (ext:core/01_core.js:448:21)`;

describe("Deno's interrupt escalation (worker/sidecar/denoEscalation)", () => {
  it('tells user code (a cell, a module, a package) from the evaluation, built-ins, Deno internals and the agent', () => {
    for (const stack of [MODULE_LOOP, CELL_LOOP, PACKAGE_LOOP, TIMER]) assert.equal(userCodeHolds(stack, AGENT), true, stack);
    for (const stack of [IDLE, AGENT_ONLY, '', 'Error']) assert.equal(userCodeHolds(stack, AGENT), false, stack);
  });

  it('terminates at once only when user code holds the thread outside timer callbacks', () => {
    for (const stack of [MODULE_LOOP, CELL_LOOP, PACKAGE_LOOP]) assert.equal(denoEscalation(stack, 40, GRACE, AGENT), 'terminate', stack);
  });

  it('looks again while Deno is idle, in the agent, in timer callbacks or silent: a termination there would end Deno or cut the agent', () => {
    for (const stack of [IDLE, AGENT_ONLY, TIMER, undefined]) {
      for (const waited of [40, 520, 960]) assert.equal(denoEscalation(stack, waited, GRACE, AGENT), 'look again', `${stack} after ${waited} ms`);
    }
  });

  it('terminates past the grace: timer callbacks that never end, or microtasks that never let the event loop turn', () => {
    for (const stack of [IDLE, AGENT_ONLY, TIMER, undefined]) assert.equal(denoEscalation(stack, GRACE, GRACE, AGENT), 'terminate', String(stack));
  });
});
