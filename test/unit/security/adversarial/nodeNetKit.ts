/**
 * Shared by the Node network, realm and debugger adversarial tests: loopback targets that count every packet and
 * connection they receive (a crossing is any hit), the kernel with declared permissions on a Node that enforces
 * them, and which TCP ports a process listens on (read from /proc, so another test's port 9229 is never mistaken
 * for ours).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InitParams, Permissions } from '../../../../protocol';
import { kernelLaunch } from '../../../../host/kernel/kernelLaunch';
import { requireRuntimes, runtimeBinary, toolsDir } from '../../../runtimeBinaries';
import { nodeBinaries, startKernel, WORKER, type TestKernel } from '../../helpers/testKernel';

/** How long an attempt may take before it counts as "nothing happened" (then hits are counted). */
export const ATTEMPT_MS = 3000;
/** Quiet time after an attempt for a late connection or packet to arrive. */
export const SETTLE_MS = 150;

/** A loopback place a kernel must never reach: TCP on 127.0.0.1 and ::1, UDP on 127.0.0.1, a unix socket. */
export interface Forbidden {
  tcp: number;
  tcp6: number;
  udp: number;
  unix: string;
  hits(): number;
  close(): Promise<void>;
}

export async function forbiddenTargets(): Promise<Forbidden> {
  let hits = 0;
  const count = (c: net.Socket) => {
    hits++;
    c.on('error', () => undefined).destroy();
  };
  const v4 = net.createServer(count);
  const v6 = net.createServer(count);
  const local = net.createServer(count);
  const unix = join(mkdtempSync(join(tmpdir(), 'coda-forbidden-')), 'forbidden.sock');
  const udp = dgram.createSocket('udp4');
  udp.on('message', () => hits++);
  await new Promise<void>((r) => v4.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => v6.listen(0, '::1', r));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => local.listen(unix, r));
  return {
    tcp: (v4.address() as net.AddressInfo).port,
    tcp6: (v6.address() as net.AddressInfo).port,
    udp: udp.address().port,
    unix,
    hits: () => hits,
    close: async () => {
      udp.close();
      await Promise.all([v4, v6, local].map((s) => new Promise((r) => s.close(r))));
    },
  };
}

/** The granted server: `/` answers "granted"; `/redirect?to=URL` redirects there. */
export async function grantedServer(): Promise<{ port: number; hits(): number; close(): Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to');
    if (to) {
      res.writeHead(302, { location: to });
      res.end();
    } else res.end('granted');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    hits: () => hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A Node whose permission model CodaJS can use (Node 24.12+): the e2e tools' or the runtime store's. */
export function permissionedNode(): string | undefined {
  const usable = (p: string) => execFileSync(p, ['-p', 'process.allowedNodeEnvironmentFlags.has("--allow-inspector")'], { encoding: 'utf8' }).trim() === 'true';
  const candidates = [...nodeBinaries().map((b) => b.path), runtimeBinary('node')].filter((p): p is string => !!p);
  return candidates.find(usable);
}

/** Skips (or fails, in CI) when no such Node is installed. */
export function needPermissionedNode(ctx: Mocha.Context): string {
  const node = permissionedNode();
  if (!node) {
    if (requireRuntimes) assert.fail('no Node.js with --allow-inspector (coda runtimes fetch node)');
    ctx.skip();
  }
  return node!;
}

/** A kernel started exactly as the extension and `coda run` start it (kernelLaunch), with `permissions`. */
export async function launchKernel(
  nodePath: string,
  cwd: string,
  permissions: Permissions | undefined,
  runtime: InitParams['runtime'] = 'node',
): Promise<TestKernel> {
  const init: InitParams = { cwd, documentPath: join(cwd, 'attack.coda'), runtime, permissions };
  const options = await kernelLaunch(init, { workerPath: WORKER, storage: toolsDir(), nodePath, sandboxMemoryMb: 128, sandboxCellTimeoutMs: 0 });
  return startKernel({ nodePath: options.nodePath, cwd, execArgv: options.execArgv, init: options.init });
}

/** Defined in the kernel before the attempts: settles on the first of `ok` (→ "CONNECTED") or `error`. */
export const SETTLE_HELPER = `globalThis.__settle = (emitter, ok = 'connect') => new Promise((resolve) => {
  emitter.once(ok, () => resolve('CONNECTED'));
  emitter.once('error', (e) => resolve('error ' + (e.code || e.name)));
});`;

/** Runs one attempt in the kernel: a crossing is a hit on a forbidden target or an attempt answering CONNECTED/CROSSED. */
export async function attempt(k: TestKernel, forbidden: { hits(): number }, code: string): Promise<{ crossed: boolean; outcome: string }> {
  const before = forbidden.hits();
  const r = await k.run(`await Promise.race([(async () => { ${code} })(), new Promise((r) => setTimeout(() => r('timeout'), ${ATTEMPT_MS}))])`);
  await new Promise((res) => setTimeout(res, SETTLE_MS));
  const outcome =
    r.status === 'ok'
      ? r.value?.type === 'string'
        ? r.value.value
        : JSON.stringify(r.value)
      : r.status === 'error'
        ? `${r.error.name}: ${r.error.message.slice(0, 120)}`
        : r.status;
  const crossed = forbidden.hits() !== before || /^(CONNECTED|CROSSED)/.test(outcome);
  return { crossed, outcome };
}

/** Runs every attempt, prints `<area>: N attempts, 0 crossings`, and fails naming each crossing. */
export async function runAttempts(area: string, attempts: { name: string; run(): Promise<{ crossed: boolean; outcome: string }> }[]): Promise<void> {
  const crossings: string[] = [];
  for (const a of attempts) {
    const { crossed, outcome } = await a.run();
    if (process.env.CODA_ATTEMPT_LOG) console.log(`  ${crossed ? 'CROSSED' : 'held'}: ${a.name} → ${outcome}`);
    if (crossed) crossings.push(`${a.name} → ${outcome}`);
  }
  console.log(`${area}: ${attempts.length} attempts, ${crossings.length} crossings`);
  assert.deepEqual(crossings, [], `${area}: crossed`);
}

/** TCP ports `pid` listens on (IPv4 and IPv6), from its socket inodes and /proc/net/tcp*. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return []; // the process is gone
  }
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(':').pop()!, 16));
    }
  }
  return ports;
}

/** Whether anything answers the inspector's /json/list on 127.0.0.1:9229 (for the message; ownership is by listeningPorts). */
export async function inspectorAnswers(port = 9229): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}
