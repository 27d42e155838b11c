import { strict as assert } from 'node:assert';
import { asKernel, cellHoldsThread, enterExecution, interruptState, leaveExecution, SLOT } from '../../../worker/runtime/interruptState';

describe('interrupt state shared with the watchdog', () => {
  afterEach(() => {
    for (const slot of Object.values(SLOT)) Atomics.store(interruptState, slot, 0);
  });

  it('says a cell holds the thread only while that execution runs and the kernel handles no message', () => {
    assert.equal(cellHoldsThread(interruptState, 7), false, 'nothing running');
    enterExecution(7);
    assert.equal(cellHoldsThread(interruptState, 7), true);
    assert.equal(cellHoldsThread(interruptState, 8), false, 'another execution is not the one asked for');
    asKernel(() => assert.equal(cellHoldsThread(interruptState, 7), false, 'the kernel is answering a request'));
    assert.equal(cellHoldsThread(interruptState, 7), true, 'kernel work ended');
  });

  it('keeps a later execution marked when an earlier one settles late', () => {
    enterExecution(3);
    enterExecution(4);
    leaveExecution(3);
    assert.equal(cellHoldsThread(interruptState, 4), true);
    leaveExecution(4);
    assert.equal(cellHoldsThread(interruptState, 4), false);
  });

  it('counts nested kernel work and undoes it when the work throws', () => {
    enterExecution(1);
    assert.throws(() =>
      asKernel(() =>
        asKernel(() => {
          throw new Error('boom');
        }),
      ),
    );
    assert.equal(Atomics.load(interruptState, SLOT.kernelBusy), 0);
    assert.equal(cellHoldsThread(interruptState, 1), true);
  });

  it('never claims a hold for ids outside the 32-bit range (the watchdog then waits for the answer)', () => {
    enterExecution(2 ** 40);
    assert.equal(cellHoldsThread(interruptState, 2 ** 40), false);
  });
});
