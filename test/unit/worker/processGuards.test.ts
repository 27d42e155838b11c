import { strict as assert } from 'node:assert';
import { brokenImmediates } from '../../../worker/node/processGuards';

describe("process guards: Node's queue of immediates broken", () => {
  it("recognises the error Node's own processImmediate throws first, and nothing else", () => {
    const node = new TypeError("Cannot read properties of undefined (reading '_idleNext')");
    node.stack = `TypeError: Cannot read properties of undefined (reading '_idleNext')\n    at process.processImmediate (node:internal/timers:466:47)`;
    assert.equal(brokenImmediates(node), true);
    // a cell's own error thrown in an immediate callback: its frame comes first
    const user = new TypeError('x is not a function');
    user.stack =
      'TypeError: x is not a function\n    at Immediate.<anonymous> (/tmp/__coda_cell_3__.js:1:40)\n    at process.processImmediate (node:internal/timers:483:21)';
    assert.equal(brokenImmediates(user), false);
    // another kind of error, a non-error, and a thrown object whose stack getter throws
    const range = new RangeError('r');
    range.stack = 'RangeError: r\n    at process.processImmediate (node:internal/timers:466:47)';
    assert.equal(brokenImmediates(range), false);
    assert.equal(brokenImmediates('TypeError: at processImmediate'), false);
    assert.equal(brokenImmediates(undefined), false);
    const hostile = {
      get stack(): string {
        throw new Error('no');
      },
    };
    assert.equal(brokenImmediates(hostile), false);
  });
});
