import { strict as assert } from 'node:assert';
import type { KernelExit } from '../../../host/kernel/Kernel';
import { brokenImmediates } from '../../../worker/node/processGuards';
import { startKernel } from '../helpers/testKernel';

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

describe('a Node kernel whose own error handling a cell broke', function () {
  this.timeout(30_000);

  it('ends with words that say what most likely happened, not only exit code 7', async () => {
    const k = await startKernel();
    try {
      const exit = new Promise<KernelExit>((r) => k.kernel.onExit(r));
      // the kernel's handler of the error that follows iterates an array: it throws too, and Node ends the process (7)
      // (the cell's run fails with the same words when the process ends before it answers)
      const run = await k
        .run("Array.prototype[Symbol.iterator] = function () { throw new Error('replaced') }; setTimeout(() => { throw new Error('late') })")
        .then(
          () => '',
          (err: Error) => err.message,
        );
      const e = await exit;
      if (run) assert.match(run, /The kernel crashed: its own error handling failed/);
      assert.equal(e.code, 7);
      assert.match(e.reason, /^crashed: its own error handling failed \(exit code 7\), most likely because a cell replaced a built-in/);
    } finally {
      await k.kernel.dispose();
    }
  });
});
