/**
 * The pending-work registry on Node, Deno and Bun (the sidecar agent runs the same NodeRuntime): each timer, server,
 * socket and fetch a cell started, the servers of Deno's and Bun's own APIs, and the top-level await a cell is stopped
 * at, is an item with its kind, a description and the cell line that created it, and cancelling one stops that work
 * alone without restarting the kernel.
 */
import { strict as assert } from 'node:assert';
import { connect, createServer } from 'node:net';
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

/** Whether this process can listen on the port (it cannot while a server in the kernel holds it). */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The first item the kernel lists that matches, asking again for up to 3 s (a cell reaches its await a moment later). */
async function eventually(k: TestKernel, pred: (i: WorkItem) => boolean): Promise<WorkItem> {
  let items: WorkItem[] = [];
  for (const end = Date.now() + 3000; Date.now() < end; await sleep(50)) {
    items = (await k.kernel.pendingWork()).items;
    const found = items.find(pred);
    if (found) return found;
  }
  assert.fail(`no matching item among ${JSON.stringify(items.map((i) => i.description))}`);
}

async function itemWhere(k: TestKernel, pred: (i: WorkItem) => boolean): Promise<WorkItem> {
  const { items } = await k.kernel.pendingWork();
  const found = items.find(pred);
  assert.ok(found, `a matching item among ${JSON.stringify(items.map((i) => i.description))}`);
  return found;
}

for (const runtime of ['node', 'deno', 'bun'] as const) {
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
      assert.equal(await bindable(port), false, 'the kernel holds the port');
      assert.equal(await k.kernel.cancelWork(item.id), true);
      await sleep(200);
      assert.equal(await accepts(port), false, 'the server is closed');
      assert.ok(await bindable(port), 'the port is free: this process listens on it');
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.kind === 'server').length, 0);
      assert.equal(await k.value('typeof server'), 'object', 'the kernel kept its state');
    });

    it('lists a child process; cancelling it kills that process', async () => {
      await k.value("var cp = require('node:child_process');\nvar child = cp.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);\n0");
      const item = await itemWhere(k, (i) => i.kind === 'child-process');
      assert.match(item.description, /^child process .+ \(pid \d+\)$/);
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.kind === 'child-process').length, 1, 'listed once');
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

    it('lists the top-level await a cell is stopped at; Cancel ends the cell with an AbortError there, kernel kept', async () => {
      const running = k.run('var kept = "yes";\nvar hang = new Promise(() => {});\nawait hang;\n"never"');
      const item = await eventually(k, (i) => i.kind === 'await');
      assert.equal(item.description, 'await hang');
      assert.equal(item.location?.line, 3);
      assert.equal(item.location?.cellId, item.cellId);
      assert.ok(item.cancellable);
      assert.equal(await k.kernel.cancelWork(item.id), true);
      const result = await running;
      assert.equal(result.status, 'error');
      assert.ok(result.status === 'error');
      assert.equal(result.error.name, 'AbortError');
      assert.match(result.error.message, /await hang was cancelled/);
      assert.equal(result.error.location?.line, 3, 'the failure points at the await');
      assert.equal(await k.value('kept'), 'yes', 'the kernel kept its state');
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.kind === 'await').length, 0);
      assert.equal(await k.kernel.cancelWork(item.id), false, 'a second cancel finds nothing');
    });

    it('lists `await somethingSlow()` at its line; a cell that catches the cancel goes on', async () => {
      const running = k.run(
        [
          'async function somethingSlow() { await new Promise((r) => { slowTimer = setTimeout(r, 60000) }); return "done" }',
          'var slowTimer, outcome;',
          'try {',
          '  outcome = await somethingSlow();',
          '} catch (e) {',
          '  outcome = e.name;',
          '}',
          'clearTimeout(slowTimer);',
          'outcome',
        ].join('\n'),
      );
      const item = await eventually(k, (i) => i.kind === 'await');
      assert.equal(item.description, 'await somethingSlow()');
      assert.equal(item.location?.line, 4);
      // an await inside a function is not listed: the top-level await that waits for it is
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.kind === 'await').length, 1);
      assert.equal(await k.kernel.cancelWork(item.id), true);
      const result = await running;
      assert.equal(result.status, 'ok');
      assert.equal(result.status === 'ok' && result.value?.type === 'string' && result.value.value, 'AbortError');
    });

    it('lists nothing for an await of a settled promise or a plain value', async () => {
      assert.equal(await k.value('var done = await Promise.resolve(7);\nvar same = await 8;\ndone + same'), '15');
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.kind === 'await').length, 0);
    });

    it('awaits as before in a cell that planted a then on Object.prototype', async () => {
      await k.value('var early = Promise.resolve({ kept: true }); 0');
      const shown = await k.value(
        'Object.prototype.then = function (resolve) { resolve("hijacked") };\nvar got = await early;\ndelete Object.prototype.then;\ngot.kept',
      );
      assert.equal(shown, 'true');
    });

    if (runtime === 'node') return;
    const own = runtime === 'deno' ? 'Deno' : 'Bun';
    const serve =
      runtime === 'deno'
        ? 'var own = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, () => new Response("ok"));\nvar ownPort = own.addr.port;\nownPort'
        : 'var own = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("ok") });\nvar ownPort = own.port;\nownPort';
    const listen =
      runtime === 'deno'
        ? 'var lsn = Deno.listen({ hostname: "127.0.0.1", port: 0 });\nvar lsnPort = lsn.addr.port;\nlsnPort'
        : 'var lsn = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });\nvar lsnPort = lsn.port;\nlsnPort';

    it(`lists a ${own}.serve server by its port; Cancel shuts it down and the port can be bound again`, async () => {
      const port = Number(await k.value(serve));
      assert.ok(await accepts(port), 'the server accepts connections');
      assert.equal(await bindable(port), false, 'the kernel holds the port');
      const item = await itemWhere(k, (i) => i.kind === 'server');
      assert.equal(item.description, `${own}.serve :${port}`);
      assert.equal(item.location?.line, 1);
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.kind === 'server').length, 1, 'listed once');
      assert.equal(await k.kernel.cancelWork(item.id), true);
      await sleep(300);
      assert.ok(await bindable(port), 'the port is free: this process listens on it');
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.kind === 'server').length, 0);
      assert.equal(await k.value('typeof own'), 'object', 'the kernel kept its state');
    });

    it(`lists a process ${own} started itself; Cancel ends it with SIGTERM`, async () => {
      await k.value(runtime === 'deno' ? 'var proc = new Deno.Command("sleep", { args: ["60"] }).spawn();\n0' : 'var proc = Bun.spawn(["sleep", "60"]);\n0');
      const item = await itemWhere(k, (i) => i.kind === 'child-process');
      assert.match(item.description, runtime === 'deno' ? /^Deno\.Command \(pid \d+\)$/ : /^Bun\.spawn sleep \(pid \d+\)$/);
      assert.equal(item.location?.line, 1);
      assert.equal(await k.kernel.cancelWork(item.id), true);
      const signal = await k.value(runtime === 'deno' ? '(await proc.status).signal' : 'await proc.exited; proc.signalCode');
      assert.equal(signal, 'SIGTERM');
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.kind === 'child-process').length, 0);
    });

    it(`lists a ${own}.listen listener; Cancel closes it, and one the cell closes itself leaves the list`, async () => {
      const port = Number(await k.value(listen));
      const item = await itemWhere(k, (i) => i.kind === 'server');
      assert.equal(item.description, `${own}.listen :${port}`);
      assert.equal(item.location?.line, 1);
      assert.equal(await bindable(port), false, 'the kernel holds the port');
      assert.equal(await k.kernel.cancelWork(item.id), true);
      await sleep(200);
      assert.ok(await bindable(port), 'the port is free');
      await k.value(listen);
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.kind === 'server').length, 1);
      await k.value(runtime === 'deno' ? 'lsn.close(); 0' : 'lsn.stop(true); 0');
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.kind === 'server').length, 0, 'closed by the cell');
    });

    it(`lists a ${own}.connect socket; Cancel closes it, and one the cell or its peer closes leaves the list`, async () => {
      const sockets = async () => (await k.kernel.pendingWork()).items.filter((i) => i.kind === 'socket' && i.description.startsWith(`${own}.connect`));
      const connect =
        runtime === 'deno'
          ? 'var conn = await Deno.connect({ hostname: "127.0.0.1", port: peer.addr.port });\n0'
          : 'var conn = await Bun.connect({ hostname: "127.0.0.1", port: peer.port, socket: { data() {}, close() { globalThis.ownCloseRan = true } } });\n0';
      await k.value(
        runtime === 'deno'
          ? 'var peer = Deno.listen({ hostname: "127.0.0.1", port: 0 }); var accepted = []; (async () => { for await (const c of peer) accepted.push(c) })(); 0'
          : 'var peer = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }); 0',
      );
      const port = Number(await k.value(runtime === 'deno' ? 'peer.addr.port' : 'peer.port'));
      await k.value(connect);
      const item = await itemWhere(k, (i) => i.kind === 'socket' && i.description.startsWith(`${own}.connect`));
      assert.equal(item.description, `${own}.connect 127.0.0.1:${port}`);
      assert.equal(item.location?.line, 1);
      assert.equal(await k.kernel.cancelWork(item.id), true);
      await sleep(100);
      assert.deepEqual(await sockets(), []);
      assert.equal(
        await k.value(runtime === 'deno' ? 'await conn.write(new Uint8Array([1])).then(() => "open", (e) => e.name)' : 'conn.readyState'),
        runtime === 'deno' ? 'BadResource' : '-1',
        'the socket is closed',
      );
      // closed by the cell itself
      await k.value(connect);
      assert.equal((await sockets()).length, 1);
      await k.value(runtime === 'deno' ? 'conn.close(); 0' : 'conn.end(); 0');
      await sleep(100);
      assert.deepEqual(await sockets(), [], 'closed by the cell');
      if (runtime === 'bun') {
        // closed by its peer: the cell's own close handler still runs
        await k.value(connect);
        assert.equal((await sockets()).length, 1);
        await k.value('peer.stop(true); 0');
        await sleep(200);
        assert.deepEqual(await sockets(), [], 'closed by the peer');
        assert.equal(await k.value('globalThis.ownCloseRan'), 'true');
      } else await k.value('peer.close(); for (const c of accepted) c.close(); 0');
    });

    it(`lists a ${own} WebSocket until it closes; Cancel closes it`, async () => {
      await k.value(
        runtime === 'deno'
          ? 'var wss = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => { const { socket, response } = Deno.upgradeWebSocket(req); return response });\nvar wsPort = wss.addr.port;\n0'
          : 'var wss = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch(req, server) { return server.upgrade(req) ? undefined : new Response("no") }, websocket: { message() {} } });\nvar wsPort = wss.port;\n0',
      );
      await k.value('var ws = new WebSocket(`ws://127.0.0.1:${wsPort}/`);\nawait new Promise((r) => ws.addEventListener("open", r));\nws.readyState');
      const item = await itemWhere(k, (i) => i.kind === 'socket' && i.description.startsWith('WebSocket'));
      assert.match(item.description, /^WebSocket ws:\/\/127\.0\.0\.1:\d+\/$/);
      assert.equal(item.location?.line, 1);
      assert.equal(await k.value('ws instanceof WebSocket'), 'true', 'instanceof still holds');
      assert.equal(await k.kernel.cancelWork(item.id), true);
      await sleep(300);
      assert.equal(await k.value('ws.readyState'), '3', 'closed');
      assert.equal((await k.kernel.pendingWork()).items.filter((i) => i.description.startsWith('WebSocket')).length, 0);
      await k.value(runtime === 'deno' ? 'await wss.shutdown(); 0' : 'wss.stop(true); 0');
    });
  });
}

describe('pending work (node): http and https are loaded only when a cell loads them', function () {
  this.timeout(30_000);
  let k: TestKernel;
  before(async function () {
    k = await kernelOn(this, 'node');
  });
  after(async () => k?.kernel.dispose());

  it("a kernel starts without http, https or tls, whose servers inherit net.Server's methods; each server is listed by its kind", async () => {
    const loaded = async () =>
      JSON.parse(await k.value('JSON.stringify(["http", "https", "tls"].filter((m) => process.moduleLoadList.includes("NativeModule " + m)))')) as string[];
    assert.deepEqual(await loaded(), [], 'the kernel loaded them before any cell did');
    // what lets the tracker wrap net.Server's listen alone on Node (on every Node the suite runs)
    const inherits = await k.value(
      [
        "var http = require('node:http'), https = require('node:https'), net = require('node:net');",
        'JSON.stringify([http.Server, https.Server].map((C) => ["listen", "address"].map((m) =>',
        '  !Object.hasOwn(C.prototype, m) && C.prototype[m] === net.Server.prototype[m])))',
      ].join('\n'),
    );
    assert.equal(inherits, '[[true,true],[true,true]]');
    await k.value(
      [
        'var plain = net.createServer(); await new Promise((r) => plain.listen(0, "127.0.0.1", r));',
        'var secure = https.createServer({}); await new Promise((r) => secure.listen(0, "127.0.0.1", r));',
        'class Mine extends net.Server {}',
        'var mine = new Mine(); await new Promise((r) => mine.listen(0, "127.0.0.1", r));',
        '0',
      ].join('\n'),
    );
    const port = async (name: string) => Number(await k.value(`${name}.address().port`));
    const described = (await k.kernel.pendingWork()).items.filter((i) => i.kind === 'server').map((i) => i.description);
    assert.deepEqual(described.sort(), [`https server :${await port('secure')}`, `server :${await port('mine')}`, `server :${await port('plain')}`].sort());
    await k.value('plain.close(); secure.close(); mine.close(); 0');
  });
});

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
