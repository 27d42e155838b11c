/**
 * The pending-work registry on Node and Deno (the sidecar agent runs the same NodeRuntime): each timer, server,
 * socket and fetch a cell started is an item with its kind, a description and the cell line that created it, and
 * cancelling one stops that work alone without restarting the kernel.
 */
import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import type { WorkItem } from '../../../protocol';
import { kernelOn, sleep, startKernel, type TestKernel } from '../helpers/testKernel';
import { skipWithoutSandbox, startSandbox } from '../helpers/sandboxKernel';

/** Whether something accepts connections on the port (a closed server refuses them). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function itemWhere(k: TestKernel, pred: (i: WorkItem) => boolean): Promise<WorkItem> {
  const { items } = await k.kernel.pendingWork();
  const found = items.find(pred);
  assert.ok(found, `a matching item among ${JSON.stringify(items.map((i) => i.description))}`);
  return found;
}

for (const runtime of ['node', 'deno'] as const) {
  describe(`pending work (${runtime})`, function () {
    this.timeout(30_000);
    let k: TestKernel;
    before(async function () {
      k = await kernelOn(this, runtime);
    });
    after(async () => k?.kernel.dispose());

    it('lists an interval with its cell line; cancelling it stops it and keeps the kernel', async () => {
      await k.value('var ticks = 0;\nvar ticker = setInterval(() => ticks++, 20);\n0');
      const item = await itemWhere(k, (i) => i.kind === 'interval');
      assert.equal(item.description, 'setInterval 20 ms');
      assert.equal(item.location?.line, 2);
      assert.equal(item.location?.cellId, item.cellId);
      assert.ok(item.cancellable);
      await sleep(100);
      assert.equal(await k.kernel.cancelWork(item.id), true);
      const stopped = Number(await k.value('ticks'));
      await sleep(150);
      assert.equal(Number(await k.value('ticks')), stopped, 'no tick after the cancel');
      assert.ok(stopped > 0);
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.kind === 'interval').length, 0);
      assert.equal(await k.kernel.cancelWork(item.id), false, 'a second cancel finds nothing');
    });

    it('lists an http server by its port; closing it there frees the port', async () => {
      await k.value(
        [
          "var { createServer } = require('node:http');",
          'var server = createServer((req, res) => res.end("ok"));',
          'await new Promise((r) => server.listen(0, "127.0.0.1", r));',
          'var port = server.address().port;',
          '0',
        ].join('\n'),
      );
      const port = Number(await k.value('port'));
      assert.ok(await accepts(port), 'the server accepts connections');
      const item = await itemWhere(k, (i) => i.kind === 'server');
      assert.equal(item.description, `http server :${port}`);
      assert.equal(item.location?.line, 3);
      assert.equal(await k.kernel.cancelWork(item.id), true);
      await sleep(200);
      assert.equal(await accepts(port), false, 'the port is free');
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.kind === 'server').length, 0);
      assert.equal(await k.value('typeof server'), 'object', 'the kernel kept its state');
    });

    it('lists a child process; cancelling it kills that process', async () => {
      await k.value("var cp = require('node:child_process');\nvar child = cp.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);\n0");
      const item = await itemWhere(k, (i) => i.kind === 'child-process');
      assert.match(item.description, /^child process .+ \(pid \d+\)$/);
      assert.equal(item.location?.line, 2);
      assert.equal(await k.kernel.cancelWork(item.id), true);
      await sleep(300);
      assert.equal(await k.value('child.signalCode'), 'SIGTERM');
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.kind === 'child-process').length, 0);
    });

    it('lists a client socket until it closes, and a fetch in flight until cancelled', async () => {
      await k.value(
        [
          "var net = require('node:net');",
          'var hold = net.createServer(() => {});',
          'await new Promise((r) => hold.listen(0, "127.0.0.1", r));',
          'var client = net.connect(hold.address().port, "127.0.0.1");',
          'var slow = require("node:http").createServer(() => {});',
          'await new Promise((r) => slow.listen(0, "127.0.0.1", r));',
          'var fetched = fetch(`http://127.0.0.1:${slow.address().port}/never`).catch((e) => e.name);',
          '0',
        ].join('\n'),
      );
      await sleep(100);
      const socket = await itemWhere(k, (i) => i.kind === 'socket' && i.location?.line === 4);
      assert.match(socket.description, /^socket 127\.0\.0\.1:\d+$/);
      const request = await itemWhere(k, (i) => i.kind === 'fetch');
      assert.match(request.description, /^fetch GET http:\/\/127\.0\.0\.1:\d+\/never$/);
      assert.equal(request.location?.line, 7);
      assert.equal(await k.kernel.cancelWork(request.id), true);
      assert.equal(await k.value('await fetched'), 'AbortError');
      assert.equal(await k.kernel.cancelWork(socket.id), true);
      await k.value('hold.close(); slow.close(); 0');
    });
  });
}

describe('pending work: secrets', function () {
  this.timeout(30_000);
  it('masks a secret in a description (a token in a fetch URL) and survives a cell that breaks stack formatting', async () => {
    const secret = 'tok-3a9f-very-secret';
    const k = await startKernel({ init: { env: { API_TOKEN: secret }, maskedValues: [secret] } });
    try {
      await k.value(
        [
          'var slow = require("node:http").createServer(() => {});',
          'await new Promise((r) => slow.listen(0, "127.0.0.1", r));',
          'Error.prepareStackTrace = () => { throw new Error("no stacks today") };',
          'var pending = fetch(`http://127.0.0.1:${slow.address().port}/?token=${process.env.API_TOKEN}`).catch(() => 0);',
          '0',
        ].join('\n'),
      );
      const { items } = await k.kernel.pendingWork();
      const request = items.find((i) => i.kind === 'fetch');
      assert.ok(request, JSON.stringify(items));
      assert.ok(!JSON.stringify(items).includes(secret), JSON.stringify(items));
      assert.match(request.description, /token=•+/);
      await k.value('Error.prepareStackTrace = undefined; slow.closeAllConnections(); slow.close(); 0');
    } finally {
      await k.kernel.dispose();
    }
  });
});

describe('pending work (sandbox)', function () {
  this.timeout(30_000);
  let k: TestKernel;
  before(async function () {
    skipWithoutSandbox(this);
    k = await startSandbox();
  });
  after(async () => k?.kernel.dispose());

  it('lists the timers the host bridges, with their cell line; cancelling one stops it', async () => {
    await k.value('var ticks = 0;\n\nvar ticker = setInterval(() => ticks++, 20);\n0');
    const { items } = await k.kernel.pendingWork();
    const item = items.find((i) => i.kind === 'interval');
    assert.ok(item, JSON.stringify(items));
    assert.equal(item.description, 'setInterval 20 ms');
    assert.equal(item.location?.line, 3);
    await sleep(100);
    assert.equal(await k.kernel.cancelWork(item.id), true);
    const stopped = Number(await k.value('ticks'));
    await sleep(150);
    assert.equal(Number(await k.value('ticks')), stopped);
    assert.equal((await k.kernel.pendingWork()).items.length, 0);
  });
});
