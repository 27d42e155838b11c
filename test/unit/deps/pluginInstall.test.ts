/**
 * Kernel plugins installed like dependencies: a notebook names two plugin packages (one with a dependency of its own)
 * and a local plugin file that needs a package (`// @coda-dep`); `coda run` installs all of them from the loopback
 * registry into the notebook's store and the kernel loads them in list order.
 */
import { strict as assert } from 'node:assert';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireRuntimes } from '../../runtimeBinaries';
import { nodeBinaries, ROOT } from '../helpers/testKernel';
import { homeWithNpmrc, startRegistry, type Registry } from './registryServer';
import { removeTempDir } from '../helpers/removeTempDir';

const CLI = join(ROOT, 'dist', 'cli.js');

describe('kernel plugins from the registry (coda run)', function () {
  this.timeout(120_000);
  let registry: Registry;
  let home: string;

  before(async () => {
    registry = await startRegistry([
      { name: 'stamp-words', version: '1.2.0', main: 'exports.word = "stamped";' },
      {
        name: 'coda-plugin-stamp',
        version: '1.0.0',
        dependencies: { 'stamp-words': '^1.0.0' },
        main: `module.exports = { name: 'stamp', setup(ctx) { ctx.globals.stamp = require('stamp-words').word; },
          afterExecute(cell, outcome) { (globalThis.seen ??= []).push('stamp'); } };`,
      },
      {
        name: 'coda-plugin-shout',
        version: '2.0.0',
        main: `module.exports = () => ({ name: 'shout', transformCell: (src) => src.replace(/!!(\\w+)/g, '$1.toUpperCase()'),
          afterExecute() { globalThis.seen.push('shout'); } });`,
      },
    ]);
    home = homeWithNpmrc(registry, 'coda-plugins-');
  });
  after(async () => {
    await registry.close();
    removeTempDir(home);
  });

  it('installs the plugin packages and what a local plugin file names, then runs their hooks in list order', async () => {
    const dir = join(home, 'nb');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'local-plugin.js'),
      `// @coda-dep stamp-words@^1\nmodule.exports = { name: 'local', setup(ctx) { ctx.globals.fromLocal = ctx.require('stamp-words').word + ' locally'; }, afterExecute() { globalThis.seen.push('local'); } };\n`,
    );
    const notebook = {
      coda: 1,
      metadata: { plugins: ['coda-plugin-stamp', 'coda-plugin-shout@^2', './local-plugin.js'] },
      cells: [
        { kind: 'code', language: 'javascript', source: ['console.log(!!stamp, fromLocal)'] },
        { kind: 'code', language: 'javascript', source: ['seen.join(" ")'] },
      ],
    };
    writeFileSync(join(dir, 'p.coda'), JSON.stringify(notebook));
    // not spawnSync: the registry answers from this process
    const r = await promisify(execFile)(process.execPath, [CLI, 'run', join(dir, 'p.coda')], {
      encoding: 'utf8',
      // npm test exports npm_config_userconfig (the runner's own ~/.npmrc), which npm and CodaJS read before $HOME's
      env: { ...process.env, NO_COLOR: '1', HOME: home, XDG_CACHE_HOME: join(home, 'cache'), npm_config_userconfig: join(home, '.npmrc') },
      timeout: 100_000,
    });
    assert.match(r.stderr, /installing .*coda-plugin-stamp/);
    assert.match(r.stdout, /STAMPED stamped locally/);
    assert.match(r.stdout, /'stamp shout local'/);
    assert.ok((registry.hits.get('coda-plugin-shout') ?? 0) > 0, 'the plugin came from the registry');
  });

  const coda = (cwd: string, ...args: string[]) =>
    promisify(execFile)(process.execPath, [CLI, 'run', ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', HOME: home, XDG_CACHE_HOME: join(home, 'cache'), npm_config_userconfig: join(home, '.npmrc') },
      timeout: 100_000,
    }).catch((err: { code?: number; stdout: string; stderr: string }) => err);

  it('coda run --plugin adds a registry package and a file (named from where coda runs) before the notebook’s own plugins', async () => {
    const dir = join(home, 'nb2');
    mkdirSync(join(home, 'mine'), { recursive: true });
    mkdirSync(dir);
    writeFileSync(
      join(home, 'mine', 'local-plugin.js'),
      `// @coda-dep stamp-words@^1\nmodule.exports = { name: 'local', setup(ctx) { ctx.globals.fromLocal = ctx.require('stamp-words').word + ' locally'; }, afterExecute() { (globalThis.seen ??= []).push('local'); } };\n`,
    );
    const notebook = {
      coda: 1,
      metadata: { plugins: ['coda-plugin-shout@^2'] },
      cells: [
        { kind: 'code', language: 'javascript', source: ['console.log(!!stamp, fromLocal)'] },
        { kind: 'code', language: 'javascript', source: ['seen.join(" ")'] },
      ],
    };
    writeFileSync(join(dir, 'p.coda'), JSON.stringify(notebook));
    const r = await coda(home, join(dir, 'p.coda'), '--plugin', 'coda-plugin-stamp', '--plugin', './mine/local-plugin.js');
    assert.equal((r as { code?: number }).code ?? 0, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /installing .*coda-plugin-stamp/);
    assert.match(r.stdout, /STAMPED stamped locally/);
    // hook order: the command line's plugins in their order, then the notebook's
    assert.match(r.stdout, /'stamp local shout'/);
  });

  it('coda run --plugin loads the plugin under the notebook’s permissions: what it reads is denied, and the cell says which plugin', async function () {
    const node = nodeBinaries().find(
      (b) => execFileSync(b.path, ['-p', 'process.allowedNodeEnvironmentFlags.has("--allow-inspector")'], { encoding: 'utf8' }).trim() === 'true',
    );
    if (!node) {
      if (requireRuntimes) assert.fail('no Node with --allow-inspector (set CODA_TOOLS_DIR)');
      this.skip();
    }
    const dir = join(home, 'nb3');
    mkdirSync(dir);
    writeFileSync(join(dir, 'secret.txt'), 'not granted');
    writeFileSync(
      join(dir, 'reader.js'),
      `module.exports = { name: 'reader', setup(ctx) { ctx.globals.fromPlugin = require('node:fs').readFileSync(require('node:path').join(ctx.cwd, 'secret.txt'), 'utf8'); } };`,
    );
    writeFileSync(
      join(dir, 'p.coda'),
      JSON.stringify({ coda: 1, metadata: { permissions: {} }, cells: [{ kind: 'code', language: 'javascript', source: ['typeof fromPlugin'] }] }),
    );
    const r = await coda(dir, join(dir, 'p.coda'), '--plugin', './reader.js', '--node', node!.path);
    assert.equal((r as { code?: number }).code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /PluginError: The plugin 'reader' failed in setup: PermissionDenied/);
  });
});
