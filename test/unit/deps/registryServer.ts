/**
 * A small npm registry on loopback for the dependency tests: it serves packuments and real tarballs made by
 * `npm pack` from fixture packages, the two calls pacote makes. It can require a token for some packages, stop
 * answering (no network), and counts what it serves. (verdaccio, the usual choice, cannot be installed from this
 * machine's registry mirror: its dependency `node-fetch@cjs` names a dist-tag the mirror does not have.)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FixturePackage {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  /** index.js source */
  main?: string;
  /** needs `Authorization: Bearer <token>` */
  private?: boolean;
}

export interface Registry {
  url: string;
  token: string;
  hits: Map<string, number>;
  tarballHits(): number;
  /** Serves altered bytes for this package's tarballs from now on (the packument's integrity stays). */
  tamper(name: string): void;
  /** Stops answering (connections refused) until start() again. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startRegistry(packages: FixturePackage[]): Promise<Registry> {
  const work = mkdtempSync(join(tmpdir(), 'coda-registry-'));
  const dirs = packages.map((p, i) => {
    const dir = join(work, `src-${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: p.name, version: p.version, main: 'index.js', dependencies: p.dependencies ?? {} }));
    writeFileSync(join(dir, 'index.js'), p.main ?? `module.exports = { name: ${JSON.stringify(p.name)}, version: ${JSON.stringify(p.version)} };`);
    return dir;
  });
  const out = join(work, 'tarballs');
  mkdirSync(out);
  const pack = spawnSync('npm', ['pack', '--silent', '--json', '--pack-destination', out, ...dirs], { encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const packed = JSON.parse(pack.stdout) as { filename: string }[];
  const token = 'test-token-123';
  const hits = new Map<string, number>();
  const tampered = new Set<string>();
  let server: Server | undefined;
  let port = 0;
  const url = () => `http://127.0.0.1:${port}/`;
  const packument = (name: string) => {
    const versions = packages.filter((p) => p.name === name);
    if (!versions.length) return undefined;
    const doc: Record<string, unknown> = { name, 'dist-tags': { latest: versions[versions.length - 1]!.version }, versions: {} };
    for (const p of versions) {
      const file = packed[packages.indexOf(p)]!.filename;
      const bytes = readFileSync(join(out, file));
      (doc.versions as Record<string, unknown>)[p.version] = {
        name, version: p.version, dependencies: p.dependencies ?? {},
        dist: { tarball: `${url()}-/${file}`, integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`, shasum: createHash('sha1').update(bytes).digest('hex') },
      };
    }
    return doc;
  };
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((req, res) => {
        const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
        hits.set(path, (hits.get(path) ?? 0) + 1);
        const isTarball = path.startsWith('-/');
        const fixture = packages.find((p) => (isTarball ? packed[packages.indexOf(p)]!.filename === path.slice(2) : p.name === path));
        if (fixture?.private && req.headers.authorization !== `Bearer ${token}`) {
          res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
          return;
        }
        if (isTarball && fixture) {
          const bytes = readFileSync(join(out, path.slice(2)));
          if (tampered.has(fixture.name)) bytes[bytes.length - 1] ^= 0xff;
          res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes);
          return;
        }
        const doc = packument(path);
        if (!doc) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const stopServer = () => new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await listen();
  return {
    get url() {
      return url();
    },
    token,
    hits,
    tamper: (name) => void tampered.add(name),
    tarballHits: () => [...hits.entries()].filter(([p]) => p.startsWith('-/')).reduce((n, [, c]) => n + c, 0),
    stop: async () => {
      server?.closeAllConnections();
      await stopServer();
    },
    start: listen,
    close: async () => {
      server?.closeAllConnections();
      await stopServer();
    },
  };
}
