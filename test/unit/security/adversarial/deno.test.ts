/**
 * Attacks on a Deno kernel with declared permissions:
 * - remote code: Deno's own allow-list of import hosts (esm.sh, jsr.io, raw.githubusercontent.com, …) and its npm
 *   registry access must not let a cell load code from a host its `net` grant does not name. There is no internet
 *   here, so the "internet" is loopback: an HTTPS proxy (HTTPS_PROXY) that answers CONNECT for any host with a TLS
 *   server whose certificate a test CA signs (DENO_CERT), an npm registry (NPM_CONFIG_REGISTRY), and two plain
 *   module servers on 127.0.0.1 and 127.0.0.2. A crossing is any request reaching one of them for an ungranted
 *   host, or a module that loads.
 * - the inspector Deno runs with (so an interrupt can stop a synchronous loop), and the socket a debug session gets
 *   (relayed to it by the worker): another local user who knows its port must not learn its websocket address or run
 *   code through it.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { ExecuteResult, Permissions, RemoteValue } from '../../../../protocol';
import { requireRuntimes, runtimeBinary } from '../../../runtimeBinaries';
import { sleep, startKernel, type TestKernel } from '../../helpers/testKernel';

/** Hosts Deno lets any script import from unless told otherwise (its --allow-import default), plus one it does not. */
const DEFAULT_IMPORT_HOSTS = ['esm.sh', 'jsr.io', 'deno.land', 'cdn.jsdelivr.net', 'raw.githubusercontent.com', 'gist.githubusercontent.com', 'raw.esm.sh'];
/** Longest an import attempt may take (a refused one is immediate; a loaded one needs a few round trips). */
const ATTEMPT_DEADLINE_MS = 15_000;

/** A test CA and a certificate it signs for every default import host (made with openssl, kept in a temp folder). */
function testCertificates(dir: string): { ca: string; key: string; cert: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=CodaJS adversarial test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=esm.sh']);
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${DEFAULT_IMPORT_HOSTS.map((h) => `DNS:${h}`).join(',')}\nbasicConstraints=CA:FALSE\n`);
  run(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '2', '-extfile', 'ext.cnf']);
  return { ca: join(dir, 'ca.pem'), key: readFileSync(join(dir, 'leaf.key'), 'utf8'), cert: readFileSync(join(dir, 'leaf.pem'), 'utf8') };
}

/** What a module server answers: a module that reports where it came from, or a worker that posts it. */
function moduleSource(where: string, path: string): string {
  if (path.startsWith('/w.js')) return `self.postMessage("LOADED from ${where}");`;
  return `export default "LOADED from ${where}";`;
}

const shown = (v: RemoteValue | undefined): string =>
  !v ? '(no value)' : v.type === 'object' ? v.preview : v.type === 'string' ? v.value : 'text' in v ? v.text : 'value' in v ? String(v.value) : v.type;
const outcome = (r: ExecuteResult | 'pending'): string =>
  r === 'pending' ? 'pending' : r.status === 'ok' ? shown(r.value) : r.status === 'error' ? `${r.error.name}: ${r.error.message}` : r.status;

/** The loopback "internet": every request any of these servers gets is logged as `host path`. */
class Internet {
  readonly log: string[] = [];
  granted = '';
  ungranted = '';
  proxy = '';
  registry = '';
  ca = '';
  private readonly servers: Server[] = [];

  async start(dir: string): Promise<void> {
    const certs = testCertificates(dir);
    this.ca = certs.ca;
    const modules = (name: string) =>
      createServer((req, res) => {
        const host = req.headers.host ?? name;
        this.log.push(`${host} ${req.url}`);
        const url = new URL(req.url ?? '/', `http://${host}`);
        const to = url.searchParams.get('to');
        if (url.pathname === '/redirect' && to) return res.writeHead(302, { location: to }).end();
        res.writeHead(200, { 'content-type': 'application/javascript' }).end(moduleSource(host, url.pathname));
      });
    const tls = createTlsServer({ key: certs.key, cert: certs.cert }, (req, res) => {
      this.log.push(`${req.headers.host} ${req.url}`);
      if (req.url?.endsWith('meta.json'))
        return res.writeHead(200, { 'content-type': 'application/json' }).end('{"scope":"std","name":"fmt","latest":"1.0.0","versions":{"1.0.0":{}}}');
      res.writeHead(200, { 'content-type': 'application/javascript' }).end(moduleSource(req.headers.host ?? '?', req.url ?? '/'));
    });
    const proxy = createServer((req, res) => {
      this.log.push(`proxy ${req.url}`);
      res.writeHead(502).end();
    });
    proxy.on('connect', (req, client: Socket, head: Buffer) => {
      this.log.push(`CONNECT ${req.url}`);
      const upstream = connect((tls.address() as AddressInfo).port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    const registry = createServer((req, res) => {
      this.log.push(`registry ${req.url}`);
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    });
    const listen = async (s: Server, host: string) => {
      this.servers.push(s);
      await new Promise<void>((r) => s.listen(0, host, r));
      return `${host}:${(s.address() as AddressInfo).port}`;
    };
    await listen(tls, '127.0.0.1');
    this.granted = await listen(modules('granted'), '127.0.0.1');
    this.ungranted = await listen(modules('ungranted'), '127.0.0.2');
    this.proxy = `http://${await listen(proxy, '127.0.0.1')}`;
    this.registry = `http://${await listen(registry, '127.0.0.1')}/`;
  }

  /** What a Deno kernel needs to reach this internet: proxy, CA, registry, and a cache of its own. */
  env(dir: string): Record<string, string> {
    return { HTTPS_PROXY: this.proxy, DENO_CERT: this.ca, NPM_CONFIG_REGISTRY: this.registry, DENO_DIR: mkdtempSync(join(dir, 'deno-dir-')) };
  }

  stop(): void {
    for (const s of this.servers) s.close();
  }
}

/** The listening TCP ports of a process (what a local attacker finds by scanning 127.0.0.1; the test looks it up). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // the descriptor closed while reading
    }
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === '0A' && inodes.has(cols[9]!)) ports.push(parseInt(cols[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** The Deno process of a kernel: the sidecar started by the worker whose pid the kernel reports. */
function denoPid(k: TestKernel): number {
  const pid = k.kernel.info.pid;
  if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'deno') return pid;
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
  const deno = children.find((c) => readFileSync(`/proc/${c}/comm`, 'utf8').trim() === 'deno');
  assert.ok(deno, `no Deno process under the kernel ${pid}`);
  return deno;
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Connects to a websocket and asks it to evaluate code; the answer's value, or undefined when nothing attached. */
function evaluateThrough(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { handshakeTimeout: 3000 });
    const done = (v: string | undefined) => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      resolve(v);
    };
    socket.on('open', () => socket.send(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: 'String(Deno.pid)' } })));
    socket.on('message', (m) => {
      const reply = JSON.parse(String(m)) as { id?: number; result?: { result?: { value?: string } } };
      if (reply.id === 1) done(reply.result?.result?.value ?? 'attached');
    });
    socket.on('error', () => done(undefined));
    socket.on('unexpected-response', () => done(undefined));
    setTimeout(() => done(undefined), 5000);
  });
}

describe('adversarial: the Deno kernel', function () {
  this.timeout(180_000);
  const deno = runtimeBinary('deno');
  let dir = '';
  const net = new Internet();
  const kernels: TestKernel[] = [];
  const start = async (permissions: Permissions | undefined, log?: (level: string, message: string) => void) => {
    const k = await startKernel({
      cwd: mkdtempSync(join(dir, 'notebook-')),
      init: { runtime: 'deno', runtimePath: deno, permissions, env: net.env(dir) },
      log,
    });
    kernels.push(k);
    return k;
  };

  before(async function () {
    if (!deno) {
      if (requireRuntimes) throw new Error('Deno is not in the runtime store and CODA_REQUIRE_RUNTIMES is set');
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'coda-adv-deno-'));
    await net.start(dir);
  });
  after(async () => {
    for (const k of kernels) await k.kernel.dispose();
    net.stop();
  });

  describe('remote imports', () => {
    const crossings: string[] = [];
    let attempts = 0;
    after(() => console.log(`      deno imports: ${attempts} attempts, ${crossings.length} crossings`));

    /** Runs an attack cell; a crossing is a loaded module or any request reaching the loopback internet. */
    async function attack(k: TestKernel, name: string, code: string): Promise<string> {
      attempts++;
      const before = net.log.length;
      const r = await Promise.race([k.run(code), sleep(ATTEMPT_DEADLINE_MS).then(() => 'pending' as const)]);
      await sleep(200);
      const seen = net.log.slice(before);
      const text = outcome(r);
      const loaded = text.includes('LOADED') || k.console.some((e) => e.text.includes('LOADED'));
      if (loaded || seen.length) crossings.push(`${name}: ${loaded ? 'loaded' : 'requested'} ${seen.join(', ')}`);
      assert.ok(!loaded && !seen.length, `${name} reached ${seen.join(', ') || 'a module'}: ${text}`);
      return text;
    }
    const workerCell = (url: string) =>
      `await new Promise((resolve) => { const w = new Worker(${url}, { type: 'module' }); const t = setTimeout(() => { w.terminate(); resolve('no message') }, 3000); ` +
      `w.onmessage = (e) => { clearTimeout(t); w.terminate(); resolve(e.data) }; w.onerror = (e) => { e.preventDefault(); clearTimeout(t); w.terminate(); resolve('worker error: ' + e.message) } })`;
    const dataModule = (source: string) => JSON.stringify(`data:text/javascript,${encodeURIComponent(source)}`);

    it("with net: [] nothing loads from anywhere: Deno's own import hosts, jsr:, npm:, data:, blob:, workers, eval", async () => {
      const k = await start({ net: [] });
      // the issue's example: Deno's built-in allow-list let a cell download code from these hosts
      for (const host of DEFAULT_IMPORT_HOSTS) {
        const text = await attack(k, `import() from ${host}`, `(await import("https://${host}/mod.js")).default`);
        assert.match(text, /^PermissionDenied: .*network access to "[^"]+:443"/, text);
      }
      const g = `http://${net.granted}/m.js`;
      const denied = await attack(k, 'import() from a loopback server', `(await import(${JSON.stringify(g)})).default`);
      assert.match(denied, /^PermissionDenied: .*"net": \["127\.0\.0\.1:\d+"\]/, denied);
      await attack(k, 'a static import from esm.sh', 'import m from "https://esm.sh/static.js";\nm');
      await attack(k, 'jsr: specifier', '(await import("jsr:@std/fmt")).default');
      const npm = await attack(k, 'npm: specifier', '(await import("npm:left-pad")).default');
      assert.match(npm, /^PermissionDenied: .*"net": \["\*"\]/, npm);
      await attack(k, 'a bare package that is not installed (falls back to npm:)', '(await import("coda-not-installed-pkg")).default');
      await attack(
        k,
        'a data: module that imports a remote one',
        `(await import(${dataModule('export { default } from "https://esm.sh/inner.js";')})).default`,
      );
      await attack(k, 'a data: module that imports the loopback server', `(await import(${dataModule(`export { default } from "${g}";`)})).default`);
      await attack(
        k,
        'a blob: module that imports a remote one',
        `(await import(URL.createObjectURL(new Blob(['export { default } from "https://jsr.io/@std/x/mod.js";'], { type: 'text/javascript' })))).default`,
      );
      await attack(k, 'a module worker from a remote URL', workerCell(JSON.stringify(`https://deno.land/w.js`)));
      await attack(k, 'a module worker from the loopback server', workerCell(JSON.stringify(`http://${net.granted}/w.js`)));
      await attack(k, 'a data: worker that imports a remote module', workerCell(dataModule('import "https://esm.sh/w.js";')));
      await attack(k, 'import() inside eval', '(await eval(\'import("https://cdn.jsdelivr.net/npm/x/+esm")\')).default');
      await attack(k, 'import() inside new Function', '(await new Function(\'return import("https://raw.githubusercontent.com/a/b/main/x.js")\')()).default');
    });

    it('with net: ["127.0.0.1"] code comes from that host only: not by redirect, other names, jsr: or npm:', async () => {
      const k = await start({ net: ['127.0.0.1'] });
      // the grant's own host loads (the grant still works)
      const own = outcome(await k.run(`(await import(${JSON.stringify(`http://${net.granted}/own.js`)})).default`));
      assert.equal(own, `LOADED from ${net.granted}`);
      const redirect = (to: string) => JSON.stringify(`http://${net.granted}/redirect?to=${encodeURIComponent(to)}`);
      const before = net.log.length;
      const text = await Promise.race([
        k.run(`(await import(${redirect(`http://${net.ungranted}/m.js`)})).default`),
        sleep(ATTEMPT_DEADLINE_MS).then(() => 'pending' as const),
      ]);
      attempts++;
      // the first hop is to the granted host (allowed); the hop to the ungranted one must never be made
      const hops = net.log.slice(before).filter((l) => !l.startsWith(`${net.granted} /redirect`));
      if (hops.length || outcome(text).includes('LOADED')) crossings.push(`a redirect to an ungranted host: ${hops.join(', ')}`);
      assert.deepEqual(hops, [], `a redirect reached ${hops.join(', ')}`);
      assert.match(outcome(text), /^PermissionDenied: .*127\.0\.0\.2/, outcome(text));
      const viaRedirect = async (name: string, to: string) => {
        attempts++;
        const mark = net.log.length;
        const r = outcome(await Promise.race([k.run(`(await import(${redirect(to)})).default`), sleep(ATTEMPT_DEADLINE_MS).then(() => 'pending' as const)]));
        const reached = net.log.slice(mark).filter((l) => !l.startsWith(`${net.granted} /redirect`));
        if (reached.length || r.includes('LOADED')) crossings.push(`${name}: ${reached.join(', ')}`);
        assert.deepEqual(reached, [], `${name} reached ${reached.join(', ')}: ${r}`);
      };
      await viaRedirect('a redirect to esm.sh', 'https://esm.sh/r.js');
      await viaRedirect('a redirect to localhost (another name for the same address)', `http://localhost:${net.granted.split(':')[1]}/m.js`);
      await attack(k, 'import() from an ungranted loopback address', `(await import(${JSON.stringify(`http://${net.ungranted}/m.js`)})).default`);
      await attack(k, 'import() through https from esm.sh', '(await import("https://esm.sh/x.js")).default');
      await attack(k, 'jsr: specifier', '(await import("jsr:@std/fmt")).default');
      await attack(k, 'npm: specifier', '(await import("npm:left-pad")).default');
      await attack(
        k,
        'a worker from the granted host that imports an ungranted one',
        workerCell(dataModule(`const m = await import("http://${net.ungranted}/m.js"); self.postMessage(m.default);`)),
      );
    });

    it('without declared permissions Deno imports from any host, as any script run with --allow-all (documented, not a crossing)', async () => {
      const k = await start(undefined);
      assert.equal(outcome(await k.run('(await import("https://esm.sh/unrestricted.js")).default')), 'LOADED from esm.sh');
      assert.equal(outcome(await k.run(`(await import(${JSON.stringify(`http://${net.ungranted}/m.js`)})).default`)), `LOADED from ${net.ungranted}`);
    });
  });

  describe('inspector', () => {
    const crossings: string[] = [];
    let attempts = 0;
    after(() => console.log(`      deno inspector: ${attempts} attempts, ${crossings.length} crossings`));

    const cases: [string, Permissions | undefined][] = [
      ['no permissions declared', undefined],
      ['net: []', { net: [] }],
    ];
    for (const [label, permissions] of cases) {
      it(`another local client cannot find or attach to the inspector (${label})`, async () => {
        const logs: string[] = [];
        const k = await start(permissions, (_, message) => logs.push(message));
        const pid = denoPid(k);
        const ports = listeningPorts(pid);
        assert.ok(ports.length >= 1, `the Deno kernel listens on no port (pid ${pid})`);
        const urls = new Set<string>();
        for (const port of ports) {
          // discovery: the endpoints Chrome DevTools and Node's inspector use to list targets
          for (const path of ['/json/list', '/json', '/json/list/', '/json/new', '/json/version']) {
            attempts++;
            const { body } = await httpGet(port, path);
            for (const m of body.matchAll(/ws:\/\/[^"\s]+/g)) urls.add(m[0]);
            for (const m of body.matchAll(/"id"\s*:\s*"([0-9a-f-]{36})"/g)) urls.add(`ws://127.0.0.1:${port}/${m[1]}`);
          }
          // guesses: paths a debugger tries when it has no list
          for (const path of ['/', '/ws', '/json', '/devtools/page/1', `/${pid}`, '/00000000-0000-4000-8000-000000000000'])
            urls.add(`ws://127.0.0.1:${port}${path}`);
        }
        for (const url of urls) {
          attempts++;
          const value = await evaluateThrough(url);
          if (value !== undefined) crossings.push(`${label}: ran code through ${url} (${value})`);
          assert.equal(value, undefined, `another client ran code as the kernel through ${url}`);
        }
        // nor from the kernel's logs (the extension's log channel is a file other users may read)
        attempts++;
        const published = logs.filter((l) => /ws:\/\/[^/\s]+\/[0-9a-f-]{8,}/.test(l));
        assert.ok(
          logs.some((l) => l.includes('Debugger listening on')),
          `the inspector's start was not logged: ${logs.join('\n')}`,
        );
        if (published.length) crossings.push(`${label}: the log shows ${published.join(', ')}`);
        assert.deepEqual(published, [], 'the inspector address reached the log');
        // the kernel's own use of the inspector still works: a synchronous loop is interrupted and state is kept
        await k.run('globalThis.kept = "state"');
        // interrupt once the loop runs (an interrupt that overtakes its execute request is a known race, issue 17)
        const started = k.waitFor('console', (b) => b.entries.some((e) => e.text === 'looping'), 20_000);
        // a raw write reaches the worker at once (console.log is batched behind the loop)
        const running = k.run('Deno.stdout.writeSync(new TextEncoder().encode("looping\\n")); for (;;) {}');
        await started;
        await sleep(100);
        k.kernel.interrupt();
        const r = await Promise.race([running, sleep(10_000).then(() => 'pending' as const)]);
        assert.equal(outcome(r), 'interrupted');
        assert.equal(outcome(await k.run('kept')), 'state');
      });
    }

    it("a debug session's socket (in the worker) lists nothing, attaches no guessed path, and is gone after debugClose", async () => {
      const k = await start({ net: [] });
      const worker = k.kernel.info.pid;
      const before = new Set(listeningPorts(worker));
      const { webSocketUrl } = await k.kernel.debugOpen();
      const opened = listeningPorts(worker).filter((p) => !before.has(p));
      assert.deepEqual(opened, [Number(new URL(webSocketUrl).port)], "the worker listens on one new port: the session's");
      const port = opened[0]!;
      const secret = new URL(webSocketUrl).pathname.slice(1);
      for (const path of ['/json/list', '/json', '/json/version', '/']) {
        attempts++;
        const { body } = await httpGet(port, path);
        if (body.includes(secret) || /ws:\/\//.test(body)) crossings.push(`debug socket: ${path} answers ${body.slice(0, 80)}`);
        assert.ok(!body.includes(secret) && !/ws:\/\//.test(body), `${path} tells the address`);
      }
      // a near miss: the secret with its last character changed (to one it is not)
      const nearMiss = `${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}`;
      for (const path of ['/', '/ws', `/${denoPid(k)}`, '/00000000-0000-4000-8000-000000000000', `/${nearMiss}`]) {
        attempts++;
        const value = await evaluateThrough(`ws://127.0.0.1:${port}${path}`);
        if (value !== undefined) crossings.push(`debug socket: ran code through ${path} (${value})`);
        assert.equal(value, undefined, `a guessed path ${path} attached`);
      }
      // the address itself reaches Deno (what the debugger does), and nothing once the session ended
      assert.equal(await evaluateThrough(webSocketUrl), String(denoPid(k)));
      await k.kernel.debugClose();
      attempts++;
      assert.deepEqual(
        listeningPorts(worker).filter((p) => !before.has(p)),
        [],
        'the socket is closed',
      );
      assert.equal(await evaluateThrough(webSocketUrl), undefined);
    });
  });
});
