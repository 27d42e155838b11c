/**
 * Debugging a Node or Deno kernel the way VS Code's JavaScript debugger does it, over the inspector socket: the socket
 * opens only on request (127.0.0.1, a random path), a cell's script carries a source map to its document, a
 * breakpoint there — set by the script's URL and the mapped line when the script is about to run, as js-debug binds
 * them — pauses the cell with its locals readable, step over moves one line, and after the session the kernel keeps
 * its state. Checkpoints record values from a timer without pausing. On Deno a notebook with permissions gains no
 * access from any of it. Bun refuses with DebugUnsupported, saying why.
 */
import { strict as assert } from 'node:assert';
import WebSocket from 'ws';
import { isCodaError, type CheckpointHits, type Permissions } from '../../../protocol';
import { RequestError } from '../../../protocol/channel';
import { requireRuntimes, runtimeBinary } from '../../runtimeBinaries';
import { kernelOn, shownValue, startKernel, type TestKernel } from '../helpers/testKernel';

const CELL_URI = 'vscode-notebook-cell:/work/demo.coda#W0sZmlsZQ%3D%3D';

/** A minimal CDP client. */
class Cdp {
  private seq = 0;
  private readonly pending = new Map<number, (r: { result?: unknown; error?: { message: string } }) => void>();
  private readonly waiters: { method: string; resolve: (p: unknown) => void }[] = [];
  readonly events: { method: string; params: unknown }[] = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string } };
      if (msg.id !== undefined) this.pending.get(msg.id)?.(msg);
      else if (msg.method) {
        this.events.push({ method: msg.method, params: msg.params });
        const i = this.waiters.findIndex((w) => w.method === msg.method);
        if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(msg.params);
      }
    });
  }
  static connect(url: string): Promise<Cdp> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(new Cdp(ws)));
      ws.once('error', reject);
    });
  }
  send<T = unknown>(method: string, params: object = {}): Promise<T> {
    const id = ++this.seq;
    this.ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) =>
      this.pending.set(id, (r) => (r.error ? reject(new Error(`${method}: ${r.error.message}`)) : resolve(r.result as T))),
    );
  }
  next<T>(method: string): Promise<T> {
    return new Promise((resolve) => this.waiters.push({ method, resolve: resolve as (p: unknown) => void }));
  }
  /** The first `method` event from index `from` of `events` on that `pred` accepts, when it comes. */
  async event<T>(method: string, pred: (p: T) => boolean, from: number): Promise<T> {
    for (;;) {
      const e = this.events.slice(from).find((x) => x.method === method && pred(x.params as T));
      if (e) return e.params as T;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  close(): void {
    this.ws.close();
  }
}

interface Paused {
  reason: string;
  data?: { url?: string };
  callFrames: { callFrameId: string; location: { scriptId: string; lineNumber: number }; functionName: string }[];
}

interface ScriptParsed {
  scriptId: string;
  url: string;
  sourceMapURL: string;
}

/** The sources of a script's inline source map. */
const mapSources = (script: ScriptParsed) =>
  (JSON.parse(Buffer.from(script.sourceMapURL.split('base64,')[1]!, 'base64').toString()) as { sources: string[] }).sources;

for (const runtime of ['node', 'deno'] as const)
  describe(`debugging a ${runtime === 'node' ? 'Node' : 'Deno'} kernel`, function () {
    this.timeout(30_000);
    let k: TestKernel;
    before(async function () {
      k = await kernelOn(this, runtime);
    });
    after(async () => k?.kernel.dispose());

    it('opens the inspector on 127.0.0.1 with a random path only when asked, and closes it after', async () => {
      const { webSocketUrl } = await k.kernel.debugOpen();
      assert.match(webSocketUrl, /^ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const cdp = await Cdp.connect(webSocketUrl);
      cdp.close();
      await k.kernel.debugClose();
      await assert.rejects(Cdp.connect(webSocketUrl), 'nothing listens after debugClose');
      const again = await k.kernel.debugOpen();
      assert.notEqual(again.webSocketUrl, webSocketUrl, 'a new session gets a new address');
      const client = await Cdp.connect(again.webSocketUrl);
      await client.send('Runtime.evaluate', { expression: '1' });
      // Node's close waits for the debugger to detach (Node crashes when its inspector closes under a session);
      // Deno's relay (worker/sidecar/DenoDebug.ts) is the worker's own and ends its connections itself
      let closed = false;
      const closing = k.kernel.debugClose().then(() => (closed = true));
      await new Promise((r) => setTimeout(r, 300));
      if (runtime === 'node') assert.equal(closed, false, 'the socket stays while a debugger is attached');
      client.close();
      await closing;
      await assert.rejects(Cdp.connect(again.webSocketUrl), 'nothing listens once the debugger detached');
      await k.run('1');
      assert.deepEqual(
        k.console.filter((e) => /Debugger|inspect/.test(e.text)),
        [],
        "the runtime's words about debugger sessions are no cell's output",
      );
    });

    it('pauses at a breakpoint in a cell, reads a local, steps over one line, and keeps the state after', async () => {
      assert.equal(await k.value('function twice(x) { const doubled = 2 * x; return doubled; }\nvar before = 1;'), '(no value)');
      const { webSocketUrl } = await k.kernel.debugOpen();
      const cdp = await Cdp.connect(webSocketUrl);
      try {
        await cdp.send('Debugger.enable');
        await cdp.send('Runtime.runIfWaitingForDebugger');
        const parsed = new Promise<{ url: string; sourceMapURL: string }>((resolve) => {
          void cdp.next<{ url: string; sourceMapURL: string }>('Debugger.scriptParsed').then(function check(p): void {
            if (p.url.includes('__coda_cell_')) resolve(p);
            else void cdp.next<{ url: string; sourceMapURL: string }>('Debugger.scriptParsed').then(check);
          });
        });
        // as js-debug does for a script with a source map: break on line 2 of the cell (0-based 1)
        const bp = await cdp.send<{ breakpointId: string }>('Debugger.setBreakpointByUrl', { urlRegex: '__coda_cell_\\d+__\\.js$', lineNumber: 1 });
        const paused = cdp.next<Paused>('Debugger.paused');
        const run = k.run('let total = 0;\nconst local = twice(21);\ntotal = local + before;\ntotal', { source: { uri: CELL_URI } });
        const script = await parsed;
        const map = JSON.parse(Buffer.from(script.sourceMapURL.split('base64,')[1]!, 'base64').toString()) as { sources: string[] };
        assert.deepEqual(map.sources, [CELL_URI], 'the script maps to the cell document');
        const first = await paused;
        assert.equal(first.callFrames[0]?.location.lineNumber, 1);
        // V8 may stop twice on one line (the call, then the assignment); a user's Step Over reaches the next line
        let next = first;
        for (let i = 0; i < 3 && next.callFrames[0]?.location.lineNumber === 1; i++) {
          await cdp.send('Debugger.stepOver');
          next = await cdp.next<Paused>('Debugger.paused');
        }
        assert.equal(next.callFrames[0]?.location.lineNumber, 2, 'step over moves one line');
        const local = await cdp.send<{ result: { value: unknown } }>('Debugger.evaluateOnCallFrame', {
          callFrameId: next.callFrames[0]!.callFrameId,
          expression: 'local',
        });
        assert.equal(local.result.value, 42, 'a local read in the paused frame');
        await cdp.send('Debugger.removeBreakpoint', { breakpointId: bp.breakpointId });
        await cdp.send('Debugger.resume');
        assert.equal((await run).status, 'ok');
        // step into a function an earlier cell defined: its frame is that cell's script
        // line 1 of every cell script: the earlier cells' line 1 does not run again
        await cdp.send('Debugger.setBreakpointByUrl', { urlRegex: '__coda_cell_\\d+__\\.js$', lineNumber: 1 });
        const pausedAgain = cdp.next<Paused>('Debugger.paused');
        const second = k.run('// again\ntwice(5)', { source: { uri: CELL_URI } });
        const top = await pausedAgain;
        assert.equal(top.callFrames[0]?.location.lineNumber, 1);
        await cdp.send('Debugger.stepInto');
        let inside = await cdp.next<Paused>('Debugger.paused');
        for (let i = 0; i < 5 && inside.callFrames[0]?.functionName !== 'twice'; i++) {
          await cdp.send('Debugger.stepInto');
          inside = await cdp.next<Paused>('Debugger.paused');
        }
        assert.equal(inside.callFrames[0]?.functionName, 'twice');
        const x = await cdp.send<{ result: { value: unknown } }>('Debugger.evaluateOnCallFrame', {
          callFrameId: inside.callFrames[0]!.callFrameId,
          expression: 'x',
        });
        assert.equal(x.result.value, 5);
        await cdp.send('Debugger.resume');
        assert.equal((await second).status, 'ok');
      } finally {
        cdp.close();
        await k.kernel.debugClose();
      }
      assert.equal(await k.value('total + 1'), '44', 'the next cell sees the state after the session');
    });

    it("binds a breakpoint by the cell script's URL and mapped line before the script runs (as js-debug does)", async () => {
      const uri = 'vscode-notebook-cell:/work/demo.coda#X2';
      const { webSocketUrl } = await k.kernel.debugOpen();
      const cdp = await Cdp.connect(webSocketUrl);
      try {
        await cdp.send('Runtime.enable');
        await cdp.send('Debugger.enable');
        // js-debug pauses before each script with a source map, reads the map and sets the document's breakpoints in it
        await cdp.send('Debugger.setInstrumentationBreakpoint', { instrumentation: 'beforeScriptWithSourceMapExecution' });
        await cdp.send('Runtime.runIfWaitingForDebugger');
        const from = cdp.events.length;
        const run = k.run('let seed = 14;\nconst tripled = seed * 3;\nglobalThis.after = tripled + 1;\ntripled', { source: { uri } });
        const script = await cdp.event<ScriptParsed>('Debugger.scriptParsed', (p) => p.url.includes('__coda_cell_') && p.sourceMapURL !== '', from);
        assert.match(script.url, /^file:\/\/.*__coda_cell_\d+__\.js$/, 'V8 names the cell script by its file URL');
        assert.deepEqual(mapSources(script), [uri], 'the script maps to the cell document');
        const before = await cdp.event<Paused>('Debugger.paused', (p) => p.reason === 'instrumentation' && p.data?.url === script.url, from);
        assert.ok(before);
        // the cell's third line (0-based 2): the transform keeps lines, so the map is line for line
        const bp = await cdp.send<{ breakpointId: string }>('Debugger.setBreakpointByUrl', { url: script.url, lineNumber: 2 });
        const resumedAt = cdp.events.length;
        await cdp.send('Debugger.resume');
        const hit = await cdp.event<Paused>('Debugger.paused', (p) => p.reason !== 'instrumentation', resumedAt);
        assert.equal(hit.callFrames[0]?.location.scriptId, script.scriptId, 'paused in the cell script');
        assert.equal(hit.callFrames[0]?.location.lineNumber, 2, 'paused on the line of the breakpoint');
        const local = await cdp.send<{ result: { value: unknown } }>('Debugger.evaluateOnCallFrame', {
          callFrameId: hit.callFrames[0]!.callFrameId,
          expression: 'tripled',
        });
        assert.equal(local.result.value, 42, 'a local of the cell read in the paused frame');
        await cdp.send('Debugger.removeBreakpoint', { breakpointId: bp.breakpointId });
        await cdp.send('Debugger.resume');
        const r = await run;
        assert.equal(r.status, 'ok');
        assert.equal(shownValue(r.status === 'ok' ? r.value : undefined), '42');
      } finally {
        cdp.close();
        await k.kernel.debugClose();
      }
      await assert.rejects(Cdp.connect(webSocketUrl), 'nothing listens after debugClose');
      assert.equal(await k.value('after + seed'), '57', 'the next cell sees the state after the session');
    });

    it('records a checkpoint from a setInterval three times without pausing, and removes it without a re-run', async () => {
      const hits: CheckpointHits[] = [];
      const off = k.kernel.onEvent('checkpointHits', (b) => hits.push(...b.checkpoints));
      try {
        // the interval starts once the checkpoint is set (a first tick before it would be missed on a busy machine)
        await k.run('var n = 0;\nvar timer, start = () => (timer = setInterval(() => {\n  n++;\n  if (n === 3) clearInterval(timer);\n}, 30));', {
          source: { uri: 'file:///work/cp.js', lineOffset: 10 },
        });
        // line 12 of the file is `n++;`: record n after it (the next line)
        assert.equal(await k.kernel.setCheckpoints({ uri: 'file:///work/cp.js', checkpoints: [{ id: 'cp1', line: 12, expression: 'n', after: true }] }), 1);
        await k.run('start()');
        await k.waitFor('checkpointHits', (b) => b.checkpoints.some((c) => c.count >= 3), 3000);
        const last = hits.filter((h) => h.id === 'cp1').at(-1)!;
        assert.equal(last.count, 3);
        assert.deepEqual(
          last.recent.map((h) => h.text),
          ['1', '2', '3'],
        );
        assert.equal(last.line, 12);
        assert.equal(await k.kernel.setCheckpoints({ uri: 'file:///work/cp.js', checkpoints: [] }), 0);
        assert.equal(await k.value('n'), '3');
      } finally {
        off();
      }
    });

    it('evaluates a checkpoint at each pass of a loop, recording what the expression threw', async () => {
      const uri = 'file:///work/loop.js';
      await k.run('0', { source: { uri } });
      const src = 'var acc = [];\nfor (let i = 0; i < 5; i++) {\n  acc.push(i * i);\n}';
      // set before the run: the checkpoint is placed in the script as it is created
      await k.kernel.setCheckpoints({
        uri,
        checkpoints: [
          { id: 'sq', line: 2, expression: 'i * 10' },
          { id: 'bad', line: 2, expression: 'nope.x' },
        ],
      });
      const seen = k.waitFor('checkpointHits', (b) => b.checkpoints.some((c) => c.id === 'sq' && c.count === 5), 3000);
      await k.run(src, { source: { uri } });
      const event = await seen;
      assert.deepEqual(
        event.checkpoints.find((c) => c.id === 'sq')?.recent.map((h) => h.text),
        ['0', '10', '20', '30', '40'],
      );
      const bad = event.checkpoints.find((c) => c.id === 'bad');
      assert.equal(bad?.recent[0]?.error, true);
      assert.match(bad?.recent[0]?.text ?? '', /ReferenceError/);
      await k.kernel.setCheckpoints({ uri, checkpoints: [] });
    });
  });

describe('debugging a Deno kernel with permissions', function () {
  this.timeout(30_000);
  const deno = runtimeBinary('deno');
  const permissions: Permissions = { net: [], read: ['.'] };
  let k: TestKernel;
  before(async function () {
    if (!deno) {
      if (requireRuntimes) throw new Error('deno is not in the runtime store: run `coda runtimes fetch deno`');
      this.skip();
    }
    k = await startKernel({ init: { runtime: 'deno', runtimePath: deno, permissions } });
  });
  after(async () => k?.kernel.dispose());

  /** A cell's failure as `Name: message`, or its value. */
  const outcome = async (code: string) => {
    const r = await k.run(code);
    return r.status === 'error' ? `${r.error.name}: ${r.error.message}` : r.status === 'ok' ? shownValue(r.value) : r.status;
  };

  it('pauses at a breakpoint while cells still have no network, no sys and no inspector of their own', async () => {
    const { webSocketUrl } = await k.kernel.debugOpen();
    const cdp = await Cdp.connect(webSocketUrl);
    try {
      await cdp.send('Debugger.enable');
      await cdp.send('Debugger.setBreakpointByUrl', { urlRegex: '__coda_cell_\\d+__\\.js$', lineNumber: 1 });
      const paused = cdp.next<Paused>('Debugger.paused');
      const run = k.run('const a = 5;\nconst b = a * 2;\nb', { source: { uri: CELL_URI } });
      const top = await paused;
      assert.equal(top.callFrames[0]?.location.lineNumber, 1);
      const a = await cdp.send<{ result: { value: unknown } }>('Debugger.evaluateOnCallFrame', {
        callFrameId: top.callFrames[0]!.callFrameId,
        expression: 'a',
      });
      assert.equal(a.result.value, 5);
      await cdp.send('Debugger.disable');
      assert.equal((await run).status, 'ok');

      // while the debugger's socket is open, on its own port
      const { port } = new URL(webSocketUrl);
      assert.match(await outcome(`await fetch('http://127.0.0.1:${port}/')`), /^PermissionDenied: .*127\.0\.0\.1/, 'no fetch to the socket');
      assert.match(await outcome(`await fetch('${webSocketUrl.replace('ws:', 'http:')}')`), /^PermissionDenied/);
      assert.match(await outcome("Deno.listen({ hostname: '127.0.0.1', port: 0 })"), /^PermissionDenied/, 'no listening');
      // `sys` served the kernel's own session at init and was given up before any cell ran
      assert.match(await outcome('Deno.hostname()'), /sys access/);
      assert.match(await outcome("const { Session } = await import('node:inspector');\nnew Session().connect()"), /sys access/);
      assert.match(await outcome("(await import('node:inspector')).url()"), /sys access/, "the inspector's address stays hidden");
      assert.equal(await outcome("Deno.permissions.querySync({ name: 'sys' }).state"), 'prompt');
      assert.equal(await outcome("Deno.permissions.requestSync({ name: 'sys' }).state"), 'denied', 'and cannot be asked for (no prompt)');
      assert.match(await outcome("(await import('node:inspector')).open(0, '0.0.0.0')"), /already activated|sys access|net access/, 'no second inspector');
    } finally {
      cdp.close();
      await k.kernel.debugClose();
    }
    await assert.rejects(Cdp.connect(webSocketUrl), 'nothing listens after debugClose');
    assert.equal(await outcome('b + 1'), '11', 'the next cell sees the state');
  });

  it('records checkpoints from a setInterval', async () => {
    const uri = 'file:///work/denocp.js';
    // the interval starts once the checkpoint is set (a first tick before it was missed on a busy machine)
    await k.run('var m = 0;\nvar t, start = () => (t = setInterval(() => {\n  m += 2;\n  if (m === 6) clearInterval(t);\n}, 30));', { source: { uri } });
    const seen = k.waitFor('checkpointHits', (b) => b.checkpoints.some((c) => c.id === 'm' && c.count >= 3), 3000);
    assert.equal(await k.kernel.setCheckpoints({ uri, checkpoints: [{ id: 'm', line: 2, expression: 'm', after: true }] }), 1);
    await k.run('start()');
    const hits = (await seen).checkpoints.find((c) => c.id === 'm')!;
    assert.deepEqual(
      hits.recent.map((h) => h.text),
      ['2', '4', '6'],
    );
    assert.equal(await k.kernel.setCheckpoints({ uri, checkpoints: [] }), 0);
  });
});

describe('debugging elsewhere', function () {
  this.timeout(30_000);
  it("a Bun kernel refuses with DebugUnsupported, saying its inspector speaks WebKit's protocol", async function () {
    const bun = runtimeBinary('bun');
    if (!bun) {
      if (requireRuntimes) throw new Error('bun is not in the runtime store: run `coda runtimes fetch bun`');
      this.skip();
    }
    const k = await startKernel({ init: { runtime: 'bun', runtimePath: bun } });
    const refused = (e: unknown) => isCodaError(e, 'DebugUnsupportedBun') && /Bun/.test((e as Error).message) && /WebKit/.test((e as Error).message);
    const unwrap = (e: unknown) => {
      throw e instanceof RequestError ? e.unwrap() : e;
    };
    try {
      await assert.rejects(k.kernel.debugOpen().catch(unwrap), refused);
      await assert.rejects(k.kernel.setCheckpoints({ uri: CELL_URI, checkpoints: [{ id: 'c', line: 0, expression: '1' }] }).catch(unwrap), refused);
    } finally {
      await k.kernel.dispose();
    }
  });
});
