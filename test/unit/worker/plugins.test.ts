/**
 * Kernel plugins (protocol/plugins.ts, worker/plugins/) on a real Node kernel: plugins from files, their hooks in list
 * order, a custom preview and expansion, a line-preserving transform, and plugins that fail (the cell says which
 * plugin; the kernel lives on). Packages from the registry: test/unit/deps/pluginInstall.test.ts.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecuteResult } from '../../../protocol';
import { isCodaError } from '../../../protocol';
import { nodePermissionArgs } from '../../../host/kernel/nodePermissionArgs';
import { nodePermissionSupport } from '../../../host/kernel/nodePermissionSupport';
import { requireRuntimes } from '../../runtimeBinaries';
import { nodeBinaries, ROOT, startKernel, type TestKernel } from '../helpers/testKernel';

/** A plugin file that logs each hook it runs to globalThis.__order (so a cell can read the order). */
const recorder = (name: string, extra = '') => `
module.exports = {
  name: ${JSON.stringify(name)},
  setup(ctx) { (ctx.globals.__order ??= []).push('${name}:setup'); ${extra} },
  transformCell(source) { (globalThis.__order ??= []).push('${name}:transformCell'); return source.replace(/__NAME__/g, ${JSON.stringify(JSON.stringify(name))}); },
  beforeExecute(cell) { globalThis.__order.push('${name}:beforeExecute'); },
  afterExecute(cell, outcome) { globalThis.__order.push('${name}:afterExecute:' + outcome.status); },
};`;

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'coda-plugins-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function errorOf(r: ExecuteResult) {
  assert.equal(r.status, 'error', JSON.stringify(r));
  return r.status === 'error' ? r.error : assert.fail();
}

describe('kernel plugins', function () {
  this.timeout(30_000);
  let k: TestKernel | undefined;
  afterEach(() => k?.kernel.dispose());

  it('runs every hook of every plugin in list order (the built-in Jupyter plugin stays)', async () => {
    const cwd = folder({ 'a.js': recorder('a'), 'b.js': recorder('b') });
    k = await startKernel({ cwd, init: { plugins: [join(cwd, 'a.js'), join(cwd, 'b.js')] } });
    assert.equal(await k.value('__NAME__'), 'a', 'the first transform saw the cell first');
    const cell = 'a:beforeExecute b:beforeExecute a:transformCell b:transformCell';
    // a cell reads the order while it runs: its own afterExecute comes after
    assert.equal(await k.value('__order.splice(0).join(" ")'), `a:setup b:setup ${cell} a:afterExecute:ok b:afterExecute:ok ${cell}`);
    assert.equal((await k.run('throw new Error("x")')).status, 'error');
    assert.equal(
      await k.value('__order.splice(0).join(" ")'),
      `a:afterExecute:ok b:afterExecute:ok ${cell} a:afterExecute:error b:afterExecute:error ${cell}`,
      'a failing cell reaches afterExecute too',
    );
    assert.equal(await k.value('typeof $$.html'), 'function', 'the Jupyter plugin is still there');
  });

  it("shows a plugin's preview and expansion for its class (formatValue)", async () => {
    const cwd = folder({
      'money.js': `
class Money { constructor(c, v) { this.currency = c; this.cents = v; } }
module.exports = (options) => ({
  name: 'money',
  setup(ctx) { ctx.globals.Money = Money; },
  formatValue(v) { return v instanceof Money ? { preview: (v.cents / 100).toFixed(2) + ' ' + v.currency, properties: { amount: v.cents / 100, currency: v.currency } } : undefined; },
});`,
    });
    k = await startKernel({ cwd, init: { plugins: ['./money.js'].map((p) => join(cwd, p)) } });
    const r = await k.run('new Money("EUR", 1250)');
    assert.ok(r.status === 'ok' && r.value?.type === 'object', JSON.stringify(r));
    if (r.status !== 'ok' || r.value?.type !== 'object') return;
    assert.equal(r.value.preview, '12.50 EUR');
    assert.equal(r.value.className, 'Money');
    const page = await k.kernel.expand({ handleId: r.value.handle!.id, start: 0, count: 50 });
    const rows = Object.fromEntries(page.items.filter((i) => !i.internal).map((i) => [i.name, i.value]));
    assert.deepEqual(rows.amount, { type: 'number', text: '12.5' });
    assert.deepEqual(rows.currency, { type: 'string', value: 'EUR', length: 3 });
    assert.equal(await k.value('({ a: 1 })'), '{ a: 1 }', 'other values keep their preview');
  });

  it("shows a plugin's preview inside arrays, objects and Maps too: in the result, its rows and console lines", async () => {
    const cwd = folder({
      'money.js': `
class Money { constructor(c, v) { this.currency = c; this.cents = v; } }
module.exports = { name: 'money', setup(ctx) { ctx.globals.Money = Money; },
  formatValue: (v) => (v instanceof Money ? { preview: (v.cents / 100).toFixed(2) + ' ' + v.currency } : undefined) };`,
    });
    k = await startKernel({ cwd, init: { plugins: [join(cwd, 'money.js')] } });
    await k.run('globalThis.m = new Money("EUR", 1250)');
    assert.equal(await k.value('[m, 1]'), '[ 12.50 EUR, 1 ]');
    assert.equal(await k.value('({ cart: { items: [m] } })'), '{ cart: { items: [Array] } }', 'as deep as the preview shows');
    const r = await k.run('new Map([["total", { net: m, gross: m }]])');
    assert.ok(r.status === 'ok' && r.value?.type === 'object', JSON.stringify(r));
    if (r.status !== 'ok' || r.value?.type !== 'object') return;
    assert.equal(r.value.preview, "Map(1) { 'total' => { net: 12.50 EUR, gross: 12.50 EUR } }");
    const page = await k.kernel.expand({ handleId: r.value.handle!.id, start: 0, count: 10 });
    const row = page.items[0]!.value;
    assert.equal(row?.type === 'object' ? row.preview : row, '{ net: 12.50 EUR, gross: 12.50 EUR }', "an expanded row's own preview");
    await k.run('console.log("cart", [m], { m })');
    assert.equal(k.console.find((e) => e.text.startsWith('cart'))?.text, 'cart [ 12.50 EUR ] { m: 12.50 EUR }');
  });

  it('refuses a transform that moves lines, naming the plugin', async () => {
    const cwd = folder({ 't.js': `module.exports = { name: 'liner', transformCell: (s) => '// added\\n' + s };` });
    k = await startKernel({ cwd, init: { plugins: [join(cwd, 't.js')] } });
    const error = errorOf(await k.run('1'));
    assert.ok(isCodaError(error, 'PluginTransformMovedLines'), JSON.stringify(error));
    assert.match(error.message, /'liner' changed the cell from 1 to 2 lines/);
  });

  it('a plugin that throws fails the cell with an error naming it, and the kernel lives on', async () => {
    const cwd = folder({
      'bad-setup.js': `module.exports = { name: 'bad-setup', setup() { throw new RangeError('no DOM here'); } };`,
      'bad-before.js': `module.exports = { name: 'bad-before', beforeExecute(cell) { if (globalThis.failNext) throw new Error('refused ' + cell.cellLabel); } };`,
      'not-a-plugin.js': `module.exports = 42;`,
    });
    k = await startKernel({ cwd, init: { plugins: ['bad-setup.js', 'not-a-plugin.js', 'missing.js', 'bad-before.js'].map((f) => join(cwd, f)) } });
    const first = errorOf(await k.run('1'));
    assert.equal(first.name, 'PluginError');
    assert.ok(isCodaError(first, 'PluginFailed'), JSON.stringify(first));
    assert.match(first.message, /The plugin 'bad-setup' failed in setup: RangeError: no DOM here/);
    assert.equal(await k.value('1 + 1'), '2', 'the next cell runs, without the plugins that failed');
    await k.run('globalThis.failNext = true');
    const refused = errorOf(await k.run('2'));
    assert.ok(isCodaError(refused, 'PluginFailed'));
    assert.match(refused.message, /The plugin 'bad-before' failed in beforeExecute: Error: refused \[\d+\]/);
  });

  it('says why a plugin could not be loaded', async () => {
    const cwd = folder({ 'not-a-plugin.js': `module.exports = 42;` });
    k = await startKernel({ cwd, init: { plugins: [join(cwd, 'not-a-plugin.js')] } });
    const error = errorOf(await k.run('1'));
    assert.ok(isCodaError(error, 'PluginNotAPlugin'), JSON.stringify(error));
    k.kernel.dispose();
    k = await startKernel({ cwd, init: { plugins: ['coda-plugin-nowhere'] } });
    const missing = errorOf(await k.run('1'));
    assert.ok(isCodaError(missing, 'PluginLoadFailed'), JSON.stringify(missing));
    assert.match(missing.message, /'coda-plugin-nowhere' could not be loaded/);
  });

  it('displayValue turns a value into rich output; context.display shows a bundle', async () => {
    const cwd = folder({
      'chart.js': `module.exports = { name: 'chart', setup(ctx) { ctx.globals.show = (html) => ctx.display({ 'text/html': html }); },
        displayValue: (v) => (v && v.kind === 'chart' ? { 'image/svg+xml': '<svg/>', 'text/plain': 'a chart' } : undefined) };`,
    });
    k = await startKernel({ cwd, init: { plugins: [join(cwd, 'chart.js')] } });
    const r = await k.run('show("<b>hi</b>"); ({ kind: "chart" })');
    assert.equal(r.status, 'ok');
    assert.equal(r.status === 'ok' ? r.value : 'x', undefined);
    const displays = k.events.filter((e) => e.name === 'display').map((e) => (e.body as { data: { mime: string }[] }).data.map((d) => d.mime).join(','));
    assert.deepEqual(displays, ['text/html', 'image/svg+xml,text/plain']);
  });
});

describe('kernel plugins under the notebook permissions', function () {
  this.timeout(30_000);

  it('a plugin under `permissions: {}` cannot read a file (its own file is loaded, nothing else)', async function () {
    const node = nodeBinaries().find(
      (b) => execFileSync(b.path, ['-p', 'process.allowedNodeEnvironmentFlags.has("--allow-inspector")'], { encoding: 'utf8' }).trim() === 'true',
    );
    if (!node) {
      if (requireRuntimes) assert.fail('no Node with --allow-inspector (set CODA_TOOLS_DIR)');
      this.skip();
    }
    const cwd = folder({
      'secret.txt': 'not granted',
      'reader.js': `module.exports = { name: 'reader', setup(ctx) { ctx.globals.fromPlugin = require('node:fs').readFileSync(require('node:path').join(ctx.cwd, 'secret.txt'), 'utf8'); } };`,
    });
    const plugins = [join(cwd, 'reader.js')];
    const support = await nodePermissionSupport(node!.path);
    const execArgv = nodePermissionArgs({}, { cwd, distDir: join(ROOT, 'dist'), plugins, support });
    const k = await startKernel({ nodePath: node!.path, cwd, execArgv, init: { permissions: {}, plugins } });
    try {
      const error = errorOf(await k.run('fromPlugin'));
      assert.ok(isCodaError(error, 'PluginFailed'), JSON.stringify(error));
      assert.match(error.message, /The plugin 'reader' failed in setup: PermissionDenied/);
      assert.equal(error.cause?.name, 'PermissionDenied');
      assert.equal(await k.value('typeof fromPlugin'), 'undefined', 'the kernel runs on, without what the plugin could not read');
    } finally {
      k.kernel.dispose();
    }
  });
});
