/**
 * Issue 17 item 2: the installer's fast path (arborist resolves, CodaJS builds the tree from the content store,
 * installer/materializeTree.ts) against arborist's own reify of the same dependencies, on loopback registries: the
 * same packages at the same places with the same integrity and the same files, npm's semantics kept (a nested
 * conflict, a peer dependency, an optional dependency for another platform, a bin), and the npm config's scoped
 * registry and auth applied. Arborist's reify is what an install whose scripts may run uses.
 */
import { strict as assert } from 'node:assert';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstallParams, InstallResult } from '../../../protocol';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { ROOT } from '../helpers/testKernel';
import { startRegistry, type Registry } from './registryServer';

const OTHER_OS = process.platform === 'win32' ? 'linux' : 'win32';
const CRLF_BIN = '#!/usr/bin/env node\r\nconsole.log("tool");\r\n';

/** Every file of a store's node_modules (not `.bin`): relative path → content and whether it is executable. */
function files(modulePath: string): Map<string, { text: string; exec: boolean }> {
  const out = new Map<string, { text: string; exec: boolean }>();
  const walk = (rel: string) => {
    for (const d of readdirSync(join(modulePath, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${d.name}` : d.name;
      if (d.name === '.bin' || d.name === '.package-lock.json') continue;
      if (d.isDirectory()) walk(child);
      else out.set(child, { text: readFileSync(join(modulePath, child), 'utf8'), exec: (lstatSync(join(modulePath, child)).mode & 0o111) !== 0 });
    }
  };
  walk('');
  return out;
}

function hiddenLock(modulePath: string): Record<string, { version?: string; resolved?: string; integrity?: string }> {
  const { packages } = JSON.parse(readFileSync(join(modulePath, '.package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, string>> };
  return Object.fromEntries(Object.entries(packages).map(([k, v]) => [k, { version: v.version, resolved: v.resolved, integrity: v.integrity }]));
}

describe('the installer fast path builds the tree arborist would (loopback registries)', function () {
  this.timeout(120_000);
  let main: Registry;
  let scoped: Registry;
  let home: string;
  const client = new InstallerClient({ installerPath: join(ROOT, 'dist', 'installer.js') });
  const dependencies = { base: '2', 'old-user': '*', plugin: '*', native: '*', tool: '*', '@team/scoped': '*' };
  const params = (notebook: string, cache: string, over: Partial<InstallParams> = {}): InstallParams => {
    const { storeDir, cacheDir } = storeFor(join(home, cache), notebook);
    return { storeDir, cacheDir, dependencies, allowScripts: false, npmrcFrom: home, ...over };
  };

  before(async () => {
    main = await startRegistry([
      { name: 'base', version: '1.0.0' },
      { name: 'base', version: '2.0.0' },
      { name: 'old-user', version: '1.0.0', dependencies: { base: '^1.0.0' } },
      { name: 'host', version: '1.0.0' },
      { name: 'plugin', version: '1.0.0', fields: { peerDependencies: { host: '^1.0.0' } } },
      { name: 'native-other', version: '1.0.0', fields: { os: [OTHER_OS] } },
      { name: 'native-here', version: '1.0.0' },
      { name: 'alias-user', version: '1.0.0', dependencies: { 'old-base': 'npm:base@1' } },
      { name: 'native', version: '1.0.0', fields: { optionalDependencies: { 'native-other': '1.0.0', 'native-here': '1.0.0' } } },
      { name: 'tool', version: '1.0.0', fields: { bin: { tool: './bin/tool.js' } }, files: { 'bin/tool.js': CRLF_BIN, 'lib/deep/a.js': 'a' } },
      {
        name: 'bundler',
        version: '1.0.0',
        dependencies: { inside: '1.0.0' },
        fields: { bundleDependencies: ['inside'] },
        files: { 'node_modules/inside/package.json': '{"name":"inside","version":"1.0.0"}', 'node_modules/inside/index.js': 'module.exports = "bundled";' },
      },
    ]);
    scoped = await startRegistry([{ name: '@team/scoped', version: '0.1.0', private: true, dependencies: { base: '^2.0.0' } }]);
    home = mkdtempSync(join(tmpdir(), 'coda-fast-'));
    const port = (r: Registry) => new URL(r.url).port;
    // the user's npm config: a registry, a scoped registry, a token for each (through a variable, as users write it)
    writeFileSync(
      join(home, '.npmrc'),
      [
        `registry=${main.url}`,
        `//127.0.0.1:${port(main)}/:_authToken=\${CODA_TEST_TOKEN}`,
        `@team:registry=${scoped.url}`,
        `//127.0.0.1:${port(scoped)}/:_authToken=\${CODA_TEST_TOKEN}`,
        '',
      ].join('\n'),
    );
    process.env.CODA_TEST_TOKEN = main.token;
  });
  after(async () => {
    await client.close();
    await main.close();
    await scoped.close();
    rmSync(home, { recursive: true, force: true });
  });

  let fast: InstallResult;
  let arborist: InstallResult;

  it('installs through the fast path, each packument asked for once, the scoped package from its registry with its token', async () => {
    const said: string[] = [];
    fast = await client.install(params('/nb/fast.coda', 'cache-fast'), { onProgress: (m) => said.push(m) });
    assert.ok(fast.phases?.['build from the content store'] !== undefined, `the fast path built it: ${JSON.stringify(fast.phases)}`);
    // CodaJS placed the tree itself (installer/leanResolve.ts), arborist loaded and checked it
    assert.ok(fast.phases?.resolve !== undefined, JSON.stringify(fast.phases));
    assert.ok(!said.some((m) => /arborist resolves this tree/.test(m)), said.join('\n'));
    // the installer's CPU time: some, and no more than its threads could spend in the install's wall time
    assert.ok(fast.cpuMs! > 0 && fast.cpuMs! <= fast.durationMs * cpus().length + 20, `cpu ${fast.cpuMs} ms in ${fast.durationMs} ms`);
    assert.equal(fast.installed['@team/scoped'], '0.1.0');
    for (const [path, hits] of main.hits) if (!path.includes('/-/') && !path.startsWith('@types/')) assert.equal(hits, 1, `${path} asked for ${hits} times`);
    assert.equal(main.hits.get('@team/scoped'), undefined, 'never asked of the main registry');
    assert.equal(scoped.hits.get('@team/scoped'), 1);
    assert.equal(scoped.tarballHits(), 1);
  });

  it('and arborist reify (scripts allowed) installs the same tree: packages, places, versions, integrity, files', async () => {
    arborist = await client.install(params('/nb/arborist.coda', 'cache-arborist', { allowScripts: true }));
    assert.ok(arborist.phases?.['arborist reify'] !== undefined, `arborist built it: ${JSON.stringify(arborist.phases)}`);
    assert.deepEqual(fast.lock, arborist.lock);
    assert.deepEqual(hiddenLock(fast.modulePath), hiddenLock(arborist.modulePath));
    assert.deepEqual([...files(fast.modulePath)].sort(), [...files(arborist.modulePath)].sort());
  });

  it("keeps npm's semantics: a nested conflict, a peer dependency, an optional one for another platform left out, bins", () => {
    const lock = fast.lock;
    assert.equal(lock['node_modules/base']?.version, '2.0.0');
    assert.equal(lock['node_modules/old-user/node_modules/base']?.version, '1.0.0');
    assert.equal(lock['node_modules/host']?.version, '1.0.0', 'the peer dependency is installed');
    assert.ok(lock['node_modules/native-here']);
    assert.equal(lock['node_modules/native-other'], undefined, 'not for this platform');
    const tool = files(fast.modulePath).get('tool/bin/tool.js')!;
    assert.deepEqual(tool, { text: CRLF_BIN.replace('\r\n', '\n'), exec: true });
  });

  it('a run with the lock of that install, in another cache, builds the same tree: the peer nothing else needs is kept', async () => {
    const again = await client.install(params('/nb/again.coda', 'cache-again', { lock: fast.lock }));
    assert.deepEqual(again.lock, fast.lock);
    assert.equal(again.lock['node_modules/host']?.version, '1.0.0');
    assert.ok(lstatSync(join(again.modulePath, 'host', 'package.json')).isFile());
  });

  it('leaves a tree it cannot place plainly (an alias) to arborist, and says so', async () => {
    const said: string[] = [];
    const r = await client.install(params('/nb/alias.coda', 'cache-fast', { dependencies: { 'alias-user': '*' } }), { onProgress: (m) => said.push(m) });
    assert.ok(
      said.some((m) => /arborist resolves this tree: old-base@npm:base@1 is not a registry range, version or tag/.test(m)),
      said.join('\n'),
    );
    assert.equal(r.lock['node_modules/old-base']?.version, '1.0.0');
    assert.equal(r.lock['node_modules/old-base']?.name, 'base');
    assert.equal(JSON.parse(readFileSync(join(r.modulePath, 'old-base', 'package.json'), 'utf8')).name, 'base');
  });

  it('leaves a tree it cannot build as arborist would (bundled dependencies) to arborist, and says so', async () => {
    // (a bundled package has no integrity of its own: only a notebook that accepts unverified entries installs one)
    const said: string[] = [];
    const r = await client.install(params('/nb/bundled.coda', 'cache-fast', { dependencies: { bundler: '1.0.0' }, allowUnverifiedLock: true }), {
      onProgress: (m) => said.push(m),
    });
    assert.ok(r.phases?.['arborist reify'] !== undefined, JSON.stringify(r.phases));
    assert.ok(
      said.some((m) => /arborist installs this tree: node_modules\/bundler bundles dependencies/.test(m)),
      said.join('\n'),
    );
    assert.equal(readFileSync(join(r.modulePath, 'bundler', 'node_modules', 'inside', 'index.js'), 'utf8'), 'module.exports = "bundled";');
  });
});
