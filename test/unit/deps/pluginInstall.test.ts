/**
 * Kernel plugins installed like dependencies: a notebook names two plugin packages (one with a dependency of its own)
 * and a local plugin file that needs a package (`// @coda-dep`); `coda run` installs all of them from the loopback
 * registry into the notebook's store and the kernel loads them in list order.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/testKernel';
import { homeWithNpmrc, startRegistry, type Registry } from './registryServer';

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
    rmSync(home, { recursive: true, force: true });
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
});
