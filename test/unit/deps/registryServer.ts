/**
 * A small npm registry on loopback for the dependency tests: it serves packuments and real tarballs made by
 * `npm pack` from fixture packages, the two calls pacote makes. It can require a token for some packages, stop
 * answering (no network), and counts what it serves. (verdaccio, the usual choice, cannot be installed from this
 * machine's registry mirror: its dependency `node-fetch@cjs` names a dist-tag the mirror does not have.)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer, type Http2SecureServer, type Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface FixturePackage {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  /** index.js source */
  main?: string;
  /** needs `Authorization: Bearer <token>` */
  private?: boolean;
  /** package.json `scripts` (install scripts run only when a notebook allows them) */
  scripts?: Record<string, string>;
  /** the packument lists only a sha1 `shasum`, as for packages published before npm recorded sha512 */
  sha1Only?: boolean;
  /** more files: path inside the package -> content */
  files?: Record<string, string | Buffer>;
  /** more package.json fields, in the packument too (peerDependencies, optionalDependencies, os, cpu, bin, …) */
  fields?: Record<string, unknown>;
}

export interface Registry {
  url: string;
  token: string;
  hits: Map<string, number>;
  /** Requests served, by HTTP version ('1.1', '2.0'). */
  versions: Map<string, number>;
  tarballHits(): number;
  /** Serves altered bytes for this package's tarballs from now on (the packument's integrity stays). */
  tamper(name: string): void;
  /** Serves the package's real bytes again. */
  untamper(name: string): void;
  /** Sends only the first part of this package's tarballs, then holds the connection open; calls `onStall` once sent. */
  stall(name: string, onStall: () => void, fraction?: number): void;
  /** Serves the package's tarballs whole again. */
  unstall(name: string): void;
  /** The tarball URL npm's layout gives a package version (`<registry><name>/-/<name without scope>-<version>.tgz`). */
  tarballUrl(name: string, version: string): string;
  /** Stops answering (connections refused) until start() again. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface RegistryOptions {
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
  /** With `tls`: speak HTTP/2 as well as HTTP/1.1 (ALPN), as the npm registry does. */
  http2?: boolean;
  /** With `http2`: answer every request made over HTTP/2 this way (a body cut short, an error status, a reset). */
  http2Fault?: 'short' | 'status' | 'reset';
}

export async function startRegistry(packages: FixturePackage[], options: RegistryOptions = {}): Promise<Registry> {
  const work = mkdtempSync(join(tmpdir(), 'coda-registry-'));
  const dirs = packages.map((p, i) => {
    const dir = join(work, `src-${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: p.name,
        version: p.version,
        main: 'index.js',
        dependencies: p.dependencies ?? {},
        ...(p.scripts ? { scripts: p.scripts } : {}),
        ...p.fields,
      }),
    );
    writeFileSync(join(dir, 'index.js'), p.main ?? `module.exports = { name: ${JSON.stringify(p.name)}, version: ${JSON.stringify(p.version)} };`);
    for (const [file, content] of Object.entries(p.files ?? {})) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), content);
    }
    return dir;
  });
  const out = join(work, 'tarballs');
  mkdirSync(out);
  // --ignore-scripts: npm pack would otherwise run a fixture's own `prepare`-style scripts here
  const pack = spawnSync('npm', ['pack', '--silent', '--json', '--ignore-scripts', '--pack-destination', out, ...dirs], { encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const packed = JSON.parse(pack.stdout) as { filename: string }[];
  const token = 'test-token-123';
  const hits = new Map<string, number>();
  const tampered = new Set<string>();
  const stalled = new Map<string, { onStall: () => void; fraction: number }>();
  // npm's tarball layout, so lock entries point where a real registry's would
  const tarballPath = (p: FixturePackage) => `${p.name}/-/${p.name.slice(p.name.lastIndexOf('/') + 1)}-${p.version}.tgz`;
  const fileOf = (p: FixturePackage) => packed[packages.indexOf(p)]!.filename;
  let server: Server | Http2SecureServer | undefined;
  const sessions = new Set<Http2Session>();
  const sockets = new Set<Socket>();
  const versions = new Map<string, number>();
  let port = 0;
  const url = () => `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/`;
  const packument = (name: string) => {
    const versions = packages.filter((p) => p.name === name);
    if (!versions.length) return undefined;
    const doc: Record<string, unknown> = { name, 'dist-tags': { latest: versions[versions.length - 1]!.version }, versions: {} };
    for (const p of versions) {
      const bytes = readFileSync(join(out, fileOf(p)));
      (doc.versions as Record<string, unknown>)[p.version] = {
        name,
        version: p.version,
        dependencies: p.dependencies ?? {},
        ...(p.scripts ? { scripts: p.scripts, hasInstallScript: true } : {}),
        ...p.fields,
        dist: {
          tarball: `${url()}${tarballPath(p)}`,
          ...(p.sha1Only ? {} : { integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}` }),
          shasum: createHash('sha1').update(bytes).digest('hex'),
        },
      };
    }
    return doc;
  };
  const listen = () =>
    new Promise<void>((resolve) => {
      const handle = (req: IncomingMessage, res: ServerResponse) => {
        const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
        hits.set(path, (hits.get(path) ?? 0) + 1);
        versions.set(req.httpVersion, (versions.get(req.httpVersion) ?? 0) + 1);
        if (req.httpVersion === '2.0' && options.http2Fault) {
          const fault = options.http2Fault;
          if (fault === 'status') res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"busy"}');
          else if (fault === 'reset') (res as unknown as { stream: { close(code: number): void } }).stream.close(2);
          // the length of a whole answer, half of it sent
          else res.writeHead(200, { 'content-type': 'application/json', 'content-length': 4096 }).end('{"name":"');
          return;
        }
        const isTarball = path.includes('/-/');
        const fixture = packages.find((p) => (isTarball ? tarballPath(p) === path : p.name === path));
        if (fixture?.private && req.headers.authorization !== `Bearer ${token}`) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
          return;
        }
        if (isTarball && fixture) {
          const bytes = readFileSync(join(out, fileOf(fixture)));
          if (tampered.has(fixture.name)) bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
          const stall = stalled.get(fixture.name);
          if (stall) {
            // a download cut short: the headers promise every byte, only the first part comes
            res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
            res.write(bytes.subarray(0, Math.floor(bytes.length * stall.fraction)), () => stall.onStall());
            return;
          }
          // as the npm registry does: a HEAD request learns the size too
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
          return;
        }
        const doc = packument(path);
        if (!doc) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
      };
      if (options.tls && options.http2) {
        const h2 = createSecureServer({ ...options.tls, allowHTTP1: true }, handle as never);
        h2.on('session', (s: Http2Session) => {
          sessions.add(s);
          s.once('close', () => sessions.delete(s));
        });
        // HTTP/1.1 connections too (an Http2SecureServer has no closeAllConnections)
        h2.on('secureConnection', (socket: Socket) => {
          sockets.add(socket);
          socket.once('close', () => sockets.delete(socket));
        });
        server = h2;
      } else server = options.tls ? createHttpsServer(options.tls, handle) : createServer(handle);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const stopServer = () => new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  const dropConnections = () => {
    for (const s of sessions) s.destroy();
    for (const s of sockets) s.destroy();
    (server as Server | undefined)?.closeAllConnections?.();
  };
  await listen();
  return {
    get url() {
      return url();
    },
    token,
    hits,
    versions,
    tamper: (name) => void tampered.add(name),
    untamper: (name) => void tampered.delete(name),
    stall: (name, onStall, fraction = 0.5) => void stalled.set(name, { onStall, fraction }),
    unstall: (name) => void stalled.delete(name),
    tarballUrl: (name, version) => `${url()}${tarballPath(packages.find((p) => p.name === name && p.version === version)!)}`,
    tarballHits: () => [...hits.entries()].filter(([p]) => p.includes('/-/')).reduce((n, [, c]) => n + c, 0),
    stop: async () => {
      dropConnections();
      await stopServer();
    },
    start: listen,
    close: async () => {
      dropConnections();
      await stopServer();
    },
  };
}

/**
 * A fresh home folder whose `.npmrc` names this registry and its auth token the way users' files do (the token
 * through `${CODA_TEST_TOKEN}`, which is set here).
 */
export function homeWithNpmrc(registry: Registry, prefix: string): string {
  const home = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(home, '.npmrc'), `registry=${registry.url}\n//127.0.0.1:${new URL(registry.url).port}/:_authToken=\${CODA_TEST_TOKEN}\n`);
  process.env.CODA_TEST_TOKEN = registry.token;
  return home;
}

/** The version of `name` installed under `modulePath` (a store's node_modules), or undefined when it is not there. */
export function installedVersion(modulePath: string, name: string): string | undefined {
  const file = join(modulePath, name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined;
}
