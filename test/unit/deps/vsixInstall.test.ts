import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { InstallParams } from '../../../protocol';
import { InstallerClient, storeFor } from '../../../host/deps/InstallerClient';
import { nodeBinaries } from '../../nodeBinaries';
import { packageVsix } from '../helpers/packagedVsix';
import { startRegistry, type Registry } from './registryServer';

/** npm's own node-gyp, the one install scripts get from a VSIX (which ships no node_modules). */
function npmNodeGyp(): string | undefined {
  try {
    const npm = realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
    const pkg = join(dirname(npm), '..', 'node_modules', 'node-gyp', 'package.json');
    return existsSync(pkg) ? (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Issue 11 item 14: the installer of the packaged extension runs install scripts. The VSIX is built the way
 * `npm run package` builds it (test/unit/helpers/packagedVsix.ts), and its extension/dist/installer.js installs from
 * a loopback registry.
 */
describe('the packaged VSIX runs install scripts', function () {
  this.timeout(180_000);
  let work: string;
  let installer: string;
  let registry: Registry;
  const clients: InstallerClient[] = [];
  const savedNodeGyp = process.env.npm_config_node_gyp;
  const params = (notebook: string, dependencies: Record<string, string>, over: Partial<InstallParams> = {}): InstallParams => {
    const { storeDir, cacheDir } = storeFor(join(work, 'cache'), notebook);
    return { storeDir, cacheDir, dependencies, allowScripts: true, npmrcFrom: work, ...over };
  };
  const client = (nodePath?: string) => {
    const c = new InstallerClient({ installerPath: installer, nodePath });
    clients.push(c);
    return c;
  };

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'coda-vsix-'));
    const { extension } = packageVsix(work);
    installer = join(extension, 'dist', 'installer.js');
    assert.ok(existsSync(installer), 'the VSIX holds the installer');
    assert.deepEqual(readdirSync(join(extension, 'node_modules')), ['codajs-tsplugin'], 'the VSIX ships no node_modules but the TypeScript plugin');
    registry = await startRegistry([
      // esbuild's shape: a postinstall that is plain `node install.js` and writes into its own folder
      {
        name: 'with-postinstall',
        version: '1.0.0',
        scripts: { postinstall: 'node install.js' },
        files: { 'install.js': 'require("fs").writeFileSync(__dirname + "/installed.txt", "ok");' },
      },
      // a script that needs npm's node-gyp resolution (npm_config_node_gyp and the node-gyp on PATH)
      {
        name: 'needs-gyp',
        version: '1.0.0',
        scripts: { install: 'node-gyp --version > gyp-version.txt && node "$npm_config_node_gyp" --version > gyp-env.txt' },
      },
    ]);
    writeFileSync(join(work, '.npmrc'), `registry=${registry.url}\n`);
    // as the extension host has it: npm is not what started CodaJS, so nothing points at node-gyp
    delete process.env.npm_config_node_gyp;
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await registry?.close();
    if (savedNodeGyp !== undefined) process.env.npm_config_node_gyp = savedNodeGyp;
    rmSync(work, { recursive: true, force: true });
  });

  it('the example: a package with a `node install.js` postinstall installs (no permissions declared)', async () => {
    const r = await client().install(params('/nb/post.coda', { 'with-postinstall': '1.0.0' }));
    assert.equal(readFileSync(join(r.modulePath, 'with-postinstall', 'installed.txt'), 'utf8'), 'ok');
  });

  it('the same package installs confined, for a notebook with permissions {} (installer on Node 24)', async function () {
    const node24 = nodeBinaries().find((n) => n.name === 'node 24')?.path;
    if (!node24) throw new Error('Node 24 is needed (node dist/cli.js runtimes fetch all --dir .tools)');
    const r = await client(node24).install(params('/nb/post-confined.coda', { 'with-postinstall': '1.0.0' }, { permissions: {} }));
    assert.equal(readFileSync(join(r.modulePath, 'with-postinstall', 'installed.txt'), 'utf8'), 'ok');
  });

  it("a script that runs node-gyp gets npm's own node-gyp, found without node_modules in the VSIX", async function () {
    const version = npmNodeGyp();
    if (!version) throw new Error('this test needs npm (with its node-gyp) on PATH, as a machine that builds native packages has');
    const r = await client().install(params('/nb/gyp.coda', { 'needs-gyp': '1.0.0' }));
    assert.equal(readFileSync(join(r.modulePath, 'needs-gyp', 'gyp-version.txt'), 'utf8').trim(), `v${version}`);
    assert.equal(readFileSync(join(r.modulePath, 'needs-gyp', 'gyp-env.txt'), 'utf8').trim(), `v${version}`);
  });
});
