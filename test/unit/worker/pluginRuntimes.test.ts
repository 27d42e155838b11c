/**
 * Where kernel plugins work: Deno and Bun run the same NodeRuntime in their sidecar agent, so every hook works there;
 * the Sandbox refuses plugins with an error that says so (nothing of a plugin may enter the isolate).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isCodaError } from '../../../protocol';
import { requireRuntimes, runtimeBinary } from '../../runtimeBinaries';
import { startKernel } from '../helpers/testKernel';

const PLUGIN = `module.exports = {
  name: 'tagged',
  setup(ctx) { ctx.globals.Tag = class Tag { constructor(t) { this.t = t; } }; ctx.globals.pluginRuntime = ctx.runtime; },
  transformCell: (src) => src.replace(/#tag\\((\\w+)\\)/g, 'new Tag("$1")'),
  formatValue: (v) => (v instanceof globalThis.Tag ? { preview: '#' + v.t } : undefined),
};`;

function pluginFile(): { cwd: string; path: string } {
  const cwd = mkdtempSync(join(tmpdir(), 'coda-plugin-rt-'));
  writeFileSync(join(cwd, 'tagged.js'), PLUGIN);
  return { cwd, path: join(cwd, 'tagged.js') };
}

describe('kernel plugins per runtime', function () {
  this.timeout(60_000);

  for (const runtime of ['deno', 'bun'] as const) {
    it(`${runtime}: setup, transformCell and formatValue work in the sidecar`, async function () {
      const runtimePath = runtimeBinary(runtime);
      if (!runtimePath) {
        if (requireRuntimes) assert.fail(`${runtime} is missing from the runtime store`);
        this.skip();
      }
      const { cwd, path } = pluginFile();
      const k = await startKernel({ cwd, init: { runtime, runtimePath, plugins: [path] } });
      try {
        assert.equal(await k.value('pluginRuntime'), runtime);
        assert.equal(await k.value('#tag(hello)'), '#hello');
        // inside another value too, in its preview and its full text (Deno quotes a symbol's description)
        const r = await k.run("({ tags: [#tag(a), #tag(b)], note: 'x'.repeat(70) })");
        assert.ok(r.status === 'ok' && r.value?.type === 'object', JSON.stringify(r));
        assert.match(r.value.preview, /tags: \[ #a, #b \]/);
        assert.match(r.value.text ?? '', /tags: \[ #a, #b \]/);
      } finally {
        k.kernel.dispose();
      }
    });
  }

  it('deno: a plugin file loads under `permissions: {}`, and what it reads is still denied', async function () {
    const runtimePath = runtimeBinary('deno');
    if (!runtimePath) {
      if (requireRuntimes) assert.fail('deno is missing from the runtime store');
      this.skip();
    }
    const { cwd, path } = pluginFile();
    writeFileSync(join(cwd, 'secret.txt'), 'not granted');
    writeFileSync(
      join(cwd, 'reader.js'),
      `module.exports = { name: 'reader', setup(ctx) { ctx.globals.read = () => require('node:fs').readFileSync(require('node:path').join(ctx.cwd, 'secret.txt'), 'utf8'); } };`,
    );
    const k = await startKernel({ cwd, init: { runtime: 'deno', runtimePath, permissions: {}, plugins: [path, join(cwd, 'reader.js')] } });
    try {
      assert.equal(await k.value('#tag(ok)'), '#ok');
      const r = await k.run('read()');
      assert.equal(r.status === 'error' && r.error.name, 'PermissionDenied', JSON.stringify(r));
    } finally {
      k.kernel.dispose();
    }
  });

  it('the Sandbox refuses plugins, saying why', async function () {
    const node = runtimeBinary('node');
    const modulesDir = runtimeBinary('isolated-vm');
    if (!node || !modulesDir) {
      if (requireRuntimes) assert.fail('Node 24 / isolated-vm missing from the runtime store');
      this.skip();
    }
    const { cwd, path } = pluginFile();
    const k = await startKernel({
      cwd,
      nodePath: node,
      execArgv: ['--no-node-snapshot'],
      init: { runtime: 'sandbox', sandbox: { modulesDir: modulesDir!, memoryMb: 128, cellTimeoutMs: 0 }, permissions: {}, plugins: [path] },
    });
    try {
      const r = await k.run('1 + 1');
      assert.equal(r.status, 'error');
      if (r.status !== 'error') return;
      assert.ok(isCodaError(r.error, 'PluginsUnsupported'), JSON.stringify(r.error));
      assert.match(r.error.message, /The Sandbox kernel cannot load plugins .*tagged\.js/);
    } finally {
      k.kernel.dispose();
    }
  });
});
