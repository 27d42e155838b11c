/**
 * A worker's exit is told only once the frames it sent before it are read (host/kernel/afterLastFrame.ts): Node may
 * report the exit before the last messages of its channel, and the channel closes with the exit.
 */
import { strict as assert } from 'node:assert';
import { EventEmitter } from 'node:events';
import { afterLastFrame } from '../../../host/kernel/afterLastFrame';

class FakeChild extends EventEmitter {
  connected = true;
  disconnect(): void {
    this.connected = false;
    this.emit('disconnect');
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a worker exit waits for its last frames', () => {
  it('at once when the channel is already closed', () => {
    const child = new FakeChild();
    child.connected = false;
    let told = 0;
    afterLastFrame(child as never, () => told++);
    assert.equal(told, 1);
  });

  it("when the channel ends: a frame read between the exit and the channel's end comes first, and the exit is told once", async () => {
    const child = new FakeChild();
    const order: string[] = [];
    afterLastFrame(child as never, () => order.push('exit told'), 1000);
    order.push('final frame');
    assert.deepEqual(order, ['final frame']);
    child.disconnect();
    child.emit('disconnect');
    await sleep(20);
    assert.deepEqual(order, ['final frame', 'exit told']);
    assert.equal(child.listenerCount('disconnect'), 0);
  });

  it('after the grace when something else holds the channel open', async () => {
    const child = new FakeChild();
    let told = 0;
    afterLastFrame(child as never, () => told++, 30);
    await sleep(10);
    assert.equal(told, 0);
    await sleep(60);
    assert.equal(told, 1);
    child.disconnect();
    assert.equal(told, 1);
  });
});
